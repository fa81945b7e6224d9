from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError


def exception_handler(exc, context):
    """Turn a service's refusal into a 400 with its message and field details."""
    if isinstance(exc, DomainError):
        return Response(
            {"detail": str(exc.message), "code": exc.code, "fields": exc.fields},
            status=status.HTTP_400_BAD_REQUEST,
        )
    return drf_exception_handler(exc, context)
