from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """The one error a service raises when it refuses to act.

    ``message`` is translated and safe to show to the person who acted;
    ``fields`` maps a field name to its own messages. The API turns it into a
    400 response, pages into a form error. Whatever raised it changed nothing:
    services raise before they write, inside their transaction.
    """

    def __init__(self, message, *, code: str = "invalid", fields: dict | None = None):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.fields = fields or {}


def stale_edit_error(*, current_version: int, changed_fields: list[str] | None = None):
    return DomainError(
        _(
            "Someone else changed this record while you were editing it. "
            "Nothing was saved: reload it, check their changes and make yours again."
        ),
        code="stale",
        fields={"version": [str(current_version)], "changed_fields": changed_fields or []},
    )


def domain_error_from_validation(exc) -> DomainError:
    """Wrap a model ``ValidationError`` so callers handle one kind of error."""
    fields = {
        name: [str(message) for message in messages]
        for name, messages in getattr(exc, "message_dict", {"__all__": exc.messages}).items()
    }
    return DomainError(_("Please correct the errors below."), code="invalid", fields=fields)


def refuse_unknown_fields(data: dict, allowed) -> None:
    """Refuse fields a caller may not set here, before anything is written."""
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise DomainError(
            _("These fields cannot be set here: %(fields)s.") % {"fields": ", ".join(unknown)},
            code="unknown_fields",
            fields={name: [str(_("Not an editable field."))] for name in unknown},
        )
