"""A caseworker reviews one registration request: /staff/requests/<reference>/ and its actions."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from PIL import Image
from rest_framework.test import APIClient

from core.models import AuditEvent
from core.roles import Role
from families.models import (
    MessageDirection,
    RegistrationRequest,
    Relationship,
    RequestMessage,
    RequestStatus,
    RequestStatusChange,
)
from families.services import (
    registration_request_assign,
    registration_request_file,
    registration_request_set_status,
    relationship_create,
)
from prisoners.evidence import evidence_file_store, evidence_link_create
from prisoners.models import CaseStatus, MatchCandidate, Prisoner
from tests.factories import PartyFactory, PrisonerFactory, UserFactory, request_data

BORN = datetime.date(1995, 1, 9)


def _file(member, **data) -> RegistrationRequest:
    request, _code = registration_request_file(
        filed_by=member, actor=member.user, data=request_data(**data), consent=True
    )
    return request


def _png(name="passport.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _review(request: RegistrationRequest) -> str:
    return reverse("staff:request_review", args=[request.reference])


def _action(name: str, request: RegistrationRequest) -> str:
    return reverse(f"staff:request_{name}", args=[request.reference])


def _verify(relationship: Relationship) -> str:
    return reverse("staff:relationship_verify", args=[relationship.pk])


def _snapshot(request: RegistrationRequest) -> tuple:
    """What an action changes: compared before and after a refused one."""
    request.refresh_from_db()
    return (
        request.status,
        request.version,
        request.prisoner_id,
        request.duplicate_of_id,
        request.rejection_reason,
        RequestStatusChange.objects.filter(request=request).count(),
        RequestMessage.objects.filter(request=request).count(),
        Prisoner.objects.count(),
        Relationship.objects.count(),
    )


@pytest.fixture
def filed(olena) -> RegistrationRequest:
    """Olena's request for her son, as she filed it."""
    return _file(olena, unit="Fictional Brigade 12", date_of_birth=BORN, circumstances="Last call from the front.")


@pytest.fixture
def in_review(filed, carol) -> RegistrationRequest:
    registration_request_set_status(request=filed, new_status=RequestStatus.IN_REVIEW, actor=carol)
    filed.refresh_from_db()
    return filed


@pytest.fixture
def son(db) -> Prisoner:
    """The record of the man Olena is looking for, with a different date of birth on file."""
    return PrisonerFactory(
        surname="Ковальчук",
        given_names="Андрій",
        date_of_birth=datetime.date(1995, 1, 19),
        status=CaseStatus.REGISTERED,
    )


@pytest.fixture
def candidate(filed, son) -> MatchCandidate:
    return MatchCandidate.objects.create(
        request=filed, candidate=son, score=88, confidence="high", reasons=["unit: same or similar"]
    )


@pytest.fixture
def linked(in_review, son, carol, client) -> RegistrationRequest:
    """Olena's request, linked to her son's record through the page."""
    client.force_login(carol)
    client.post(_action("link", in_review), {"version": in_review.version, "prisoner": son.pk})
    in_review.refresh_from_db()
    assert in_review.status == RequestStatus.ACCEPTED
    return in_review


# The page


def test_it_shows_the_request_beside_its_candidates(client, carol, filed, candidate, son):
    link = evidence_link_create(url="https://video.example.test/captivity", actor=filed.filed_by.user)
    photo = evidence_file_store(upload=_png(), actor=filed.filed_by.user)
    filed.evidence.add(link, photo)
    client.force_login(carol)

    response = client.get(_review(filed))

    assert response.status_code == 200
    text = response.text
    assert filed.reference in text
    assert "Fictional Brigade 12" in text
    assert "Last call from the front." in text
    assert "Ukrainian" in text
    assert "https://video.example.test/captivity" in text
    assert reverse("prisoners:evidence_file", args=[photo.pk]) in text
    assert "passport.png" in text
    assert reverse("staff:prisoner_detail", args=[son.pk]) in text
    assert "unit: same or similar" in text
    [reviewed] = response.context["candidates"]
    differing = [row.label for row in reviewed.comparison if row.differs]
    assert differing == ["date of birth"]
    assert 'class="differs"' in text


def test_it_shows_the_reasons_in_the_readers_language(client, carol, filed, candidate):
    client.force_login(carol)

    with translation.override("en"):
        response = client.get(_review(filed), HTTP_ACCEPT_LANGUAGE="uk")

    assert "військова частина: та сама або схожа" in response.text


def test_it_shows_the_timeline_with_who_did_what(client, carol, filed):
    casey = UserFactory(username="casey", first_name="Casey", last_name="Worker", role=Role.CASEWORKER)
    registration_request_assign(request=filed, assignee=casey, actor=carol)
    registration_request_set_status(request=filed, new_status=RequestStatus.IN_REVIEW, actor=carol)
    registration_request_set_status(
        request=filed, new_status=RequestStatus.INFO_REQUESTED, actor=carol, reason="Which unit was he in?"
    )
    client.force_login(carol)

    response = client.get(_review(filed))

    timeline = response.context["timeline"]
    kinds = [entry.kind for entry in timeline]
    assert kinds.count("status") == 3
    assert kinds.count("message") == 1
    assert [entry.text for entry in timeline if entry.kind == "event" and entry.title == "Assigned"] == [
        "To Casey Worker."
    ]
    assert "In review → More information requested" in response.text
    assert "Which unit was he in?" in response.text


def test_it_is_a_404_for_a_reference_that_does_not_exist(client, carol):
    client.force_login(carol)

    assert client.get(reverse("staff:request_review", args=["HC-2026-999999"])).status_code == 404


def test_it_reads_a_request_in_a_constant_number_of_queries(client, carol, olena):
    def queries_for(request) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_review(request)).status_code == 200
        return len(queries)

    def grown(request, size: int) -> RegistrationRequest:
        registration_request_assign(request=request, assignee=carol, actor=carol)
        registration_request_set_status(request=request, new_status=RequestStatus.IN_REVIEW, actor=carol)
        for number in range(size):
            request.evidence.add(evidence_link_create(url=f"https://video.example.test/{number}", actor=carol))
            MatchCandidate.objects.create(
                request=request, candidate=PrisonerFactory(), score=90 - number, confidence="high", reasons=["x"]
            )
            message = RequestMessage.objects.create(
                request=request, direction=MessageDirection.FROM_FAMILY, author=olena.user, body=f"Answer {number}"
            )
            message.evidence.add(evidence_link_create(url=f"https://photo.example.test/{number}", actor=carol))
        return request

    client.force_login(carol)
    small = queries_for(grown(_file(olena), 1))

    assert queries_for(grown(_file(olena, surname="Мельник"), 12)) == small


# Start the review


def test_it_starts_the_review(client, carol, filed):
    client.force_login(carol)

    response = client.post(_action("start_review", filed), {"version": filed.version})

    assert response.status_code == 302
    assert response.url == _review(filed)
    filed.refresh_from_db()
    assert filed.status == RequestStatus.IN_REVIEW
    assert client.get(response.url).context["messages"]


def test_it_refuses_to_start_a_review_already_started(client, carol, in_review):
    client.force_login(carol)
    before = _snapshot(in_review)

    response = client.post(_action("start_review", in_review), {"version": in_review.version})

    assert response.status_code == 400
    assert _snapshot(in_review) == before


def test_it_refuses_a_decision_taken_on_a_stale_page(client, carol, filed):
    client.force_login(carol)
    seen = filed.version
    registration_request_set_status(request=filed, new_status=RequestStatus.IN_REVIEW, actor=UserFactory())
    before = _snapshot(filed)

    response = client.post(_action("reject", filed), {"version": seen, "reason": "No such person."})

    assert response.status_code == 400
    assert "Someone else changed this record" in response.text
    assert _snapshot(filed) == before


# Link to a record on file


def test_it_links_the_request_to_a_candidate(client, carol, in_review, candidate, son):
    client.force_login(carol)

    response = client.post(_action("link", in_review), {"version": in_review.version, "prisoner": son.pk})

    assert response.status_code == 302
    in_review.refresh_from_db()
    assert (in_review.status, in_review.prisoner) == (RequestStatus.ACCEPTED, son)
    candidate.refresh_from_db()
    assert candidate.decision == "same"
    relationship = Relationship.objects.get(family_member=in_review.filed_by, prisoner=son)
    assert relationship.verified_at is None


def test_it_links_a_submitted_request_by_record_id(client, carol, filed, son):
    client.force_login(carol)

    client.post(_action("link", filed), {"version": filed.version, "prisoner": str(son.pk), "reason": "Same unit."})

    filed.refresh_from_db()
    assert (filed.status, filed.prisoner) == (RequestStatus.ACCEPTED, son)


@pytest.mark.parametrize(
    ("prisoner", "message"), [("999999", "There is no record with this id."), ("", "Enter the id")]
)
def test_it_refuses_to_link_to_a_record_that_does_not_exist(client, carol, in_review, prisoner, message):
    client.force_login(carol)
    before = _snapshot(in_review)

    response = client.post(_action("link", in_review), {"version": in_review.version, "prisoner": prisoner})

    assert response.status_code == 400
    assert message in response.text
    assert _snapshot(in_review) == before


def test_it_refuses_to_link_a_request_to_its_record_twice(client, carol, linked, son):
    before = _snapshot(linked)

    response = client.post(_action("link", linked), {"version": linked.version, "prisoner": son.pk})

    assert response.status_code == 400
    assert "is already linked to this record" in response.text
    assert _snapshot(linked) == before


def test_it_refuses_to_link_to_a_merged_record(client, carol, in_review, son):
    merged = PrisonerFactory(status=CaseStatus.MERGED, merged_into=son)
    client.force_login(carol)
    before = _snapshot(in_review)

    response = client.post(_action("link", in_review), {"version": in_review.version, "prisoner": merged.pk})

    assert response.status_code == 400
    assert "link the request to the surviving record" in response.text
    assert _snapshot(in_review) == before


# Open a new record


def test_it_opens_a_record_from_the_request(client, carol, in_review):
    party = PartyFactory(code="own", name="Fictional Republic")
    client.force_login(carol)

    response = client.post(_action("create_prisoner", in_review), {"version": in_review.version, "party": party.pk})

    assert response.status_code == 302
    in_review.refresh_from_db()
    prisoner = in_review.prisoner
    assert (prisoner.surname, prisoner.date_of_birth, prisoner.party) == ("Ковальчук", BORN, party)
    assert in_review.status == RequestStatus.ACCEPTED


def test_it_asks_for_the_forces_when_the_family_did_not_say(client, carol, in_review):
    PartyFactory(code="own", name="Fictional Republic")
    client.force_login(carol)
    before = _snapshot(in_review)

    response = client.post(_action("create_prisoner", in_review), {"version": in_review.version})

    assert response.status_code == 400
    assert "Choose the forces he serves in" in response.text
    assert _snapshot(in_review) == before


def test_it_takes_the_forces_the_family_named(client, carol, olena):
    party = PartyFactory(code="own", name="Fictional Republic")
    request = _file(olena, party=party)
    client.force_login(carol)

    page = client.get(_review(request))
    response = client.post(_action("create_prisoner", request), {"version": request.version})

    assert "He serves in the forces of Fictional Republic" in page.text
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.prisoner.party == party


# Ask the family


def test_it_offers_a_question_in_the_familys_language(client, carol, in_review):
    client.force_login(carol)

    response = client.get(_review(in_review))

    assert "The family reads Ukrainian" in response.text
    assert response.context["forms"]["ask"].initial["reason"].startswith("Дякуємо за вашу заявку.")


def test_it_asks_the_family_for_more_information(client, carol, in_review):
    client.force_login(carol)

    response = client.post(
        _action("ask", in_review), {"version": in_review.version, "reason": "В якій частині він служив?"}
    )

    assert response.status_code == 302
    in_review.refresh_from_db()
    assert in_review.status == RequestStatus.INFO_REQUESTED
    message = RequestMessage.objects.get(request=in_review)
    assert (message.direction, message.body, message.author) == ("to_family", "В якій частині він служив?", carol)


def test_it_refuses_an_empty_question(client, carol, in_review):
    client.force_login(carol)
    before = _snapshot(in_review)

    response = client.post(_action("ask", in_review), {"version": in_review.version, "reason": "  "})

    assert response.status_code == 400
    assert "Tell the family what information is needed." in response.text
    assert _snapshot(in_review) == before


def test_it_refuses_to_ask_before_the_review_has_started(client, carol, filed):
    client.force_login(carol)
    before = _snapshot(filed)

    response = client.post(_action("ask", filed), {"version": filed.version, "reason": "Which unit?"})

    assert response.status_code == 400
    assert _snapshot(filed) == before


# Reject


def test_it_rejects_with_a_reason_the_family_reads(client, carol, in_review):
    client.force_login(carol)

    response = client.post(_action("reject", in_review), {"version": in_review.version, "reason": "Not a soldier."})

    assert response.status_code == 302
    in_review.refresh_from_db()
    assert (in_review.status, in_review.rejection_reason) == (RequestStatus.REJECTED, "Not a soldier.")


def test_it_refuses_to_reject_without_a_reason(client, carol, in_review):
    client.force_login(carol)
    before = _snapshot(in_review)

    response = client.post(_action("reject", in_review), {"version": in_review.version, "reason": ""})

    assert response.status_code == 400
    assert "Tell the family why the request is rejected." in response.text
    assert _snapshot(in_review) == before


def test_it_refuses_to_reject_a_closed_request(client, carol, linked):
    before = _snapshot(linked)

    response = client.post(_action("reject", linked), {"version": linked.version, "reason": "Changed my mind."})

    assert response.status_code == 400
    assert _snapshot(linked) == before


# Duplicates


def test_it_marks_a_request_as_a_duplicate_of_another(client, carol, olena, filed):
    second = _file(olena)
    client.force_login(carol)

    response = client.post(
        _action("duplicate", second), {"version": second.version, "original": filed.reference.lower()}
    )

    assert response.status_code == 302
    second.refresh_from_db()
    assert (second.status, second.duplicate_of) == (RequestStatus.REJECTED, filed)
    assert filed.reference in second.rejection_reason
    assert AuditEvent.objects.filter(action="request.marked_duplicate").count() == 1
    assert "Marked as a duplicate" in client.get(_review(second)).text


@pytest.mark.parametrize(
    ("original", "message"),
    [
        ("HC-2026-999999", "There is no request HC-2026-999999."),
        ("12345", "A reference looks like HC-2026-000123."),
        ("", "Enter the reference of the other request."),
    ],
)
def test_it_refuses_a_duplicate_of_a_request_that_does_not_exist(client, carol, filed, original, message):
    client.force_login(carol)
    before = _snapshot(filed)

    response = client.post(_action("duplicate", filed), {"version": filed.version, "original": original})

    assert response.status_code == 400
    assert message in response.text
    assert _snapshot(filed) == before


def test_it_refuses_a_duplicate_of_itself(client, carol, filed):
    client.force_login(carol)
    before = _snapshot(filed)

    response = client.post(_action("duplicate", filed), {"version": filed.version, "original": filed.reference})

    assert response.status_code == 400
    assert "A request cannot duplicate itself" in response.text
    assert _snapshot(filed) == before


# The family's relationship


def test_it_verifies_the_relationship_once_linked(client, carol, linked, django_capture_on_commit_callbacks):
    relationship = Relationship.objects.get(prisoner=linked.prisoner)
    page = client.get(_review(linked))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_verify(relationship), {"reason": "Birth certificate seen."})

    assert "Not verified yet" in page.text
    assert _verify(relationship) in page.text
    assert response.status_code == 302
    assert response.url == _review(linked)
    relationship.refresh_from_db()
    assert (relationship.verified_by, relationship.is_verified) == (carol, True)
    assert AuditEvent.objects.get(action="relationship.verified").reason == "Birth certificate seen."


def test_it_refuses_to_verify_without_saying_how(client, carol, linked):
    relationship = Relationship.objects.get(prisoner=linked.prisoner)

    response = client.post(_verify(relationship), {"reason": ""})

    assert response.status_code == 400
    assert "Say how the relationship was verified." in response.text
    relationship.refresh_from_db()
    assert relationship.verified_at is None


def test_it_refuses_to_verify_twice(client, carol, linked):
    relationship = Relationship.objects.get(prisoner=linked.prisoner)
    client.post(_verify(relationship), {"reason": "Birth certificate seen."})
    relationship.refresh_from_db()
    verified_at = relationship.verified_at

    response = client.post(_verify(relationship), {"reason": "Again."})

    assert response.status_code == 400
    assert "already verified" in response.text
    relationship.refresh_from_db()
    assert relationship.verified_at == verified_at


def test_it_verifies_a_tie_made_without_a_request_from_the_record(client, carol, olena, son):
    relationship = relationship_create(family_member=olena, prisoner=son, kind="mother", actor=carol)
    client.force_login(carol)

    response = client.post(_verify(relationship), {"reason": "Confirmed by phone."})

    assert response.url == reverse("staff:prisoner_detail", args=[son.pk])
    relationship.refresh_from_db()
    assert relationship.is_verified


def test_the_family_sees_his_status_only_once_verified(
    client, carol, olena, linked, django_capture_on_commit_callbacks
):
    relationship = Relationship.objects.get(prisoner=linked.prisoner)
    family_page = reverse("families:request_detail", args=[linked.reference])
    client.force_login(olena.user)
    before = client.get(family_page)

    client.force_login(carol)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_verify(relationship), {"reason": "Birth certificate seen."})
    client.force_login(olena.user)
    after = client.get(family_page)

    assert "Registered as a prisoner of war" not in before.text
    assert "Registered as a prisoner of war" in after.text


# Who may do what


ACTIONS = ["assign", "start_review", "link", "create_prisoner", "ask", "reject", "duplicate"]


def test_it_asks_a_visitor_to_sign_in(client, filed):
    assert client.get(_review(filed)).status_code == 401
    for name in ACTIONS:
        assert client.post(_action(name, filed), {"version": filed.version}).status_code == 401


@pytest.mark.parametrize("persona", ["olena", "ivan", "oscar"])
def test_it_does_not_exist_for_families_and_outsiders(request, client, filed, son, persona):
    user = request.getfixturevalue(persona)
    relationship = relationship_create(family_member=filed.filed_by, prisoner=son, kind="mother", actor=None)
    client.force_login(getattr(user, "user", user))
    before = _snapshot(filed)

    assert client.get(_review(filed)).status_code == 404
    for name in ACTIONS:
        assert client.post(_action(name, filed), {"version": filed.version, "reason": "x"}).status_code == 404
    assert client.post(_verify(relationship), {"reason": "x"}).status_code == 404
    assert _snapshot(filed) == before


@pytest.mark.parametrize("persona", ["cole", "ada"])
def test_other_staff_read_but_do_not_act(request, client, filed, candidate, son, persona):
    relationship = relationship_create(family_member=filed.filed_by, prisoner=son, kind="mother", actor=None)
    client.force_login(request.getfixturevalue(persona))
    before = _snapshot(filed)

    page = client.get(_review(filed))

    assert page.status_code == 200
    assert page.context["forms"] == {}
    assert 'method="post" action="/staff/requests/' not in page.text
    for name in ACTIONS:
        response = client.post(_action(name, filed), {"version": filed.version, "reason": "x", "prisoner": son.pk})
        assert response.status_code == 403
    assert client.post(_verify(relationship), {"reason": "x"}).status_code == 403
    assert _snapshot(filed) == before
    relationship.refresh_from_db()
    assert relationship.verified_at is None


def test_it_records_every_staff_read_of_a_request_in_the_audit_trail(client, carol, olena):
    request = _file(olena)
    client.force_login(carol)
    api = APIClient()
    api.force_login(carol)

    assert client.get(_review(request)).status_code == 200
    assert api.get(reverse("staff_api:request_detail", args=[request.reference])).status_code == 200

    reads = AuditEvent.objects.filter(action="request.viewed", target_id=str(request.pk))
    assert [event.actor_label for event in reads] == [f"user:{carol.pk}"] * 2
