"""The caseworkers' queue of open registration requests: /staff/requests/, and assigning from it."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from core.roles import Role
from families.models import Language, RegistrationRequest, RequestStatus
from families.staff_selectors import requests_overdue, requests_overdue_count
from prisoners.models import Evidence, EvidenceKind, MatchCandidate, MatchDecision
from tests.factories import PrisonerFactory, RegistrationRequestFactory, UserFactory

QUEUE = reverse("staff:request_queue")


def _waiting(days: float, **fields) -> RegistrationRequest:
    """An open request whose status last changed ``days`` ago."""
    return RegistrationRequestFactory(status_changed_at=timezone.now() - datetime.timedelta(days=days), **fields)


def _assign(request: RegistrationRequest) -> str:
    return reverse("staff:request_assign", args=[request.reference])


def _rows(response) -> list[str]:
    return [row.reference for row in response.context["page"].object_list]


def _with_evidence(request: RegistrationRequest, count: int = 1) -> RegistrationRequest:
    for number in range(count):
        request.evidence.add(
            Evidence.objects.create(kind=EvidenceKind.LINK, url=f"https://video.example.test/{request.pk}/{number}")
        )
    return request


def _candidate(request: RegistrationRequest, *, score: int, confidence: str, **fields) -> MatchCandidate:
    return MatchCandidate.objects.create(
        request=request, candidate=PrisonerFactory(), score=score, confidence=confidence, reasons=[], **fields
    )


# What the queue shows


def test_it_lists_open_requests_longest_waiting_first(client, carol):
    recent = _waiting(1)
    oldest = _waiting(20, status=RequestStatus.IN_REVIEW)
    middle = _waiting(5, status=RequestStatus.INFO_REQUESTED)
    _waiting(30, status=RequestStatus.WITHDRAWN)
    client.force_login(carol)

    response = client.get(QUEUE)

    assert response.status_code == 200
    assert _rows(response) == [oldest.reference, middle.reference, recent.reference]


def test_it_lists_the_newest_first_when_asked(client, carol):
    recent, oldest = _waiting(1), _waiting(20)
    client.force_login(carol)

    response = client.get(QUEUE, {"order": "newest"})

    assert _rows(response) == [recent.reference, oldest.reference]


def test_it_shows_what_a_caseworker_needs_to_pick_a_request(client, carol, settings):
    settings.REQUEST_REVIEW_DAYS = 7
    colleague = UserFactory(username="casey", first_name="Casey", last_name="Worker", role=Role.CASEWORKER)
    request = _waiting(9, surname="Testenko", given_names="Petro", language=Language.RUSSIAN, assigned_to=colleague)
    _with_evidence(request, 2)
    _candidate(request, score=91, confidence="high")
    _candidate(request, score=97, confidence="high", decision=MatchDecision.DIFFERENT, decided_at=timezone.now())
    client.force_login(carol)

    response = client.get(QUEUE)

    text = response.text
    [row] = response.context["page"].object_list
    assert (row.evidence_count, row.best_score, row.best_confidence, row.is_overdue) == (2, 91, "high", True)
    assert row.waiting.days == 9
    assert request.reference in text
    assert reverse("staff:request_review", args=[request.reference]) in text
    assert "Testenko Petro" in text
    assert "Russian" in text
    assert "9 days" in text
    assert "Overdue" in text
    assert "Casey Worker" in text
    assert "(91)" in text


def test_it_does_not_call_a_request_waiting_on_the_family_overdue(client, carol, settings):
    settings.REQUEST_REVIEW_DAYS = 7
    _waiting(30, status=RequestStatus.INFO_REQUESTED)
    client.force_login(carol)

    response = client.get(QUEUE)

    [row] = response.context["page"].object_list
    assert row.is_overdue is False
    assert "overdue-badge" not in response.text


def test_it_shows_an_empty_queue(client, carol):
    client.force_login(carol)

    response = client.get(QUEUE)

    assert "No open request matches these filters." in response.text


def test_it_shows_fifty_requests_a_page(client, carol):
    requests = [_waiting(60 - number) for number in range(51)]
    client.force_login(carol)

    first = client.get(QUEUE)
    second = client.get(QUEUE, {"page": 2})

    assert len(_rows(first)) == 50
    assert _rows(second) == [requests[-1].reference]
    assert "Page 1 of 2" in first.text


def test_it_reads_the_queue_in_a_constant_number_of_queries(client, carol):
    def queries_for_queue() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(QUEUE).status_code == 200
        return len(queries)

    client.force_login(carol)
    colleague = UserFactory(role=Role.CASEWORKER)
    _candidate(_with_evidence(_waiting(3, assigned_to=colleague)), score=80, confidence="medium")
    one = queries_for_queue()
    for days in range(19):
        _candidate(_with_evidence(_waiting(days, assigned_to=colleague), 2), score=70, confidence="medium")

    assert queries_for_queue() == one


# Filters


@pytest.fixture
def mixed(carol):
    """Requests that each filter tells apart."""
    casey = UserFactory(username="casey", role=Role.CASEWORKER)
    return {
        "mine": _waiting(10, assigned_to=carol, language=Language.ENGLISH),
        "caseys": _waiting(2, assigned_to=casey, status=RequestStatus.IN_REVIEW, language=Language.RUSSIAN),
        "nobodys": _with_evidence(_waiting(1, status=RequestStatus.INFO_REQUESTED, language=Language.UKRAINIAN)),
        "casey": casey,
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": ["in_review", "info_requested"]}, ["caseys", "nobodys"]),
        ({"waiting_days": "5"}, ["mine"]),
        ({"overdue": "on"}, ["mine"]),
        ({"assignee": "me"}, ["mine"]),
        ({"assignee": "none"}, ["nobodys"]),
        ({"has_evidence": "true"}, ["nobodys"]),
        ({"has_evidence": "false"}, ["mine", "caseys"]),
        ({"language": "ru"}, ["caseys"]),
        ({"assignee": "none", "language": "en"}, []),
    ],
)
def test_it_filters_the_queue(client, carol, mixed, settings, params, expected):
    settings.REQUEST_REVIEW_DAYS = 7
    client.force_login(carol)

    response = client.get(QUEUE, params)

    assert response.status_code == 200
    assert _rows(response) == [mixed[name].reference for name in expected]


def test_it_filters_by_a_colleague(client, carol, mixed):
    client.force_login(carol)

    response = client.get(QUEUE, {"assignee": str(mixed["casey"].pk)})

    assert _rows(response) == [mixed["caseys"].reference]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"status": "accepted"}, "status"), ({"waiting_days": "soon"}, "waiting_days"), ({"assignee": "ada"}, "assignee")],
)
def test_it_explains_a_filter_it_cannot_use(client, carol, params, field):
    client.force_login(carol)

    response = client.get(QUEUE, params)

    assert response.status_code == 400
    assert response.context["queue"].form.errors[field]


# Overdue, for the workspace's home page


def test_it_counts_the_requests_overdue(db, settings):
    settings.REQUEST_REVIEW_DAYS = 7
    overdue = [_waiting(8), _waiting(30, status=RequestStatus.IN_REVIEW)]
    _waiting(6)
    _waiting(30, status=RequestStatus.INFO_REQUESTED)
    _waiting(30, status=RequestStatus.REJECTED, rejection_reason="Filed twice.")

    assert requests_overdue_count() == 2
    assert list(requests_overdue()) == [overdue[1], overdue[0]]


# Assigning from the queue


def test_it_assigns_a_request_to_oneself_and_goes_back_to_the_queue(client, carol):
    request = _waiting(3)
    client.force_login(carol)
    back = f"{QUEUE}?order=newest"

    response = client.post(_assign(request), {"assignee": carol.pk, "next": back})

    assert response.status_code == 302
    assert response.url == back
    request.refresh_from_db()
    assert request.assigned_to == carol
    event = AuditEvent.objects.get(action="request.assigned")
    assert (event.actor, event.changes["assigned_to"]["new"]) == (carol, carol.pk)


def test_it_assigns_a_request_to_a_colleague_and_back_to_nobody(client, carol):
    casey = UserFactory(role=Role.CASEWORKER)
    request = _waiting(3)
    client.force_login(carol)

    client.post(_assign(request), {"assignee": casey.pk})
    request.refresh_from_db()
    assert request.assigned_to == casey

    response = client.post(_assign(request), {"assignee": ""})

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.assigned_to is None


def test_it_does_not_follow_a_next_address_off_the_site(client, carol):
    request = _waiting(3)
    client.force_login(carol)

    response = client.post(_assign(request), {"assignee": carol.pk, "next": "https://evil.example.test/"})

    assert response.url == reverse("staff:request_review", args=[request.reference])


def test_it_offers_the_caseworkers_in_each_row(client, carol):
    UserFactory(username="casey", first_name="Casey", role=Role.CASEWORKER)
    UserFactory(username="colin", first_name="Colin", role=Role.COORDINATOR)
    _waiting(3)
    client.force_login(carol)

    response = client.get(QUEUE)

    assert {user.username for user in response.context["caseworkers"]} == {"carol", "casey"}
    assert ">Casey<" in response.text
    assert ">Colin<" not in response.text


@pytest.mark.parametrize(
    "assignee",
    ["coordinator", "unknown"],
)
def test_it_refuses_to_assign_to_anyone_but_a_caseworker(client, carol, cole, assignee):
    request = _waiting(3)
    client.force_login(carol)

    response = client.post(_assign(request), {"assignee": cole.pk if assignee == "coordinator" else 999_999})

    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    request.refresh_from_db()
    assert request.assigned_to is None
    assert not AuditEvent.objects.filter(action="request.assigned").exists()


def test_it_refuses_to_assign_a_closed_request(client, carol):
    request = _waiting(3, status=RequestStatus.WITHDRAWN)
    client.force_login(carol)

    response = client.post(_assign(request), {"assignee": carol.pk})

    assert response.status_code == 400
    assert "Only an open request can be assigned." in response.text
    request.refresh_from_db()
    assert request.assigned_to is None


def test_it_refuses_an_assignment_that_changes_nothing(client, carol):
    request = _waiting(3, assigned_to=carol)
    client.force_login(carol)

    response = client.post(_assign(request), {"assignee": carol.pk})

    assert response.status_code == 400
    assert "already assigned" in response.text


# Who may come in


def test_it_asks_a_visitor_to_sign_in(client, db):
    assert client.get(QUEUE).status_code == 401


@pytest.mark.parametrize("persona", ["olena", "ivan", "oscar"])
def test_it_does_not_exist_for_families_and_outsiders(request, client, persona):
    user = request.getfixturevalue(persona)
    client.force_login(getattr(user, "user", user))

    assert client.get(QUEUE).status_code == 404


@pytest.mark.parametrize("persona", ["cole", "ada"])
def test_it_shows_the_queue_without_actions_to_other_staff(request, client, persona):
    client.force_login(request.getfixturevalue(persona))
    _waiting(3)

    response = client.get(QUEUE)

    assert response.status_code == 200
    assert 'name="assignee"' not in response.text.split("queue-table")[1]


@pytest.mark.parametrize("persona", [None, "olena", "ivan", "oscar", "cole", "ada"])
def test_only_a_caseworker_assigns(request, client, carol, persona):
    target = _waiting(3)
    if persona:
        user = request.getfixturevalue(persona)
        client.force_login(getattr(user, "user", user))

    response = client.post(_assign(target), {"assignee": carol.pk})

    expected = {None: 401, "olena": 404, "ivan": 404, "oscar": 404, "cole": 403, "ada": 403}[persona]
    assert response.status_code == expected
    target.refresh_from_db()
    assert target.assigned_to is None
