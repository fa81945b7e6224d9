"""The staff API of the registration track and the record search."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from core.models import AuditEvent
from prisoners.models import CaseStatus, OfficialSubmission, Prisoner
from prisoners.services import official_submission_create
from tests.factories import PrisonerFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
SEARCH = reverse("staff_api:prisoner_search")
OVERDUE = reverse("staff_api:submissions_overdue")


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def _client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(getattr(user, "user", user))
    return client


def state() -> tuple:
    return (
        list(OfficialSubmission.objects.order_by("pk").values()),
        list(Prisoner.objects.order_by("pk").values("pk", "status", "version")),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def prisoner(db):
    return PrisonerFactory(surname="Чистяков", given_names="Николай")


@pytest.fixture
def sent(prisoner, carol):
    return official_submission_create(
        prisoner=prisoner,
        actor=carol,
        data={
            "authority": "national",
            "channel": "post",
            "submitted_on": days(-20),
            "acknowledgement_due_on": days(-6),
        },
    )


def test_it_searches_with_the_pages_criteria(cole, prisoner):
    PrisonerFactory(surname="Melnyk", given_names="Taras")

    response = _client(cole).get(SEARCH, {"surname": "Chistyakov", "given_name": "Nikolai"})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [row] = body["results"]
    assert (row["id"], row["party"]["code"], row["match_confidence"]) == (prisoner.pk, "own", "medium")
    assert row["match_score"] > 0


def test_it_searches_by_status_without_a_score(ada, prisoner):
    PrisonerFactory(surname="Melnyk", given_names="Taras", status=CaseStatus.REGISTERED)

    response = _client(ada).get(f"{SEARCH}?status=registered&status=returned")

    [row] = response.json()["results"]
    assert (row["surname"], row["match_score"]) == ("Melnyk", None)


def test_it_answers_an_empty_search_with_nothing(carol, prisoner):
    assert _client(carol).get(SEARCH).json()["count"] == 0


def test_it_refuses_bad_criteria_with_the_fields_named(carol):
    with translation.override("en"):
        response = _client(carol).get(SEARCH, {"capture_date_from": "2026-02-01", "capture_date_to": "2026-01-01"})

    assert response.status_code == 400
    assert response.json()["fields"]["capture_date_to"] == ["This date is before the start of the range."]


def test_the_search_runs_the_same_queries_for_one_result_or_many(carol):
    client = _client(carol)
    PrisonerFactory(unit="Fictional Brigade")
    client.get(SEARCH, {"unit": "brigade"})
    with CaptureQueriesContext(connection) as one:
        client.get(SEARCH, {"unit": "brigade"})
    for _number in range(8):
        PrisonerFactory(unit="Fictional Brigade")
    with CaptureQueriesContext(connection) as nine:
        response = client.get(SEARCH, {"unit": "brigade"})

    assert response.json()["count"] == 9
    assert len(nine) == len(one)


def test_a_caseworker_records_a_submission(carol, prisoner):
    data = {"authority": "icrc", "channel": "portal", "submitted_on": TODAY, "acknowledgement_due_on": days(14)}

    response = _client(carol).post(reverse("staff_api:submission_create", args=[prisoner.pk]), data, format="json")

    assert response.status_code == 201
    body = response.json()
    assert (body["stage"], body["due_on"], body["is_overdue"]) == ("submitted", days(14).isoformat(), False)
    assert OfficialSubmission.objects.filter(prisoner=prisoner, authority="icrc").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"submitted_on": days(2), "acknowledgement_due_on": days(14)}, "submitted_on"),
        ({"submitted_on": TODAY, "acknowledgement_due_on": days(-1)}, "acknowledgement_due_on"),
        ({"submitted_on": TODAY}, "acknowledgement_due_on"),
        ({"submitted_on": TODAY, "acknowledgement_due_on": days(1), "prisoner": 5}, "prisoner"),
    ],
)
def test_it_refuses_a_submission_with_bad_input(carol, prisoner, data, field):
    before = state()

    response = _client(carol).post(
        reverse("staff_api:submission_create", args=[prisoner.pk]),
        {"authority": "icrc", "channel": "email", **data},
        format="json",
    )

    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"]
    assert state() == before


def test_it_refuses_a_second_open_submission_to_one_authority(carol, sent, prisoner):
    before = state()
    data = {"authority": "national", "channel": "email", "submitted_on": TODAY, "acknowledgement_due_on": days(3)}

    with translation.override("en"):
        response = _client(carol).post(reverse("staff_api:submission_create", args=[prisoner.pk]), data, format="json")

    assert response.status_code == 400
    assert "already waiting for an answer from this authority" in str(response.json())
    assert state() == before


def test_a_caseworker_records_the_answers_and_the_case_is_registered(carol, sent, prisoner):
    client = _client(carol)

    acknowledged = client.post(
        reverse("staff_api:submission_acknowledge", args=[sent.pk]),
        {"acknowledged_on": days(-10), "confirmation_due_on": days(20), "reference": "NIB/2026/17", "version": 1},
        format="json",
    )
    confirmed = client.post(
        reverse("staff_api:submission_confirm", args=[sent.pk]), {"confirmed_on": TODAY, "version": 2}, format="json"
    )

    assert acknowledged.status_code == 200
    assert (acknowledged.json()["stage"], acknowledged.json()["reference"]) == ("acknowledged", "NIB/2026/17")
    assert confirmed.status_code == 200
    assert confirmed.json()["stage"] == "confirmed"
    prisoner.refresh_from_db()
    assert prisoner.status == CaseStatus.REGISTERED


@pytest.mark.parametrize(
    ("action", "data", "code"),
    [
        ("acknowledge", {"acknowledged_on": days(-30), "confirmation_due_on": days(20)}, "invalid"),
        ("acknowledge", {"acknowledged_on": TODAY}, "invalid"),
        ("acknowledge", {"acknowledged_on": TODAY, "confirmation_due_on": days(20), "version": 7}, "stale"),
        ("confirm", {"confirmed_on": days(1)}, "invalid"),
        ("confirm", {"confirmed_on": "yesterday"}, "invalid"),
    ],
)
def test_it_refuses_an_impossible_answer(carol, sent, action, data, code):
    before = state()

    response = _client(carol).post(reverse(f"staff_api:submission_{action}", args=[sent.pk]), data, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert state() == before


def test_it_refuses_to_confirm_twice(carol, sent):
    client = _client(carol)
    client.post(reverse("staff_api:submission_confirm", args=[sent.pk]), {"confirmed_on": TODAY}, format="json")
    before = state()

    response = client.post(
        reverse("staff_api:submission_confirm", args=[sent.pk]), {"confirmed_on": TODAY}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (400, "already_answered")
    assert state() == before


def test_it_lists_the_overdue_submissions(ada, sent, carol):
    official_submission_create(
        prisoner=PrisonerFactory(surname="Ontimov", given_names="Petro"),
        actor=carol,
        data={"authority": "icrc", "channel": "email", "submitted_on": TODAY, "acknowledgement_due_on": days(14)},
    )

    response = _client(ada).get(OVERDUE)

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert (row["id"], row["deadline"], row["days_overdue"]) == (sent.pk, days(-6).isoformat(), 6)
    assert row["prisoner"] == {"id": sent.prisoner_id, "full_name": "Чистяков Николай", "status": "reported"}


def test_the_overdue_list_runs_the_same_queries_for_one_or_many(cole, carol, sent):
    client = _client(cole)
    client.get(OVERDUE)
    with CaptureQueriesContext(connection) as one:
        client.get(OVERDUE)
    for _number in range(4):
        official_submission_create(
            prisoner=PrisonerFactory(),
            actor=carol,
            data={
                "authority": "icrc",
                "channel": "email",
                "submitted_on": days(-9),
                "acknowledgement_due_on": days(-1),
            },
        )
    with CaptureQueriesContext(connection) as five:
        response = client.get(OVERDUE)

    assert response.json()["count"] == 5
    assert len(five) == len(one)


# From each side


def _endpoints(prisoner, submission) -> dict[str, tuple[str, str, dict]]:
    return {
        "search": ("get", SEARCH, {"surname": "Chistyakov", "given_name": "Nikolai"}),
        "overdue": ("get", OVERDUE, {}),
        "create": (
            "post",
            reverse("staff_api:submission_create", args=[prisoner.pk]),
            {"authority": "icrc", "channel": "email", "submitted_on": TODAY, "acknowledgement_due_on": days(1)},
        ),
        "acknowledge": (
            "post",
            reverse("staff_api:submission_acknowledge", args=[submission.pk]),
            {"acknowledged_on": TODAY, "confirmation_due_on": days(1)},
        ),
        "confirm": ("post", reverse("staff_api:submission_confirm", args=[submission.pk]), {"confirmed_on": TODAY}),
    }


READS = {"search", "overdue"}


@pytest.mark.parametrize("persona", [None, "olena", "ivan", "oscar", "cole", "ada"])
def test_each_endpoint_answers_each_side(request, sent, prisoner, persona):
    user = request.getfixturevalue(persona) if persona else None
    before = state()

    answers = {}
    for name, (method, url, data) in _endpoints(prisoner, sent).items():
        client = _client(user)
        answers[name] = client.get(url, data) if method == "get" else client.post(url, data, format="json")

    for name, response in answers.items():
        if persona is None:
            expected = 401
        elif persona in ("olena", "ivan", "oscar"):
            expected = 404
        else:
            expected = 200 if name in READS else 403
        assert response.status_code == expected, (name, response.status_code)
    assert state() == before
