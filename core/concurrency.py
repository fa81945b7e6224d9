from django.core.exceptions import ValidationError
from django.db import models

from core.errors import DomainError, domain_error_from_validation, stale_edit_error


def lock_for_update(record: models.Model, *, version: int | None = None) -> models.Model:
    """Lock ``record``'s row for this transaction and return it fresh.

    With ``version``, refuse a stale edit: the row must still carry the version
    the editor saw.
    """
    locked = type(record)._default_manager.select_for_update().get(pk=record.pk)
    if version is not None and locked.version != version:
        raise stale_edit_error(current_version=locked.version)
    return locked


def validated(record: models.Model, *, exclude: list[str] | None = None) -> models.Model:
    """Run the model's own checks; raise them as a ``DomainError``.

    Check constraints are left to the database, which enforces them anyway
    (and ``clean()`` explains the ones a person can break); unique
    constraints are checked here, one query each, so that a duplicate gets a
    message of its own rather than a database error.
    """
    try:
        record.full_clean(exclude=exclude, validate_constraints=False)
        for constraint in record._meta.constraints:
            if isinstance(constraint, models.UniqueConstraint):
                constraint.validate(type(record), record, exclude=exclude)
    except ValidationError as exc:
        raise domain_error_from_validation(exc) from None
    return record


def require_reason(reason: str, message) -> str:
    if not reason or not reason.strip():
        raise DomainError(message, code="reason_required", fields={"reason": [str(message)]})
    return reason.strip()
