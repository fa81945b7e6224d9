"""The services behind the family portal: filing twice, answering, withdrawing, profile, erasure."""

import uuid

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from core.audit import audit_chain_verify
from core.errors import DomainError
from core.models import AuditEvent
from families.models import (
    FamilyMember,
    MessageDirection,
    RegistrationRequest,
    Relationship,
    RelationshipKind,
    RequestMessage,
    RequestStatus,
)
from families.selectors import registration_request_by_code
from families.services import (
    family_member_erase,
    family_member_update,
    registration_request_answer,
    registration_request_file,
    registration_request_set_status,
    registration_request_withdraw,
    relationship_create,
)
from prisoners.evidence import evidence_link_create
from prisoners.models import Prisoner
from tests.factories import PrisonerFactory, request_data


def _file(member, **kwargs):
    return registration_request_file(filed_by=member, actor=member.user, data=request_data(), consent=True, **kwargs)


@pytest.fixture
def asked(olena, carol):
    """A request on which a caseworker has asked the family a question."""
    request, _code = _file(olena)
    registration_request_set_status(request=request, new_status=RequestStatus.IN_REVIEW, actor=carol)
    registration_request_set_status(
        request=request, new_status=RequestStatus.INFO_REQUESTED, actor=carol, reason="Which unit did he serve in?"
    )
    request.refresh_from_db()
    return request


def test_it_files_once_for_a_form_submitted_twice(olena):
    key = uuid.uuid4()

    first, code = _file(olena, submission_key=key)
    again, no_code = _file(olena, submission_key=key)

    assert again.pk == first.pk
    assert code is not None
    assert no_code is None
    assert RegistrationRequest.objects.count() == 1


def test_it_does_not_let_another_family_reuse_a_submission_key(olena, ivan):
    key = uuid.uuid4()
    _file(olena, submission_key=key)

    with pytest.raises(Exception):  # noqa: B017 (the database refuses the duplicate key)
        _file(ivan, submission_key=key)

    assert RegistrationRequest.objects.count() == 1


def test_it_finds_a_request_by_its_code_however_it_is_typed(olena):
    request, code = _file(olena)

    for typed in (code, code.lower(), code.replace("-", ""), f"  {code.replace('-', ' ')} "):
        found = registration_request_by_code(reference=request.reference.lower(), access_code=typed)
        assert found == request, typed


def test_it_finds_nothing_for_a_wrong_code_or_reference(olena):
    request, _code = _file(olena)

    assert registration_request_by_code(reference=request.reference, access_code="AAAA-BBBB-CCCC") is None
    assert registration_request_by_code(reference="HC-2026-999999", access_code="AAAA-BBBB-CCCC") is None


def test_it_sends_the_question_to_the_family_as_a_message(asked, carol):
    message = asked.messages.get()

    assert message.direction == MessageDirection.TO_FAMILY
    assert message.body == "Which unit did he serve in?"
    assert message.author == carol


def test_it_takes_the_familys_answer_and_returns_the_request_to_review(asked, olena):
    link = evidence_link_create(url="https://video.example.test/clip/7", actor=olena.user)

    message = registration_request_answer(request=asked, actor=olena.user, body="  The 3rd brigade.  ", evidence=[link])

    asked.refresh_from_db()
    assert asked.status == RequestStatus.IN_REVIEW
    assert message.body == "The 3rd brigade."
    assert message.direction == MessageDirection.FROM_FAMILY
    assert list(message.evidence.all()) == [link]
    assert link in asked.evidence.all()


@pytest.mark.parametrize("body", ["", "   "])
def test_it_refuses_an_empty_answer(asked, olena, body):
    with pytest.raises(DomainError) as refused:
        registration_request_answer(request=asked, actor=olena.user, body=body)

    assert "body" in refused.value.fields or "reason" in refused.value.fields
    asked.refresh_from_db()
    assert asked.status == RequestStatus.INFO_REQUESTED
    assert asked.messages.count() == 1


def test_it_refuses_an_answer_nobody_asked_for(olena):
    request, _code = _file(olena)

    with pytest.raises(DomainError) as refused:
        registration_request_answer(request=request, actor=olena.user, body="Here is more")

    assert refused.value.code == "no_question"
    assert not RequestMessage.objects.exists()


def test_it_withdraws_an_open_request(asked, olena):
    registration_request_withdraw(request=asked, actor=olena.user, reason="He called home")

    asked.refresh_from_db()
    assert asked.status == RequestStatus.WITHDRAWN


def test_it_refuses_to_withdraw_an_accepted_request(asked, olena, carol):
    registration_request_answer(request=asked, actor=olena.user, body="The 3rd brigade.")
    registration_request_set_status(
        request=asked, new_status=RequestStatus.ACCEPTED, actor=carol, prisoner=PrisonerFactory()
    )

    with pytest.raises(DomainError) as refused:
        registration_request_withdraw(request=asked, actor=olena.user)

    assert refused.value.code == "illegal_transition"
    asked.refresh_from_db()
    assert asked.status == RequestStatus.ACCEPTED


def test_it_updates_the_profile_and_audits_only_field_names(olena):
    family_member_update(
        member=olena,
        version=olena.version,
        actor=olena.user,
        data={"phone": "+380 44 000 0000", "notify_by_sms": True, "preferred_language": "ru"},
    )

    olena.refresh_from_db()
    assert (olena.phone, olena.notify_by_sms, olena.preferred_language, olena.version) == (
        "+380 44 000 0000",
        True,
        "ru",
        2,
    )
    event = AuditEvent.objects.get(action="family_member.updated")
    assert event.changes == {"fields": ["notify_by_sms", "phone", "preferred_language"]}
    assert "+380" not in str(event.changes)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"notify_by_sms": True}, "phone"),
        ({"notify_by_telegram": True}, "telegram_handle"),
        ({"preferred_language": "de"}, "preferred_language"),
        ({"user": None}, None),
    ],
)
def test_it_refuses_a_bad_profile_and_saves_nothing(olena, data, field):
    with pytest.raises(DomainError) as refused:
        family_member_update(member=olena, version=olena.version, actor=olena.user, data=data)

    if field:
        assert field in refused.value.fields
    olena.refresh_from_db()
    assert olena.version == 1
    assert not AuditEvent.objects.filter(action="family_member.updated").exists()


def test_it_refuses_a_stale_profile(olena):
    family_member_update(member=olena, version=1, actor=olena.user, data={"phone": "+380440000000"})

    with pytest.raises(DomainError) as refused:
        family_member_update(member=olena, version=1, actor=olena.user, data={"phone": "+380441111111"})

    assert refused.value.code == "stale"
    olena.refresh_from_db()
    assert olena.phone == "+380440000000"


def test_it_erases_the_account_and_keeps_the_case(olena, carol):
    request, _code = _file(olena)
    prisoner = PrisonerFactory()
    relationship_create(family_member=olena, prisoner=prisoner, kind=RelationshipKind.MOTHER, actor=carol)
    user_id, email = olena.user.pk, olena.user.email

    family_member_erase(member=olena, actor=olena.user)

    assert not get_user_model().objects.filter(pk=user_id).exists()
    assert not FamilyMember.objects.exists()
    assert not Relationship.objects.exists()
    assert not EmailAddress.objects.filter(email=email).exists()
    request.refresh_from_db()
    assert (request.filer_name, request.filer_email, request.filer_phone, request.filed_by) == ("", "", "", None)
    assert Prisoner.objects.filter(pk=prisoner.pk).exists()
    assert audit_chain_verify() is None
    trail = " ".join(str(row) for row in AuditEvent.objects.values_list("actor_label", "changes", "reason"))
    assert email not in trail
    assert "Olena" not in trail
