"""Every operation of the OpenAPI schema, for every persona: the status expected.

The schema is the one drf-spectacular publishes, so an endpoint added later
is in it, and an operation without a row here fails the suite. Each row holds
one answer per persona, in the order of ``PERSONAS``: anonymous, family A
(Olena), family B (Ivan), caseworker (Carol), coordinator (Cole),
administrator (Ada). ``-`` marks a write the persona may make: it is not tried
here. Every other write is tried and must leave the database as it was.
Path parameters name family A's records.
"""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tests.security.conftest import PERSONAS, database_state
from tests.security.routes import ARGUMENTS, PK_BY_SEGMENT

pytestmark = pytest.mark.django_db

ALLOWED = "-"
FAMILY_READ = "403 200 404 404 404 404"
FAMILY_WRITE = "403 - 404 404 404 404"
STAFF_READ = "401 404 404 200 200 200"
CASEWORK = "401 404 404 - 403 403"
EXCHANGE_WORK = "401 404 404 403 - 403"

EXPECTED = {
    # Matching records is casework, but outside the staff API: refused with 403, never with data.
    "POST /api/v1/prisoners/match/": "403 403 403 - - 403",
    "GET /api/v1/prisoners/matches/": "403 403 403 400 400 403",
    "POST /api/v1/prisoners/matches/{id}/decision/": "403 403 403 - 403 403",
    # The family API: each family sees its own requests only.
    "GET /api/v1/requests/": "403 200 200 403 403 403",
    "POST /api/v1/requests/": "403 - - 403 403 403",
    "GET /api/v1/requests/{reference}/": FAMILY_READ,
    "POST /api/v1/requests/{reference}/answer/": FAMILY_WRITE,
    "POST /api/v1/requests/{reference}/withdraw/": FAMILY_WRITE,
    # The staff API.
    "GET /api/v1/staff/exchanges/": STAFF_READ,
    "POST /api/v1/staff/exchanges/": EXCHANGE_WORK,
    "GET /api/v1/staff/exchanges/{id}/": STAFF_READ,
    "POST /api/v1/staff/exchanges/{id}/assemble/": EXCHANGE_WORK,
    "POST /api/v1/staff/exchanges/{id}/entries/": EXCHANGE_WORK,
    "PATCH /api/v1/staff/exchanges/{id}/entries/{entry_id}/": EXCHANGE_WORK,
    "DELETE /api/v1/staff/exchanges/{id}/entries/{entry_id}/": EXCHANGE_WORK,
    "POST /api/v1/staff/exchanges/{id}/entries/{entry_id}/outcome/": EXCHANGE_WORK,
    "GET /api/v1/staff/exchanges/{id}/export/{fmt}/": STAFF_READ,
    "GET /api/v1/staff/exchanges/{id}/pool/": "401 404 404 400 400 400",
    "POST /api/v1/staff/exchanges/{id}/release/": EXCHANGE_WORK,
    "POST /api/v1/staff/exchanges/{id}/status/": EXCHANGE_WORK,
    "POST /api/v1/staff/exchanges/{id}/their-lists/": EXCHANGE_WORK,
    "GET /api/v1/staff/exchanges/{id}/their-lists/{list_id}/": STAFF_READ,
    "POST /api/v1/staff/exchanges/{id}/their-rows/{row_id}/": EXCHANGE_WORK,
    "POST /api/v1/staff/exchanges/{id}/weights/": EXCHANGE_WORK,
    "GET /api/v1/staff/prisoners/{id}/": STAFF_READ,
    "PATCH /api/v1/staff/prisoners/{id}/": CASEWORK,
    "GET /api/v1/staff/prisoners/{id}/audit/": STAFF_READ,
    "POST /api/v1/staff/prisoners/{id}/events/": CASEWORK,
    "POST /api/v1/staff/prisoners/{id}/merge/": CASEWORK,
    "POST /api/v1/staff/prisoners/{id}/status/": CASEWORK,
    "POST /api/v1/staff/prisoners/{id}/submissions/": CASEWORK,
    "POST /api/v1/staff/prisoners/{id}/variants/": CASEWORK,
    "POST /api/v1/staff/prisoners/{id}/variants/{variant_id}/remove/": CASEWORK,
    "GET /api/v1/staff/prisoners/search/": STAFF_READ,
    "POST /api/v1/staff/relationships/{id}/verify/": CASEWORK,
    "GET /api/v1/staff/requests/": STAFF_READ,
    "GET /api/v1/staff/requests/{reference}/": STAFF_READ,
    "POST /api/v1/staff/requests/{reference}/ask/": CASEWORK,
    "POST /api/v1/staff/requests/{reference}/assign/": CASEWORK,
    "POST /api/v1/staff/requests/{reference}/create-prisoner/": CASEWORK,
    "POST /api/v1/staff/requests/{reference}/duplicate/": CASEWORK,
    "POST /api/v1/staff/requests/{reference}/link/": CASEWORK,
    "POST /api/v1/staff/requests/{reference}/reject/": CASEWORK,
    "POST /api/v1/staff/requests/{reference}/start-review/": CASEWORK,
    "POST /api/v1/staff/submissions/{id}/acknowledge/": CASEWORK,
    "POST /api/v1/staff/submissions/{id}/confirm/": CASEWORK,
    "GET /api/v1/staff/submissions/overdue/": STAFF_READ,
}

# What a write sends, so that a refused one would have changed something had it been let through.
BODIES = {
    "/withdraw/": {"reason": "Withdrawn by someone else"},
    "/answer/": {"body": "An answer from someone else"},
    "/reject/": {"reason": "Rejected by someone else"},
    "/verify/": {"reason": "Verified by someone else"},
    "/status/": {"status": "released", "reason": "Changed by someone else"},
    "/decision/": {"decision": "same"},
    "/api/v1/requests/": {"surname": "Ковальчук", "given_names": "Андрій", "consent": True},
}


def operations() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    )


def path_of(path: str, case) -> str:
    def value(match):
        name = match.group(1)
        if name == "id":
            segment = path[: match.start()].rstrip("/").rsplit("/", 1)[-1]
            return str(case[PK_BY_SEGMENT[segment]].pk)
        return str(ARGUMENTS[name](case))

    return re.sub(r"\{(\w+)\}", value, path)


def _answers(key: str) -> list[str | int]:
    return [int(token) if token.isdigit() else token for token in EXPECTED[key].split()]


def test_it_has_an_expected_status_for_every_operation():
    keys = {f"{method} {path}" for method, path in operations()}
    unknown = sorted(keys - set(EXPECTED))
    assert not unknown, f"new API operation without an expected answer: {', '.join(unknown)}"
    assert sorted(set(EXPECTED) - keys) == [], "expected answers for operations no longer in the schema"
    assert all(len(row.split()) == len(PERSONAS) for row in EXPECTED.values())


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_answers_every_operation_as_expected(family_a, persona_user, persona):
    column = PERSONAS.index(persona)
    client = APIClient(raise_request_exception=False)
    if (user := persona_user(persona)) is not None:
        client.force_login(user)

    wrong, changed = {}, []
    for method, path in operations():
        expected = _answers(f"{method} {path}")[column]
        if expected == ALLOWED:
            continue
        body = next((data for suffix, data in BODIES.items() if path.endswith(suffix)), {})
        before = database_state()
        response = getattr(client, method.lower())(
            path_of(path, family_a), body if method != "GET" else None, format="json" if method != "GET" else None
        )
        if response.status_code != expected:
            wrong[f"{method} {path}"] = f"expected {expected}, got {response.status_code}"
        # Staff reads of a record are audited; anything else must leave no trace.
        if database_state() != before and (method != "GET" or expected >= 400):
            changed.append(f"{method} {path}")
        if response.status_code in (401, 403, 404):
            # A refusal says why in one field and shows nothing of the record.
            assert set(response.json()) <= {"detail", "code", "fields"}, (method, path)
            assert family_a["request"].surname not in response.content.decode(), (method, path)

    assert wrong == {}
    assert changed == []


def test_it_refuses_staff_endpoints_to_a_session_without_a_second_factor(family_a):
    """A caseworker who signed in with a password alone reaches no staff endpoint, matching included."""
    carol = UserFactory(username="carol-no-2fa", role="caseworker", second_factor=False)
    client = APIClient()
    client.force_login(carol)
    before = database_state()

    answers = {}
    for method, path in operations():
        if path.startswith(("/api/v1/staff/", "/api/v1/prisoners/")):
            body = next((data for suffix, data in BODIES.items() if path.endswith(suffix)), {})
            response = getattr(client, method.lower())(path_of(path, family_a), body, format="json")
            answers[f"{method} {path}"] = response.status_code

    assert set(answers.values()) == {403}, answers
    assert database_state() == before
