from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import ParseError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError


def exception_handler(exc, context):
    """Turn a service's refusal, or a body that does not parse, into a 400 with its message and field details."""
    if isinstance(exc, DomainError):
        return Response(
            {"detail": str(exc.message), "code": exc.code, "fields": exc.fields},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, ParseError):
        # The one shape of every 400, not DRF's bare detail.
        return Response(
            {"detail": str(exc.detail), "code": exc.detail.code, "fields": {}}, status=status.HTTP_400_BAD_REQUEST
        )
    return drf_exception_handler(exc, context)


# Answers any endpoint may give, whatever it documents of its own: input it
# refuses, no credentials, a role without the right, a record that is not
# there or not the caller's, and a rate limit.
_COMMON_ERRORS = {
    "400": ("ApiError", _("Bad input, or the action is not possible now.")),
    "401": ("ApiDetail", _("Not signed in.")),
    "403": ("ApiDetail", _("Signed in, but not allowed to do this.")),
    "404": ("ApiDetail", _("No such record, or not one this account may see.")),
    "429": ("ApiDetail", _("Too many requests: wait and try again.")),
}
# And, where a body is sent, one of a type the endpoint does not read.
_BODY_ERRORS = {"415": ("ApiDetail", _("The body is of a type this endpoint does not accept."))}
_METHODS = ("get", "post", "put", "patch", "delete")


def schema_common_error_responses(result, generator, request, public):
    """drf-spectacular post-processing: every operation documents the common error answers."""
    for item in result["paths"].values():
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            responses = operation.setdefault("responses", {})
            errors = _COMMON_ERRORS | (_BODY_ERRORS if "requestBody" in operation else {})
            for code, (component, description) in errors.items():
                responses.setdefault(
                    code,
                    {
                        "description": str(description),
                        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
                    },
                )
    return result
