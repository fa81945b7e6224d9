"""Filing and reviewing registration requests; relationships."""

import re

import pytest
from django.apps import apps
from django.contrib.auth.hashers import check_password
from django.core import serializers
from django.utils import timezone

from core.errors import DomainError
from core.models import AuditEvent
from families.models import (
    ReferenceCounter,
    RegistrationRequest,
    Relationship,
    RelationshipKind,
    RequestStatus,
    RequestStatusChange,
)
from families.services import (
    ACCESS_CODE_ALPHABET,
    registration_request_file,
    registration_request_set_status,
    relationship_create,
    relationship_verify,
)
from tests.factories import PrisonerFactory, request_data


def _file(olena, **overrides):
    return registration_request_file(filed_by=olena, actor=olena.user, data=request_data(**overrides), consent=True)


def _snapshot(request: RegistrationRequest) -> dict:
    return RegistrationRequest.objects.filter(pk=request.pk).values().get()


@pytest.fixture
def in_review(olena, carol):
    request, _code = _file(olena)
    registration_request_set_status(request=request, new_status=RequestStatus.IN_REVIEW, actor=carol)
    request.refresh_from_db()
    return request


@pytest.fixture
def relationship(olena, carol):
    return relationship_create(
        family_member=olena, prisoner=PrisonerFactory(), kind=RelationshipKind.MOTHER, actor=carol
    )


def test_it_files_a_request_with_a_reference_and_an_access_code(olena):
    request, access_code = _file(olena)

    request.refresh_from_db()
    assert re.fullmatch(rf"HC-{timezone.now().year}-\d{{6}}", request.reference)
    assert re.fullmatch(rf"[{ACCESS_CODE_ALPHABET}]{{4}}(-[{ACCESS_CODE_ALPHABET}]{{4}}){{2}}", access_code)
    assert check_password(access_code, request.access_code_hash)
    assert not check_password("AAAA-BBBB-CCCC", request.access_code_hash)
    assert request.status == RequestStatus.SUBMITTED
    assert request.filed_by == olena
    assert request.consent_given_at is not None
    change = request.status_changes.get()
    assert (change.old_status, change.new_status, change.actor) == ("", RequestStatus.SUBMITTED, olena.user)
    event = AuditEvent.objects.get(target_type="families.registrationrequest", target_id=str(request.pk))
    assert event.action == "request.filed"
    assert event.changes == {"reference": request.reference}


def test_it_numbers_references_in_sequence(olena, ivan):
    references = [_file(olena)[0].reference, _file(ivan)[0].reference, _file(olena)[0].reference]

    numbers = [int(reference.rsplit("-", 1)[1]) for reference in references]
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]
    assert ReferenceCounter.objects.get(year=timezone.now().year).last_number == numbers[-1]


def test_it_issues_a_different_access_code_each_time(olena):
    _first, first_code = _file(olena)
    second, second_code = _file(olena)

    assert first_code != second_code
    assert not check_password(first_code, second.access_code_hash)


def test_it_stores_the_access_code_nowhere_in_plain_text(olena):
    _request, access_code = _file(olena)

    for model in apps.get_models():
        dump = serializers.serialize("json", model._default_manager.all())
        assert access_code not in dump, model._meta.label
        assert access_code.replace("-", "") not in dump, model._meta.label


def test_it_refuses_a_request_without_consent(olena):
    with pytest.raises(DomainError) as refused:
        registration_request_file(filed_by=olena, actor=olena.user, data=request_data(), consent=False)

    assert refused.value.code == "consent_required"
    assert refused.value.fields["consent"]
    assert not RegistrationRequest.objects.exists()
    assert not RequestStatusChange.objects.exists()
    assert not ReferenceCounter.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"surname": ""}, "surname"), ({"filer_relationship": "neighbour"}, "filer_relationship")],
    ids=["empty-surname", "bad-relationship"],
)
def test_it_refuses_a_request_with_bad_input(olena, overrides, field):
    with pytest.raises(DomainError) as refused:
        _file(olena, **overrides)

    assert refused.value.code == "invalid"
    assert refused.value.fields[field]
    assert not RegistrationRequest.objects.exists()
    assert not ReferenceCounter.objects.exists()
    assert not AuditEvent.objects.exists()


def test_it_refuses_a_field_the_family_does_not_fill_in(olena):
    with pytest.raises(DomainError) as refused:
        _file(olena, status=RequestStatus.ACCEPTED)

    assert refused.value.code == "unknown_fields"
    assert not RegistrationRequest.objects.exists()


def test_it_accepts_a_request_by_linking_it_to_a_prisoner(in_review, carol):
    prisoner = PrisonerFactory()

    registration_request_set_status(
        request=in_review, new_status=RequestStatus.ACCEPTED, actor=carol, prisoner=prisoner
    )

    in_review.refresh_from_db()
    assert (in_review.status, in_review.prisoner) == (RequestStatus.ACCEPTED, prisoner)


def test_it_refuses_to_accept_without_a_prisoner(in_review, carol):
    before = _snapshot(in_review)
    events_before = AuditEvent.objects.count()

    with pytest.raises(DomainError) as refused:
        registration_request_set_status(request=in_review, new_status=RequestStatus.ACCEPTED, actor=carol)

    assert refused.value.code == "prisoner_required"
    assert refused.value.fields["prisoner"]
    assert _snapshot(in_review) == before
    assert in_review.status_changes.count() == 2
    assert AuditEvent.objects.count() == events_before


def test_it_refuses_a_prisoner_for_a_move_other_than_accepting(in_review, carol):
    before = _snapshot(in_review)

    with pytest.raises(DomainError) as refused:
        registration_request_set_status(
            request=in_review,
            new_status=RequestStatus.INFO_REQUESTED,
            actor=carol,
            reason="Send a photo",
            prisoner=PrisonerFactory(),
        )

    assert refused.value.code == "unexpected_prisoner"
    assert _snapshot(in_review) == before


def test_it_rejects_with_a_reason_the_family_reads(in_review, carol):
    registration_request_set_status(
        request=in_review, new_status=RequestStatus.REJECTED, actor=carol, reason="  No trace of service  "
    )

    in_review.refresh_from_db()
    assert in_review.status == RequestStatus.REJECTED
    assert in_review.rejection_reason == "No trace of service"


def test_it_reopens_a_rejected_request_and_keeps_the_old_reason_in_the_timeline(in_review, carol):
    registration_request_set_status(
        request=in_review, new_status=RequestStatus.REJECTED, actor=carol, reason="No trace of service"
    )

    registration_request_set_status(
        request=in_review, new_status=RequestStatus.IN_REVIEW, actor=carol, reason="New evidence from the family"
    )

    in_review.refresh_from_db()
    assert in_review.status == RequestStatus.IN_REVIEW
    assert in_review.rejection_reason == ""
    assert in_review.status_changes.filter(new_status=RequestStatus.REJECTED, reason="No trace of service").exists()


def test_it_refuses_to_reject_without_a_reason(in_review, carol):
    before = _snapshot(in_review)
    events_before = AuditEvent.objects.count()

    with pytest.raises(DomainError) as refused:
        registration_request_set_status(request=in_review, new_status=RequestStatus.REJECTED, actor=carol, reason=" ")

    assert refused.value.code == "reason_required"
    assert _snapshot(in_review) == before
    assert AuditEvent.objects.count() == events_before


def test_it_refuses_a_stale_status_change(in_review, carol):
    before = _snapshot(in_review)
    changes_before = RequestStatusChange.objects.count()
    events_before = AuditEvent.objects.count()

    with pytest.raises(DomainError) as refused:
        registration_request_set_status(
            request=in_review, new_status=RequestStatus.INFO_REQUESTED, actor=carol, reason="Send a photo", version=1
        )

    assert refused.value.code == "stale"
    assert refused.value.fields["version"] == ["2"]
    assert _snapshot(in_review) == before
    assert RequestStatusChange.objects.count() == changes_before
    assert AuditEvent.objects.count() == events_before


def test_it_accepts_a_status_change_at_the_current_version(in_review, carol):
    registration_request_set_status(
        request=in_review, new_status=RequestStatus.INFO_REQUESTED, actor=carol, reason="Send a photo", version=2
    )

    in_review.refresh_from_db()
    assert (in_review.status, in_review.version) == (RequestStatus.INFO_REQUESTED, 3)


def test_it_links_a_family_member_to_a_prisoner_once(relationship, olena, carol):
    assert relationship.verified_at is None
    event = AuditEvent.objects.get(target_type="families.relationship", target_id=str(relationship.pk))
    assert event.action == "relationship.created"

    with pytest.raises(DomainError) as refused:
        relationship_create(
            family_member=olena, prisoner=relationship.prisoner, kind=RelationshipKind.FATHER, actor=carol
        )

    assert refused.value.code == "duplicate"
    assert Relationship.objects.count() == 1


def test_it_verifies_a_relationship_with_a_reason(relationship, carol):
    relationship_verify(relationship=relationship, actor=carol, reason="Birth certificate seen")

    relationship.refresh_from_db()
    assert relationship.is_verified
    assert relationship.verified_by == carol
    event = AuditEvent.objects.get(action="relationship.verified")
    assert (event.target_id, event.reason, event.actor) == (str(relationship.pk), "Birth certificate seen", carol)


@pytest.mark.parametrize("reason", ["", "  "], ids=["empty", "blank"])
def test_it_refuses_to_verify_without_a_reason(relationship, carol, reason):
    events_before = AuditEvent.objects.count()

    with pytest.raises(DomainError) as refused:
        relationship_verify(relationship=relationship, actor=carol, reason=reason)

    assert refused.value.code == "reason_required"
    relationship.refresh_from_db()
    assert relationship.verified_at is None
    assert relationship.verified_by is None
    assert AuditEvent.objects.count() == events_before


def test_it_refuses_to_verify_twice(relationship, carol, ada):
    relationship_verify(relationship=relationship, actor=carol, reason="Birth certificate seen")
    relationship.refresh_from_db()
    verified_at = relationship.verified_at
    events_before = AuditEvent.objects.count()

    with pytest.raises(DomainError) as refused:
        relationship_verify(relationship=relationship, actor=ada, reason="Again")

    assert refused.value.code == "already_verified"
    relationship.refresh_from_db()
    assert (relationship.verified_at, relationship.verified_by) == (verified_at, carol)
    assert AuditEvent.objects.count() == events_before
