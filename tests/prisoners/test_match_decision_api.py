"""The candidates kept for a request, and a caseworker's decision on one, through the API."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from core.models import AuditEvent
from families.services import registration_request_file
from prisoners.models import MatchCandidate
from tests.factories import PrisonerFactory, request_data

MATCHES = reverse("prisoners_api:matches")
BORN = datetime.date(1990, 5, 17)


def _client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _decision(match: MatchCandidate) -> str:
    return reverse("prisoners_api:match_decision", args=[match.pk])


@pytest.fixture
def proposed(olena, django_capture_on_commit_callbacks) -> MatchCandidate:
    """Olena's request, matched to the record of the man it is about."""
    PrisonerFactory(surname="Chistyakov", given_names="Kirill", patronymic="Yurievich", date_of_birth=BORN)
    data = request_data(surname="Чистяков", given_names="Кирилл", patronymic="Юрьевич", date_of_birth=BORN)
    with django_capture_on_commit_callbacks(execute=True):
        request, _code = registration_request_file(filed_by=olena, actor=olena.user, data=data, consent=True)
    return MatchCandidate.objects.get(request=request)


def test_it_lists_the_candidates_kept_for_a_request(carol, proposed):
    response = _client(carol).get(MATCHES, {"request": proposed.request_id})

    assert response.status_code == 200
    [row] = response.json()
    assert (row["id"], row["candidate"], row["confidence"], row["decision"]) == (
        proposed.pk,
        proposed.candidate_id,
        "high",
        "",
    )


def test_it_records_a_caseworkers_decision(carol, proposed):
    response = _client(carol).post(_decision(proposed), {"decision": "same"}, format="json")

    assert response.status_code == 200
    assert response.json()["decision"] == "same"
    proposed.refresh_from_db()
    assert (proposed.decision, proposed.decided_by) == ("same", carol)
    assert AuditEvent.objects.filter(action="match.decided").count() == 1


def test_it_refuses_a_second_decision_and_keeps_the_first(carol, proposed):
    _client(carol).post(_decision(proposed), {"decision": "different"}, format="json")

    response = _client(carol).post(_decision(proposed), {"decision": "same"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "already_decided"
    proposed.refresh_from_db()
    assert proposed.decision == "different"


def test_it_refuses_a_decision_that_is_neither(carol, proposed):
    response = _client(carol).post(_decision(proposed), {"decision": "maybe"}, format="json")

    assert response.status_code == 400
    assert "decision" in response.json()["fields"]
    proposed.refresh_from_db()
    assert proposed.decision == ""


def test_it_asks_for_a_request_or_a_record(carol, db):
    response = _client(carol).get(MATCHES)

    assert response.status_code == 400


@pytest.mark.parametrize("persona", ["olena", "ivan", "ada", "oscar", "cole"])
def test_only_a_caseworker_decides(request, persona, proposed):
    user = request.getfixturevalue(persona)
    response = _client(getattr(user, "user", user)).post(_decision(proposed), {"decision": "same"}, format="json")

    assert response.status_code == 403
    proposed.refresh_from_db()
    assert proposed.decision == ""


@pytest.mark.parametrize("persona", ["olena", "ivan", "ada", "oscar"])
def test_a_family_or_an_outsider_sees_no_candidates(request, persona, proposed):
    user = request.getfixturevalue(persona)
    response = _client(getattr(user, "user", user)).get(MATCHES, {"request": proposed.request_id})

    assert response.status_code == 403
    assert "candidate" not in response.content.decode()


def test_it_gives_the_reasons_in_the_readers_language(carol, proposed):
    # The request leaves Ukrainian active in this thread: the override puts the language back after it.
    with translation.override("en"):
        response = _client(carol).get(MATCHES, {"request": proposed.request_id}, HTTP_ACCEPT_LANGUAGE="uk")

    [row] = response.json()
    assert "surname: same after transliteration" in proposed.reasons
    assert "surname: same after transliteration" not in row["reasons"]
    assert len(row["reasons"]) == len(proposed.reasons)
