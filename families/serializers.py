"""What the family API reads and returns, shared by the views in ``families/api.py``.

Each view keeps its own input serializer; the shapes of a request, its
timeline and its evidence are the same everywhere and live here.
"""

import json

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from core.errors import DomainError
from families.filing_forms import MAX_FILES, MAX_LINKS
from families.models import FAMILY_FACING_REQUEST_STATUS, MessageDirection, RegistrationRequest
from prisoners.models import EvidenceKind


def input_validated(serializer_class, *, data) -> dict:
    """``data`` checked by ``serializer_class``, or the ``DomainError`` every refusal of the API is.

    Bad input and a service's refusal then reach the client in one shape:
    400 ``{detail, code, fields}``, each field with a list of messages.
    """
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        fields = {
            ("__all__" if name == api_settings.NON_FIELD_ERRORS_KEY else name): _messages(errors)
            for name, errors in serializer.errors.items()
        }
        raise DomainError(_("Please correct the errors below."), code="invalid", fields=fields)
    return serializer.validated_data


def _messages(errors) -> list[str]:
    """A field's messages as one list, however deeply a list field nests them."""
    if isinstance(errors, dict):
        return [message for nested in errors.values() for message in _messages(nested)]
    if isinstance(errors, list):
        return [message for nested in errors for message in _messages(nested)]
    return [str(errors)]


class EvidenceLinksField(serializers.ListField):
    """Links to evidence, such as a captivity video.

    In JSON, an array of URLs. In a multipart form, either one ``links`` part
    per URL, or a single ``links`` part holding a JSON array of URLs.
    """

    child = serializers.URLField(max_length=1000)
    default_error_messages = {"invalid_json": _("Give the links as a JSON array of addresses.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", MAX_LINKS)
        kwargs.setdefault(
            "help_text",
            _(
                "Links to evidence. JSON: an array of URLs. Multipart: one `links` part per URL, "
                "or one `links` part holding a JSON array of URLs."
            ),
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, list) and len(data) == 1 and isinstance(data[0], str) and data[0].lstrip()[:1] == "[":
            try:
                data = json.loads(data[0])
            except ValueError:
                self.fail("invalid_json")
        return super().to_internal_value(data)


# Without this, a file field in a schema shared by request and response reads as a URI.
@extend_schema_field({"type": "array", "items": {"type": "string", "format": "binary"}, "maxItems": MAX_FILES})
class EvidenceFilesField(serializers.ListField):
    """Files sent as evidence: photos (JPEG, PNG, WebP) or PDF documents, at most 10 MB each."""

    # Emptiness, size and type are checked with the page's own messages when the file is stored.
    child = serializers.FileField(allow_empty_file=True)

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", MAX_FILES)
        kwargs.setdefault(
            "help_text",
            _(
                "Multipart only: one `files` part per file. Photos (JPEG, PNG, WebP) or PDF "
                "documents, at most 10 MB each; the type is checked by the content, not the name."
            ),
        )
        super().__init__(**kwargs)


class ApiErrorSerializer(serializers.Serializer):
    """A refusal: bad input, or a service that will not act (400)."""

    detail = serializers.CharField(help_text=_("What went wrong, in the client's language."))
    code = serializers.CharField(help_text=_("A stable code for programs, such as `invalid` or `no_question`."))
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_("Messages for each field that needs correcting."),
    )


class ApiDetailSerializer(serializers.Serializer):
    """Not signed in, not allowed (403), or no such request of yours (404)."""

    detail = serializers.CharField()


class EvidenceSerializer(serializers.Serializer):
    """A link or a file's description. The file itself is never served to families."""

    kind = serializers.ChoiceField(choices=EvidenceKind.choices)
    # Not a URLField: for a file it is empty, which is not a URI.
    url = serializers.CharField(help_text=_("The link, for evidence of kind `link`."))
    file_name = serializers.CharField(source="original_name", help_text=_("The name of the file as it was sent."))
    content_type = serializers.CharField()
    size = serializers.IntegerField(allow_null=True)
    uploaded_at = serializers.DateTimeField()


class TimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=[("status", _("Status")), ("message", _("Message"))])
    title = serializers.CharField()
    text = serializers.CharField()
    direction = serializers.ChoiceField(choices=MessageDirection.choices, allow_blank=True)
    evidence = EvidenceSerializer(many=True)


class MessageSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=MessageDirection.choices)
    direction_label = serializers.CharField(source="get_direction_display")
    body = serializers.CharField()
    created_at = serializers.DateTimeField()
    evidence = EvidenceSerializer(many=True)


class RelativeStatusSerializer(serializers.Serializer):
    """The relative's status as the family may know it: never where he is held."""

    label = serializers.CharField()
    explanation = serializers.CharField()
    changed_at = serializers.DateTimeField()
    exchange_title = serializers.CharField(help_text=_("The exchange he is included in, once that is released."))
    exchange_date = serializers.DateField(allow_null=True)


class RequestSummarySerializer(serializers.ModelSerializer):
    """A request as the family's list shows it."""

    status_label = serializers.SerializerMethodField()
    status_explanation = serializers.SerializerMethodField()

    class Meta:
        model = RegistrationRequest
        fields = [
            "reference",
            "status",
            "status_label",
            "status_explanation",
            "surname",
            "given_names",
            "patronymic",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_status_label(self, request: RegistrationRequest) -> str:
        return str(FAMILY_FACING_REQUEST_STATUS[request.status][0])

    def get_status_explanation(self, request: RegistrationRequest) -> str:
        return str(FAMILY_FACING_REQUEST_STATUS[request.status][1])
