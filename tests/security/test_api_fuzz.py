"""API fuzzing: schemathesis reads /api/schema/ and sends every operation generated requests, as each persona.

No answer may be a server error, and every answer must be one the schema
documents, in the documented status, type and shape. Each generated request
is sent twice per persona: as generated, and with its path naming family A's
records, so that the handlers behind the 404 are reached too. The examples are
few and derandomized (the same every run) so that ``make test`` stays quick
and repeatable; raise ``FUZZ_EXAMPLES`` locally to dig deeper.
"""

import os
import tempfile
from pathlib import Path

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.security.conftest import PERSONAS
from tests.security.routes import ARGUMENTS, PK_BY_SEGMENT

pytestmark = pytest.mark.django_db

# No example database (``database=None`` below), and Hypothesis' other caches outside the repository.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "homecoming-hypothesis")

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# Read from /api/schema/ through the application itself, as a client reads it; requests reach it in-process.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
# Generated examples only: the coverage phase's hundreds of boundary cases per operation would take minutes.
schema.config.phases.coverage.enabled = False
# The same examples every run (FUZZ_SEED to explore others); hypothesis alone would be seeded anew by schemathesis.
schema.config.seed = int(os.environ.get("FUZZ_SEED", "20261207"))


@pytest.fixture
def persona_headers(family_a, persona_user):
    """Each persona's credentials, an API token (none for the visitor), with family A's case on the records."""
    headers = {}
    for persona in PERSONAS:
        user = persona_user(persona)
        headers[persona] = {} if user is None else {"Authorization": f"Token {Token.objects.create(user=user).key}"}
    return headers


@pytest.fixture
def _requests_inside_the_test_transaction():
    """The application runs in the test's thread: it must not close the connection that holds the test's data.

    Django's test client does the same for the requests it makes.
    """
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


def family_a_path_parameters(path: str, family_a) -> dict:
    """The path parameters of an operation, naming family A's records (as the URL matrix does)."""
    values = {}
    for segment, following in zip(path.split("/"), path.split("/")[1:], strict=False):
        if following.startswith("{"):
            name = following.strip("{}")
            values[name] = family_a[PK_BY_SEGMENT[segment]].pk if name == "id" else ARGUMENTS[name](family_a)
    return values


@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # The personas' fixtures are set up once per operation, not per example; generation may be slow on big bodies.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_answers_as_documented_for_every_persona(
    case, family_a, persona_headers, _requests_inside_the_test_transaction
):
    real = family_a_path_parameters(case.operation.path, family_a)
    for headers in persona_headers.values():
        case.call_and_validate(headers=headers, checks=CHECKS)
        if real:
            generated, case.path_parameters = case.path_parameters, {**(case.path_parameters or {}), **real}
            case.call_and_validate(headers=headers, checks=CHECKS)
            case.path_parameters = generated
