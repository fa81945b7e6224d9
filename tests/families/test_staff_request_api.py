"""The request workspace in the staff API, under /api/v1/staff/: the queue, a request, and each action."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.models import AuditEvent
from families.models import RegistrationRequest, Relationship, RequestMessage, RequestStatus
from families.services import registration_request_file, registration_request_set_status, relationship_create
from prisoners.evidence import evidence_link_create
from prisoners.models import MatchCandidate, Prisoner
from tests.factories import PartyFactory, PrisonerFactory, RegistrationRequestFactory, request_data

LIST = reverse("staff_api:request_list")
BORN = datetime.date(1995, 1, 9)


def _client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _url(name: str, request: RegistrationRequest) -> str:
    return reverse(f"staff_api:request_{name}", args=[request.reference])


def _verify(relationship: Relationship) -> str:
    return reverse("staff_api:relationship_verify", args=[relationship.pk])


def _file(member, **data) -> RegistrationRequest:
    request, _code = registration_request_file(
        filed_by=member, actor=member.user, data=request_data(**data), consent=True
    )
    return request


def _waiting(days: float, **fields) -> RegistrationRequest:
    return RegistrationRequestFactory(status_changed_at=timezone.now() - datetime.timedelta(days=days), **fields)


def _snapshot(request: RegistrationRequest) -> tuple:
    request.refresh_from_db()
    return (
        request.status,
        request.version,
        request.assigned_to_id,
        request.prisoner_id,
        request.duplicate_of_id,
        RequestMessage.objects.filter(request=request).count(),
        Prisoner.objects.count(),
    )


@pytest.fixture
def filed(olena) -> RegistrationRequest:
    return _file(olena, unit="Fictional Brigade 12", date_of_birth=BORN)


@pytest.fixture
def in_review(filed, carol) -> RegistrationRequest:
    registration_request_set_status(request=filed, new_status=RequestStatus.IN_REVIEW, actor=carol)
    filed.refresh_from_db()
    return filed


@pytest.fixture
def son(db) -> Prisoner:
    return PrisonerFactory(surname="Ковальчук", given_names="Андрій", date_of_birth=BORN)


# The queue


def test_it_lists_the_queue_longest_waiting_first(carol, settings):
    settings.REQUEST_REVIEW_DAYS = 7
    recent = _waiting(1)
    oldest = _waiting(10, assigned_to=carol)
    _waiting(30, status=RequestStatus.WITHDRAWN)

    response = _client(carol).get(LIST)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [row["reference"] for row in body["results"]] == [oldest.reference, recent.reference]
    row = body["results"][0]
    assert (row["waiting_days"], row["is_overdue"], row["evidence_count"], row["best_confidence"]) == (
        10,
        True,
        0,
        None,
    )
    assert row["assigned_to"] == {"id": carol.pk, "name": "carol"}


def test_it_filters_the_queue_as_the_page_does(carol):
    mine = _waiting(10, assigned_to=carol, status=RequestStatus.IN_REVIEW)
    _waiting(1)
    _waiting(3, status=RequestStatus.IN_REVIEW)

    response = _client(carol).get(LIST, {"assignee": "me", "status": ["in_review", "info_requested"]})

    assert [row["reference"] for row in response.json()["results"]] == [mine.reference]


def test_it_refuses_a_filter_it_does_not_know(carol):
    response = _client(carol).get(LIST, {"status": "accepted", "waiting_days": "soon"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()["fields"]) == {"status", "waiting_days"}


def test_it_pages_the_queue(carol):
    for days in range(51):
        _waiting(60 - days)

    response = _client(carol).get(LIST, {"page": 2})

    assert response.json()["count"] == 51
    assert len(response.json()["results"]) == 1


def test_it_lists_the_queue_in_a_constant_number_of_queries(carol):
    client = _client(carol)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured)

    _waiting(2, assigned_to=carol)
    one = queries()
    for days in range(19):
        request = _waiting(days, assigned_to=carol)
        request.evidence.add(evidence_link_create(url=f"https://video.example.test/{days}", actor=carol))
        MatchCandidate.objects.create(request=request, candidate=PrisonerFactory(), score=80, confidence="medium")

    assert queries() == one


# One request


def test_it_shows_a_request_with_candidates_evidence_and_timeline(carol, filed, son):
    MatchCandidate.objects.create(
        request=filed, candidate=son, score=95, confidence="high", reasons=["unit: same or similar"]
    )
    filed.evidence.add(evidence_link_create(url="https://video.example.test/1", actor=carol))

    with translation.override("en"):
        response = _client(carol).get(_url("detail", filed), HTTP_ACCEPT_LANGUAGE="uk")

    assert response.status_code == 200
    body = response.json()
    assert (body["reference"], body["version"], body["language"], body["unit"]) == (
        filed.reference,
        filed.version,
        "uk",
        "Fictional Brigade 12",
    )
    [candidate] = body["candidates"]
    assert (candidate["prisoner"], candidate["confidence"]) == (son.pk, "high")
    assert candidate["reasons"] == ["військова частина: та сама або схожа"]
    assert not any(row["differs"] for row in candidate["comparison"])
    assert body["evidence"][0]["url"] == "https://video.example.test/1"
    assert body["evidence"][0]["download_url"] is None
    assert [(entry["kind"], entry["title"]) for entry in body["timeline"]] == [("status", "Подано")]


def test_it_is_a_404_for_a_request_that_does_not_exist(carol):
    response = _client(carol).get(reverse("staff_api:request_detail", args=["HC-2026-999999"]))

    assert response.status_code == 404


# Actions


def test_it_assigns_a_request(carol, filed):
    response = _client(carol).post(_url("assign", filed), {"assignee": carol.pk}, format="json")

    assert response.status_code == 200
    assert response.json()["assigned_to"]["id"] == carol.pk
    assert response.json()["timeline"][-1]["title"] == "Assigned"


def test_it_refuses_to_assign_to_a_coordinator(carol, cole, filed):
    before = _snapshot(filed)

    response = _client(carol).post(_url("assign", filed), {"assignee": cole.pk}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "not_caseworker"
    assert _snapshot(filed) == before


def test_it_starts_the_review(carol, filed):
    response = _client(carol).post(_url("start_review", filed), {"version": filed.version}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "in_review"


def test_it_refuses_to_start_a_review_twice(carol, in_review):
    before = _snapshot(in_review)

    response = _client(carol).post(_url("start_review", in_review), {"version": in_review.version}, format="json")

    assert response.status_code == 400
    assert _snapshot(in_review) == before


def test_it_refuses_a_stale_version(carol, filed):
    before_version = filed.version
    registration_request_set_status(request=filed, new_status=RequestStatus.IN_REVIEW, actor=carol)
    before = _snapshot(filed)

    response = _client(carol).post(
        _url("reject", filed), {"version": before_version, "reason": "No such person."}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "stale"
    assert _snapshot(filed) == before


def test_it_links_a_request_to_a_record(carol, in_review, son):
    response = _client(carol).post(
        _url("link", in_review), {"version": in_review.version, "prisoner": son.pk}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["prisoner"]) == ("accepted", son.pk)
    [relationship] = body["relationships"]
    assert (relationship["filer_relationship"], relationship["verified_at"]) == ("mother", None)


@pytest.mark.parametrize("prisoner", [999_999, None, "one"])
def test_it_refuses_to_link_to_no_record(carol, in_review, prisoner):
    before = _snapshot(in_review)

    response = _client(carol).post(
        _url("link", in_review), {"version": in_review.version, "prisoner": prisoner}, format="json"
    )

    assert response.status_code == 400
    assert "prisoner" in response.json()["fields"]
    assert _snapshot(in_review) == before


def test_it_refuses_to_link_twice_to_the_same_record(carol, in_review, son):
    client = _client(carol)
    client.post(_url("link", in_review), {"version": in_review.version, "prisoner": son.pk}, format="json")
    before = _snapshot(in_review)

    response = client.post(_url("link", in_review), {"version": in_review.version, "prisoner": son.pk}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "already_linked"
    assert _snapshot(in_review) == before


def test_it_opens_a_record_from_a_request(carol, in_review):
    PartyFactory(code="own", name="Fictional Republic")

    response = _client(carol).post(
        _url("create_prisoner", in_review), {"version": in_review.version, "party": "own"}, format="json"
    )

    assert response.status_code == 201
    prisoner = Prisoner.objects.get(pk=response.json()["prisoner"])
    assert (prisoner.surname, prisoner.party.code) == ("Ковальчук", "own")


def test_it_needs_the_forces_to_open_a_record(carol, in_review):
    before = _snapshot(in_review)

    response = _client(carol).post(_url("create_prisoner", in_review), {"version": in_review.version}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "party_required"
    assert _snapshot(in_review) == before


def test_it_asks_the_family(carol, in_review):
    response = _client(carol).post(
        _url("ask", in_review), {"version": in_review.version, "reason": "В якій частині він служив?"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "info_requested"
    assert RequestMessage.objects.get(request=in_review).body == "В якій частині він служив?"


def test_it_refuses_an_empty_question(carol, in_review):
    before = _snapshot(in_review)

    response = _client(carol).post(_url("ask", in_review), {"version": in_review.version, "reason": ""}, format="json")

    assert response.status_code == 400
    assert "reason" in response.json()["fields"]
    assert _snapshot(in_review) == before


def test_it_rejects_a_request(carol, in_review):
    response = _client(carol).post(
        _url("reject", in_review), {"version": in_review.version, "reason": "Not a soldier."}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["rejection_reason"]) == ("rejected", "Not a soldier.")


def test_it_refuses_to_reject_a_submitted_request(carol, filed):
    before = _snapshot(filed)

    response = _client(carol).post(_url("reject", filed), {"version": filed.version, "reason": "No."}, format="json")

    assert response.status_code == 400
    assert _snapshot(filed) == before


def test_it_marks_a_duplicate(carol, olena, filed):
    second = _file(olena)

    response = _client(carol).post(
        _url("duplicate", second), {"version": second.version, "original": filed.reference}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["duplicate_of"]) == ("rejected", filed.reference)


@pytest.mark.parametrize("original", ["self", "HC-2026-999999"])
def test_it_refuses_a_duplicate_of_itself_or_of_nothing(carol, filed, original):
    before = _snapshot(filed)

    response = _client(carol).post(
        _url("duplicate", filed),
        {"version": filed.version, "original": filed.reference if original == "self" else original},
        format="json",
    )

    assert response.status_code == 400
    assert "original" in response.json()["fields"]
    assert _snapshot(filed) == before


def test_it_verifies_a_relationship(carol, in_review, son):
    client = _client(carol)
    client.post(_url("link", in_review), {"version": in_review.version, "prisoner": son.pk}, format="json")
    relationship = Relationship.objects.get(prisoner=son)

    response = client.post(_verify(relationship), {"reason": "Birth certificate seen."}, format="json")

    assert response.status_code == 200
    assert response.json()["verified_by"] == "carol"
    relationship.refresh_from_db()
    assert relationship.is_verified
    assert AuditEvent.objects.filter(action="relationship.verified").count() == 1


def test_it_refuses_to_verify_without_saying_how(carol, olena, son):
    relationship = relationship_create(family_member=olena, prisoner=son, kind="mother", actor=carol)

    response = _client(carol).post(_verify(relationship), {"reason": " "}, format="json")

    assert response.status_code == 400
    relationship.refresh_from_db()
    assert relationship.verified_at is None


# Who may do what


ACTIONS = ["assign", "start_review", "link", "create_prisoner", "ask", "reject", "duplicate"]


def test_it_asks_an_anonymous_client_to_authenticate(filed, son):
    relationship = relationship_create(family_member=filed.filed_by, prisoner=son, kind="mother", actor=None)
    client = APIClient()

    assert client.get(LIST).status_code == 401
    assert client.get(_url("detail", filed)).status_code == 401
    for name in ACTIONS:
        assert client.post(_url(name, filed), {}, format="json").status_code == 401
    assert client.post(_verify(relationship), {}, format="json").status_code == 401


@pytest.mark.parametrize("persona", ["olena", "ivan", "oscar"])
def test_it_does_not_exist_for_families_and_outsiders(request, persona, filed, son):
    user = request.getfixturevalue(persona)
    relationship = relationship_create(family_member=filed.filed_by, prisoner=son, kind="mother", actor=None)
    client = _client(getattr(user, "user", user))
    before = _snapshot(filed)

    assert client.get(LIST).status_code == 404
    assert client.get(_url("detail", filed)).status_code == 404
    for name in ACTIONS:
        assert client.post(_url(name, filed), {"version": filed.version}, format="json").status_code == 404
    assert client.post(_verify(relationship), {"reason": "x"}, format="json").status_code == 404
    assert _snapshot(filed) == before


@pytest.mark.parametrize("persona", ["cole", "ada"])
def test_other_staff_read_but_do_not_act(request, persona, filed, son):
    relationship = relationship_create(family_member=filed.filed_by, prisoner=son, kind="mother", actor=None)
    client = _client(request.getfixturevalue(persona))
    before = _snapshot(filed)

    assert client.get(LIST).status_code == 200
    assert client.get(_url("detail", filed)).status_code == 200
    for name in ACTIONS:
        payload = {"version": filed.version, "reason": "x", "prisoner": son.pk, "assignee": None}
        assert client.post(_url(name, filed), payload, format="json").status_code == 403
    assert client.post(_verify(relationship), {"reason": "x"}, format="json").status_code == 403
    assert _snapshot(filed) == before


def test_it_takes_a_caseworkers_token(carol, filed):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=carol)[0].key}")

    response = client.post(_url("start_review", filed), {"version": filed.version}, format="json")

    assert response.status_code == 200


def test_it_documents_every_endpoint(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    paths = json.loads(schema.content)["paths"]
    assert {
        "/api/v1/staff/requests/",
        "/api/v1/staff/requests/{reference}/",
        "/api/v1/staff/requests/{reference}/assign/",
        "/api/v1/staff/requests/{reference}/start-review/",
        "/api/v1/staff/requests/{reference}/link/",
        "/api/v1/staff/requests/{reference}/create-prisoner/",
        "/api/v1/staff/requests/{reference}/ask/",
        "/api/v1/staff/requests/{reference}/reject/",
        "/api/v1/staff/requests/{reference}/duplicate/",
        "/api/v1/staff/relationships/{id}/verify/",
    } <= paths.keys()
