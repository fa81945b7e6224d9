"""API fuzzing: schemathesis reads /api/schema/ and sends every operation generated requests, as each persona.

No answer may be a server error, and every answer must be one the schema
documents, in the documented type and shape. The examples are few and
derandomized (the same every run) so that ``make test`` stays quick and
repeatable; raise ``FUZZ_EXAMPLES`` locally to dig deeper.
"""

import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.security.conftest import PERSONAS

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
# What the issue asks of every answer: no server error, and what the schema says, in status, type and shape.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def persona_headers(family_a, persona_user):
    """Family A's case on the records, and each persona's credentials: an API token (none for the visitor)."""
    headers = {}
    for persona in PERSONAS:
        user = persona_user(persona)
        headers[persona] = {} if user is None else {"Authorization": f"Token {Token.objects.create(user=user).key}"}
    return headers


# Read from /api/schema/ through the application itself, as a client reads it; requests go to the live server.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
# Generated examples only: the coverage phase's hundreds of boundary cases per operation would take minutes.
schema.config.phases.coverage.enabled = False


@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented_for_every_persona(case, live_server, persona_headers):
    for headers in persona_headers.values():
        case.call_and_validate(base_url=live_server.url, headers=headers, checks=CHECKS)
