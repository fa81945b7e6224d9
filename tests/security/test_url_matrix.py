"""Every URL of the URL conf, for every persona: the class of answer expected, by GET and by POST.

The table below is the contract. Each row is keyed by the URL's name and
holds two strings, one for GET and one for POST, each with one answer per
persona in the order of ``PERSONAS``: anonymous, family A (Olena), family B
(Ivan), caseworker (Carol), coordinator (Cole), administrator (Ada).

An answer is a status code, or ``in`` (302 to the sign-in page), ``adm``
(302 to the administration's sign-in), ``2fa`` (302 to the second factor),
``go`` (302 elsewhere), or ``-`` for a POST the persona may make: it changes
something on purpose and is not tried here. Every other POST is tried, with
data that would change something, and must leave the database as it was.

URL arguments name family A's records, so family B gets 404 for Olena's
request, exactly as for one that does not exist. The administration is covered
by the explicit rules under ``ADMIN_*``. A URL without an entry fails the
suite: add its row when adding the URL.
"""

import re

import pytest
from django.contrib import admin
from rest_framework.test import APIClient

from tests.security.conftest import PERSONAS, database_state
from tests.security.routes import ADMIN_SIGN_IN, REDIRECT, SECOND_FACTOR, SIGN_IN, all_routes, answer_class, url_of

pytestmark = pytest.mark.django_db

ALLOWED = "-"
_TOKENS = {"in": SIGN_IN, "adm": ADMIN_SIGN_IN, "2fa": SECOND_FACTOR, "go": REDIRECT, "-": ALLOWED}

EXPECTED = {
    "account_change_password": ("in 200 200 200 200 200", "in 200 200 200 200 200"),
    "account_confirm_email": ("200 200 200 200 200 200", "404 404 404 404 404 404"),
    "account_confirm_login_code": ("in go go go go go", "in go go go go go"),
    "account_email": ("in 200 200 200 200 200", "in go go go go go"),
    "account_email_verification_sent": ("200 200 200 200 200 200", "405 405 405 405 405 405"),
    "account_inactive": ("200 200 200 200 200 200", "405 405 405 405 405 405"),
    "account_login": ("200 go go go go go", "200 go go go go go"),
    "account_logout": ("go 200 200 200 200 200", "go - - - - -"),
    "account_reauthenticate": ("in 200 200 200 200 200", "in 200 200 200 200 200"),
    "account_reset_password": ("200 200 200 200 200 200", "200 200 200 200 200 200"),
    "account_reset_password_done": ("200 200 200 200 200 200", "405 405 405 405 405 405"),
    "account_reset_password_from_key": ("200 200 200 200 200 200", "200 200 200 200 200 200"),
    "account_reset_password_from_key_done": ("200 200 200 200 200 200", "405 405 405 405 405 405"),
    "account_set_password": ("in go go go go go", "in go go go go go"),
    "account_signup": ("200 go go go go go", "200 go go go go go"),
    "api-docs": ("200 200 200 200 200 200", "405 405 405 405 405 405"),
    "api-schema": ("200 200 200 200 200 200", "405 405 405 405 405 405"),
    "api:request_answer": ("403 405 405 405 405 405", "403 - 404 404 404 404"),
    "api:request_detail": ("403 200 404 404 404 404", "403 405 405 405 405 405"),
    "api:request_list": ("403 200 200 403 403 403", "403 - - 403 403 403"),
    "api:request_withdraw": ("403 405 405 405 405 405", "403 - 404 404 404 404"),
    "families:lookup": ("200 200 200 200 200 200", "200 200 200 200 200 200"),
    "families:lookup_status": ("go go go go go go", "405 405 405 405 405 405"),
    "families:profile": ("in 200 200 404 404 404", "in - - 404 404 404"),
    "families:profile_data": ("in 200 200 404 404 404", "in 405 405 405 405 405"),
    "families:profile_delete": ("in 200 200 404 404 404", "in - - 404 404 404"),
    "families:request_answer": ("in go 404 404 404 404", "in - 404 404 404 404"),
    "families:request_detail": ("in 200 404 404 404 404", "in 405 405 405 405 405"),
    "families:request_filed": ("in 200 404 404 404 404", "in 405 405 405 405 405"),
    "families:request_list": ("in 200 200 404 404 404", "in 405 405 405 405 405"),
    "families:request_new": ("in 200 200 404 404 404", "in - - 404 404 404"),
    "families:request_withdraw": ("in 200 404 404 404 404", "in - 404 404 404 404"),
    "families:set_language": ("405 405 405 405 405 405", "go go go go go go"),
    "healthz": ("200 200 200 200 200 200", "405 405 405 405 405 405"),
    "home": ("200 200 200 200 200 200", "405 405 405 405 405 405"),
    "mfa_activate_totp": ("in go go go go go", "in go go go go go"),
    "mfa_add_webauthn": ("in go go go go go", "in go go go go go"),
    "mfa_authenticate": ("in go go go go go", "in go go go go go"),
    "mfa_deactivate_totp": ("in 404 404 go go go", "in 404 404 go go go"),
    "mfa_download_recovery_codes": ("in 404 404 404 404 404", "in 404 404 404 404 404"),
    "mfa_edit_webauthn": ("in go go go go go", "in go go go go go"),
    "mfa_generate_recovery_codes": ("in go go go go go", "in go go go go go"),
    "mfa_index": ("in 200 200 200 200 200", "in 405 405 405 405 405"),
    "mfa_list_webauthn": ("in 200 200 200 200 200", "in 405 405 405 405 405"),
    "mfa_reauthenticate": ("in go go 200 200 200", "in go go 200 200 200"),
    "mfa_reauthenticate_webauthn": ("in go go go go go", "in go go go go go"),
    "mfa_remove_webauthn": ("in go go go go go", "in go go go go go"),
    "mfa_view_recovery_codes": ("in 404 404 404 404 404", "in 405 405 405 405 405"),
    "notifications:mine": ("in 200 200 200 200 200", "in 405 405 405 405 405"),
    "notifications:unsubscribe": ("200 200 200 200 200 200", "- - - - - -"),
    "prisoners:evidence_file": ("404 404 404 200 200 200", "405 405 405 405 405 405"),
    "prisoners_api:match": ("403 403 403 405 405 403", "403 403 403 - - 403"),
    "prisoners_api:match_decision": ("403 403 403 405 403 403", "403 403 403 404 403 403"),
    "prisoners_api:matches": ("403 403 403 400 400 403", "403 403 403 405 405 403"),
    "set_language": ("go go go go go go", "go go go go go go"),
    "sign_in_history": ("in 200 200 200 200 200", "in 405 405 405 405 405"),
    "staff:exchange_assemble": ("401 404 404 403 405 403", "401 404 404 403 - 403"),
    "staff:exchange_detail": ("401 404 404 200 200 200", "401 404 404 405 405 405"),
    "staff:exchange_entry_add": ("401 404 404 403 405 403", "401 404 404 403 - 403"),
    "staff:exchange_entry_move": ("401 404 404 403 405 403", "401 404 404 403 - 403"),
    "staff:exchange_entry_outcome": ("401 404 404 403 405 403", "401 404 404 403 - 403"),
    "staff:exchange_entry_pin": ("401 404 404 403 405 403", "401 404 404 403 - 403"),
    "staff:exchange_entry_remove": ("401 404 404 403 405 403", "401 404 404 403 - 403"),
    "staff:exchange_export": ("401 404 404 200 200 200", "401 404 404 405 405 405"),
    "staff:exchange_list": ("401 404 404 200 200 200", "401 404 404 405 405 405"),
    "staff:exchange_new": ("401 404 404 403 200 403", "401 404 404 403 - 403"),
    "staff:exchange_overview": ("401 404 404 200 200 200", "401 404 404 405 405 405"),
    "staff:exchange_reconcile": ("401 404 404 200 200 200", "401 404 404 405 405 405"),
    "staff:exchange_release": ("401 404 404 403 405 403", "401 404 404 403 - 403"),
    "staff:exchange_rerank": ("401 404 404 403 405 403", "401 404 404 403 - 403"),
    "staff:exchange_row_decide": ("401 404 404 403 405 403", "401 404 404 403 - 403"),
    "staff:exchange_status": ("401 404 404 403 405 403", "401 404 404 403 - 403"),
    "staff:exchange_upload": ("401 404 404 403 405 403", "401 404 404 403 - 403"),
    "staff:home": ("401 404 404 200 200 200", "405 405 405 405 405 405"),
    "staff:prisoner_audit": ("401 404 404 200 200 200", "401 404 404 405 405 405"),
    "staff:prisoner_detail": ("401 404 404 200 200 200", "401 404 404 405 405 405"),
    "staff:prisoner_edit": ("401 404 404 200 403 403", "401 404 404 - 403 403"),
    "staff:prisoner_event_new": ("401 404 404 405 403 403", "401 404 404 - 403 403"),
    "staff:prisoner_evidence_add": ("401 404 404 405 403 403", "401 404 404 - 403 403"),
    "staff:prisoner_merge": ("401 404 404 200 403 403", "401 404 404 - 403 403"),
    "staff:prisoner_search": ("401 404 404 200 200 200", "405 405 405 405 405 405"),
    "staff:prisoner_status": ("401 404 404 405 403 403", "401 404 404 - 403 403"),
    "staff:prisoner_variant_add": ("401 404 404 405 403 403", "401 404 404 - 403 403"),
    "staff:prisoner_variant_remove": ("401 404 404 405 403 403", "401 404 404 - 403 403"),
    "staff:relationship_verify": ("401 404 404 405 403 403", "401 404 404 - 403 403"),
    "staff:request_ask": ("401 404 404 405 403 403", "401 404 404 - 403 403"),
    "staff:request_assign": ("401 404 404 405 403 403", "401 404 404 - 403 403"),
    "staff:request_create_prisoner": ("401 404 404 405 403 403", "401 404 404 - 403 403"),
    "staff:request_duplicate": ("401 404 404 405 403 403", "401 404 404 - 403 403"),
    "staff:request_link": ("401 404 404 405 403 403", "401 404 404 - 403 403"),
    "staff:request_queue": ("401 404 404 200 200 200", "401 404 404 405 405 405"),
    "staff:request_reject": ("401 404 404 405 403 403", "401 404 404 - 403 403"),
    "staff:request_review": ("401 404 404 200 200 200", "401 404 404 405 405 405"),
    "staff:request_start_review": ("401 404 404 405 403 403", "401 404 404 - 403 403"),
    "staff:submission_acknowledge": ("405 405 405 405 405 405", "401 404 404 - 403 403"),
    "staff:submission_confirm": ("405 405 405 405 405 405", "401 404 404 - 403 403"),
    "staff:submission_new": ("401 404 404 200 403 403", "401 404 404 - 403 403"),
    "staff:submission_pdf": ("401 404 404 200 200 200", "405 405 405 405 405 405"),
    "staff:submissions_overdue": ("401 404 404 200 200 200", "405 405 405 405 405 405"),
    "staff_api:exchange_assemble": ("401 404 404 405 405 405", "401 404 404 403 - 403"),
    "staff_api:exchange_detail": ("401 404 404 200 200 200", "401 404 404 403 405 403"),
    "staff_api:exchange_entry": ("401 404 404 405 405 405", "401 404 404 403 405 403"),
    "staff_api:exchange_entry_add": ("401 404 404 405 405 405", "401 404 404 403 - 403"),
    "staff_api:exchange_entry_outcome": ("401 404 404 405 405 405", "401 404 404 403 - 403"),
    "staff_api:exchange_export": ("401 404 404 200 200 200", "401 404 404 403 405 403"),
    "staff_api:exchange_list": ("401 404 404 200 200 200", "401 404 404 403 - 403"),
    "staff_api:exchange_pool": ("401 404 404 400 400 400", "401 404 404 403 405 403"),
    "staff_api:exchange_reconcile": ("401 404 404 200 200 200", "401 404 404 403 405 403"),
    "staff_api:exchange_release": ("401 404 404 405 405 405", "401 404 404 403 - 403"),
    "staff_api:exchange_rerank": ("401 404 404 405 405 405", "401 404 404 403 - 403"),
    "staff_api:exchange_row_decide": ("401 404 404 405 405 405", "401 404 404 403 - 403"),
    "staff_api:exchange_status": ("401 404 404 405 405 405", "401 404 404 403 - 403"),
    "staff_api:exchange_upload": ("401 404 404 405 405 405", "401 404 404 403 - 403"),
    "staff_api:prisoner_audit": ("401 404 404 200 200 200", "401 404 404 405 405 405"),
    "staff_api:prisoner_detail": ("401 404 404 200 200 200", "401 404 404 405 403 403"),
    "staff_api:prisoner_event_new": ("401 404 404 405 403 403", "401 404 404 - 403 403"),
    "staff_api:prisoner_merge": ("401 404 404 405 403 403", "401 404 404 - 403 403"),
    "staff_api:prisoner_search": ("401 404 404 200 200 200", "401 404 404 405 405 405"),
    "staff_api:prisoner_status": ("401 404 404 405 403 403", "401 404 404 - 403 403"),
    "staff_api:prisoner_variant_add": ("401 404 404 405 403 403", "401 404 404 - 403 403"),
    "staff_api:prisoner_variant_remove": ("401 404 404 405 403 403", "401 404 404 - 403 403"),
    "staff_api:relationship_verify": ("401 404 404 405 403 403", "401 404 404 - 403 403"),
    "staff_api:request_ask": ("401 404 404 405 403 403", "401 404 404 - 403 403"),
    "staff_api:request_assign": ("401 404 404 405 403 403", "401 404 404 - 403 403"),
    "staff_api:request_create_prisoner": ("401 404 404 405 403 403", "401 404 404 - 403 403"),
    "staff_api:request_detail": ("401 404 404 200 200 200", "401 404 404 405 405 405"),
    "staff_api:request_duplicate": ("401 404 404 405 403 403", "401 404 404 - 403 403"),
    "staff_api:request_link": ("401 404 404 405 403 403", "401 404 404 - 403 403"),
    "staff_api:request_list": ("401 404 404 200 200 200", "401 404 404 405 405 405"),
    "staff_api:request_reject": ("401 404 404 405 403 403", "401 404 404 - 403 403"),
    "staff_api:request_start_review": ("401 404 404 405 403 403", "401 404 404 - 403 403"),
    "staff_api:submission_acknowledge": ("401 404 404 405 403 403", "401 404 404 - 403 403"),
    "staff_api:submission_confirm": ("401 404 404 405 403 403", "401 404 404 - 403 403"),
    "staff_api:submission_create": ("401 404 404 405 403 403", "401 404 404 - 403 403"),
    "staff_api:submissions_overdue": ("401 404 404 200 200 200", "401 404 404 405 405 405"),
}

# The administration: only administrators (with their second factor) get in.
# Everyone else is sent to its sign-in page, which refuses any other account.
ADMIN_OUTSIDERS = "adm adm adm adm adm"
ADMIN_PAGES = {
    "admin:index": ("adm adm adm adm adm 200", "adm adm adm adm adm -"),
    "admin:login": ("in 403 403 403 403 go", "in 403 403 403 403 -"),
    "admin:logout": ("go go go go go 405", "go go go go go -"),
    "admin:password_change": ("adm adm adm adm adm 200", "adm adm adm adm adm -"),
    "admin:password_change_done": ("adm adm adm adm adm 200", "adm adm adm adm adm -"),
    "admin:autocomplete": ("adm adm adm adm adm 403", "adm adm adm adm adm -"),
    "admin:jsi18n": ("adm adm adm adm adm 200", "adm adm adm adm adm -"),
    "admin:view_on_site": ("adm adm adm adm adm 404", "adm adm adm adm adm -"),
    "admin:app_list": ("adm adm adm adm adm 200", "adm adm adm adm adm -"),
}
# The pages of each registered model, for an administrator: records are read, not added or deleted here.
ADMIN_MODEL_ACTIONS = {
    "changelist": 200,
    "history": 200,
    "change": 200,
    "password_change": 200,
    "add": 403,
    "delete": 403,
}
ADMIN_MODEL_EXCEPTIONS = {
    # Accounts and parties are managed in the administration.
    "admin:auth_user_add": 200,
    "admin:prisoners_party_add": 200,
    # Models of which family A's case has no row: the page for a missing record goes back to the index.
    **{
        f"admin:{model}_{action}": REDIRECT
        for model in (
            "exchanges_exchangestatuschange",
            "families_referencecounter",
            "families_requeststatuschange",
            "notifications_notification",
            "prisoners_caseevent",
            "prisoners_factsource",
            "prisoners_statuschange",
        )
        for action in ("change", "history")
    },
}

# What a POST sends, so that a refused one would have changed something had it been let through.
POST_DATA = {
    "families:request_withdraw": {"reason": "Withdrawn by someone else"},
    "families:request_answer": {"body": "An answer from someone else", "links": "https://example.test/video"},
    "families:profile": {"full_name": "Someone Else", "phone": "+380501234567", "preferred_language": "en"},
    "families:profile_delete": {"password": "correct-horse-battery"},
    "families:request_new": {"surname": "Ковальчук", "given_names": "Андрій", "consent": "on"},
    "api:request_withdraw": {"reason": "Withdrawn by someone else"},
    "api:request_answer": {"body": "An answer from someone else"},
    "api:request_list": {"surname": "Ковальчук", "given_names": "Андрій", "consent": True},
    "staff:request_reject": {"reason": "Rejected by someone else"},
    "staff_api:request_reject": {"reason": "Rejected by someone else"},
    "staff:prisoner_status": {"status-status": "released", "status-reason": "x"},
    "staff_api:prisoner_status": {"status": "released", "reason": "x"},
    "staff:relationship_verify": {"reason": "Verified by someone else"},
    "staff_api:relationship_verify": {"reason": "Verified by someone else"},
    "staff:exchange_status": {"status": "cancelled", "reason": "x"},
    "staff_api:exchange_status": {"status": "cancelled", "reason": "x"},
    "prisoners_api:match_decision": {"decision": "same"},
}


def _parsed(row: str) -> tuple:
    answers = tuple(_TOKENS.get(token, token) for token in row.split())
    return tuple(int(answer) if answer.isdigit() else answer for answer in answers)


def _admin_expected(name: str) -> tuple[tuple, tuple] | None:
    if name in ADMIN_PAGES:
        return tuple(_parsed(row) for row in ADMIN_PAGES[name])
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        action = name.removeprefix(prefix)
        if name.startswith(prefix) and action in ADMIN_MODEL_ACTIONS:
            ada = ADMIN_MODEL_EXCEPTIONS.get(name, ADMIN_MODEL_ACTIONS[action])
            return (*_parsed(ADMIN_OUTSIDERS), ada), (*_parsed(ADMIN_OUTSIDERS), ALLOWED)
    return None


def expected_answers(name: str) -> tuple[tuple, tuple] | None:
    """The (GET, POST) answers for ``name``, one per persona, or None for a URL the table does not know."""
    if name.startswith("admin:"):
        return _admin_expected(name)
    if name in EXPECTED:
        return tuple(_parsed(row) for row in EXPECTED[name])
    return None


def test_it_has_an_expected_answer_for_every_url():
    routes, unnamed = all_routes()
    unknown = [route.name for route in routes if expected_answers(route.name) is None]
    assert not unknown, f"new URL without an expected answer: {', '.join(unknown)} (add it to {__name__}.EXPECTED)"
    # Django's administration adds routes without names (a redirect per model, its catch-all); nothing else may.
    assert [pattern for pattern in unnamed if not pattern.startswith("admin/")] == []
    stale = set(EXPECTED) - {route.name for route in routes}
    assert not stale, f"expected answers for URLs that no longer exist: {', '.join(sorted(stale))}"


def test_every_row_has_one_answer_per_persona():
    for name, rows in [*EXPECTED.items(), *ADMIN_PAGES.items()]:
        for row in rows:
            assert len(row.split()) == len(PERSONAS), name


def _signed_in_client(persona_user, persona):
    client = APIClient(raise_request_exception=False)
    user = persona_user(persona)
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_answers_every_get_as_expected(family_a, persona_user, persona):
    column = PERSONAS.index(persona)
    client = _signed_in_client(persona_user, persona)

    wrong = {}
    for route in all_routes()[0]:
        expected = expected_answers(route.name)
        if expected is None:
            continue
        answer = answer_class(client.get(url_of(route, family_a)))
        if answer != expected[0][column]:
            wrong[route.name] = f"expected {expected[0][column]}, got {answer}"

    assert wrong == {}


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_refuses_every_post_it_should_and_changes_nothing(family_a, persona_user, persona):
    column = PERSONAS.index(persona)
    client = _signed_in_client(persona_user, persona)

    wrong, changed = {}, []
    for route in all_routes()[0]:
        expected = expected_answers(route.name)
        if expected is None or expected[1][column] == ALLOWED:
            continue
        before = database_state()
        response = client.post(url_of(route, family_a), POST_DATA.get(route.name, {}))
        answer = answer_class(response)
        if answer != expected[1][column]:
            wrong[route.name] = f"expected {expected[1][column]}, got {answer}"
        if database_state() != before:
            changed.append(route.name)

    assert wrong == {}
    assert changed == []


def test_the_notation_is_the_one_documented():
    assert _parsed("in adm 2fa go - 404") == (SIGN_IN, ADMIN_SIGN_IN, SECOND_FACTOR, REDIRECT, ALLOWED, 404)
    assert all(
        re.fullmatch(r"\d{3}|in|adm|2fa|go|-", token) for rows in EXPECTED.values() for r in rows for token in r.split()
    )
