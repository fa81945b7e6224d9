"""Retention: personal data past its period is erased, an anonymous record stays, and nothing else is touched."""

import datetime
import io

import pytest
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.utils import timezone

from core.audit import audit_chain_verify
from core.models import AuditEvent, SignInEvent
from families.models import FamilyMember, RegistrationRequest, RelationshipKind, RequestMessage, RequestStatus
from families.retention import ERASED, retention_apply, retention_due
from families.services import (
    family_member_update,
    registration_request_answer,
    registration_request_file,
    registration_request_set_status,
    registration_request_withdraw,
    relationship_create,
)
from families.tasks import retention_apply_task
from prisoners.evidence import evidence_file_store
from prisoners.models import CaseStatus, Evidence, Prisoner
from tests.factories import PrisonerFactory, request_data

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"

# What the family wrote, each string found nowhere else in the test database.
FILER_PHONE = "+380 44 765 4321"
PATRONYMIC = "Степанович"
CIRCUMSTANCES = "Last seen near the Zelenodolsk bridge by his platoon"
ANSWER = "His platoon commander confirmed the date to me"
REJECTION = "No trace of Stepanovych in any list"


def _days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def _pdf(name="letter-from-olena.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, "application/pdf")


def _file(member, **overrides):
    data = request_data(
        filer_name=member.full_name,
        filer_email=member.user.email,
        filer_phone=FILER_PHONE,
        patronymic=PATRONYMIC,
        place_of_birth="Zelenodolsk",
        circumstances=CIRCUMSTANCES,
        **overrides,
    )
    evidence = [evidence_file_store(upload=_pdf(), actor=member.user)]
    request, _code = registration_request_file(
        filed_by=member, actor=member.user, data=data, consent=True, evidence=evidence
    )
    return request


def _closed(request: RegistrationRequest, *, days_ago: int) -> RegistrationRequest:
    """Backdate the closing, as if it happened ``days_ago`` days ago."""
    RegistrationRequest.objects.filter(pk=request.pk).update(status_changed_at=_days_ago(days_ago))
    request.refresh_from_db()
    return request


@pytest.fixture
def rejected(olena, carol):
    """Olena's request: a question, her answer with a second file, then a rejection, long ago."""
    request = _file(olena)
    registration_request_set_status(request=request, new_status=RequestStatus.IN_REVIEW, actor=carol)
    registration_request_set_status(
        request=request, new_status=RequestStatus.INFO_REQUESTED, actor=carol, reason="When did he last call?"
    )
    answer_file = evidence_file_store(upload=_pdf("answer.pdf"), actor=olena.user)
    registration_request_answer(request=request, actor=olena.user, body=ANSWER, evidence=[answer_file])
    registration_request_set_status(request=request, new_status=RequestStatus.REJECTED, actor=carol, reason=REJECTION)
    return _closed(request, days_ago=settings.RETENTION_CLOSED_REQUEST_DAYS + 1)


def _database_dump() -> str:
    """Every row but the audit trail's, which is append-only: a reason written to it then stays as it was written."""
    return "\n".join(
        serializers.serialize("json", model._default_manager.all())
        for model in apps.get_models()
        if model is not AuditEvent
    )


def _stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_it_erases_a_closed_request_past_its_period_and_keeps_an_anonymous_record(rejected, olena, evidence_root):
    created_at, closed_at = rejected.created_at, rejected.status_changed_at
    assert len(_stored_files(evidence_root)) == 2

    erased = retention_apply()

    assert [(item.rule, item.label) for item in erased] == [("closed_request", rejected.reference)]
    kept = RegistrationRequest.objects.get(pk=rejected.pk)
    assert (kept.reference, kept.status, kept.created_at, kept.status_changed_at) == (
        rejected.reference,
        RequestStatus.REJECTED,
        created_at,
        closed_at,
    )
    assert (kept.filer_name, kept.filer_email, kept.filer_phone, kept.filed_by) == ("", "", "", None)
    assert (kept.surname, kept.given_names, kept.patronymic, kept.date_of_birth) == (ERASED, ERASED, "", None)
    assert (kept.place_of_birth, kept.circumstances, kept.rejection_reason) == ("", "", ERASED)
    assert kept.filer_relationship == RelationshipKind.MOTHER
    # The counts stay: four status changes, the question and the answer.
    assert kept.status_changes.count() == 5
    assert [message.body for message in RequestMessage.objects.filter(request=kept)] == [ERASED, ERASED]
    assert not Evidence.objects.exists()
    assert _stored_files(evidence_root) == []
    dump = _database_dump()
    for personal in (FILER_PHONE, PATRONYMIC, CIRCUMSTANCES, ANSWER, REJECTION, "Андрій", "letter-from-olena"):
        assert personal not in dump
    # Olena's account is hers, not the request's: it stays.
    assert FamilyMember.objects.get(pk=olena.pk).full_name == "Olena Testova"
    event = AuditEvent.objects.get(action="retention.erased")
    assert not any(personal in str(event.changes) for personal in (FILER_PHONE, PATRONYMIC, "Андрій", "Olena"))
    assert (event.target_type, event.target_id, event.actor_label) == (
        "families.registrationrequest",
        str(rejected.pk),
        "system",
    )
    assert event.changes["messages"] == 2
    assert event.changes["files_deleted"] == 2
    assert audit_chain_verify() is None


def test_it_erases_a_withdrawn_request_too(olena):
    request = _file(olena)
    registration_request_withdraw(request=request, actor=olena.user, reason="He called home")
    _closed(request, days_ago=settings.RETENTION_CLOSED_REQUEST_DAYS + 1)

    retention_apply()

    request.refresh_from_db()
    assert (request.status, request.surname, request.filer_name) == (RequestStatus.WITHDRAWN, ERASED, "")
    assert request.status_changes.get(new_status=RequestStatus.WITHDRAWN).reason == ""


def test_it_leaves_alone_what_is_not_yet_due(olena, carol, settings):
    settings.RETENTION_CLOSED_REQUEST_DAYS = 30
    recent = _closed(registration_request_withdraw(request=_file(olena), actor=olena.user).request, days_ago=29)
    waiting = _file(olena)
    RegistrationRequest.objects.filter(pk=waiting.pk).update(status_changed_at=_days_ago(400))
    accepted = _file(olena)
    registration_request_set_status(request=accepted, new_status=RequestStatus.IN_REVIEW, actor=carol)
    registration_request_set_status(
        request=accepted, new_status=RequestStatus.ACCEPTED, actor=carol, prisoner=PrisonerFactory()
    )
    _closed(accepted, days_ago=400)
    before = {pk: model_to_dict(RegistrationRequest.objects.get(pk=pk)) for pk in (recent.pk, waiting.pk, accepted.pk)}

    assert retention_due() == []
    assert retention_apply() == []

    after = {pk: model_to_dict(RegistrationRequest.objects.get(pk=pk)) for pk in before}
    assert after == before
    assert Evidence.objects.count() == 3
    assert not AuditEvent.objects.filter(action="retention.erased").exists()


def test_it_is_safe_to_run_twice(rejected):
    assert len(retention_apply()) == 1
    snapshot = model_to_dict(RegistrationRequest.objects.get(pk=rejected.pk))

    assert retention_apply() == []
    assert retention_due() == []

    assert model_to_dict(RegistrationRequest.objects.get(pk=rejected.pk)) == snapshot
    assert AuditEvent.objects.filter(action="retention.erased").count() == 1


def test_it_keeps_evidence_that_is_also_on_a_prisoner_record(olena, carol, evidence_root):
    prisoner = PrisonerFactory()
    on_record = evidence_file_store(upload=_pdf("record-scan.pdf"), actor=carol, prisoner=prisoner)
    request = _file(olena)
    request.evidence.add(on_record)
    registration_request_withdraw(request=request, actor=olena.user)
    _closed(request, days_ago=settings.RETENTION_CLOSED_REQUEST_DAYS + 1)

    retention_apply()

    assert list(Evidence.objects.all()) == [on_record]
    assert not request.evidence.exists()
    assert len(_stored_files(evidence_root)) == 1
    assert AuditEvent.objects.get(action="retention.erased").changes["evidence_unlinked"] == 1


def test_it_lists_what_is_due_in_a_dry_run_and_changes_nothing(rejected, evidence_root):
    snapshot = model_to_dict(RegistrationRequest.objects.get(pk=rejected.pk))
    out = io.StringIO()

    call_command("apply_retention", "--dry-run", stdout=out)

    output = out.getvalue()
    assert rejected.reference in output
    assert "the filer's name and contacts" in output
    assert "2 messages" in output
    assert "1 record would be erased; nothing was changed." in output
    for personal in ("Olena", "Testova", "olena@example.test", FILER_PHONE, "Андрій", "Ковальчук", PATRONYMIC):
        assert personal not in output
    assert model_to_dict(RegistrationRequest.objects.get(pk=rejected.pk)) == snapshot
    assert Evidence.objects.count() == 2
    assert len(_stored_files(evidence_root)) == 2
    assert not AuditEvent.objects.filter(action="retention.erased").exists()


def test_it_erases_with_the_command_and_names_nobody(rejected, olena, ivan, carol):
    returned = PrisonerFactory(
        status=CaseStatus.RETURNED,
        status_changed_at=_days_ago(settings.RETENTION_RETURNED_CONTACT_DAYS + 1),
        person_to_inform="Ivan Probny, 5 Sadova Street, Zelenodolsk",
    )
    family_member_update(member=ivan, version=ivan.version, actor=ivan.user, data={"phone": "+380 50 111 2233"})
    relationship_create(family_member=ivan, prisoner=returned, kind=RelationshipKind.FATHER, actor=carol)
    out = io.StringIO()

    call_command("apply_retention", stdout=out)

    output = out.getvalue()
    assert rejected.reference in output
    assert f"#{returned.pk}" in output
    assert "3 records erased" in output
    for personal in ("Olena", "Testova", "Ivan", "Probny", "Sadova", "+380", "Андрій", "Ковальчук", PATRONYMIC):
        assert personal not in output
    assert RegistrationRequest.objects.get(pk=rejected.pk).surname == ERASED


def test_it_erases_the_family_contacts_of_a_prisoner_long_home(olena, ivan, carol):
    long_home = PrisonerFactory(
        status=CaseStatus.RETURNED,
        status_changed_at=_days_ago(settings.RETENTION_RETURNED_CONTACT_DAYS + 1),
        person_to_inform="Olena Testova, 5 Sadova Street, Zelenodolsk",
    )
    recently_home = PrisonerFactory(
        status=CaseStatus.RETURNED,
        status_changed_at=_days_ago(settings.RETENTION_RETURNED_CONTACT_DAYS - 1),
        person_to_inform="Ivan Probny, 7 Lesi Ukrainky Street",
    )
    still_held = PrisonerFactory(status=CaseStatus.REGISTERED, person_to_inform="Ivan Probny, 7 Lesi Ukrainky Street")
    family_member_update(
        member=olena,
        version=olena.version,
        actor=olena.user,
        data={"phone": "+380 44 765 4321", "telegram_handle": "olena_t", "notify_by_sms": True},
    )
    family_member_update(member=ivan, version=ivan.version, actor=ivan.user, data={"phone": "+380 50 111 2233"})
    relationship_create(family_member=olena, prisoner=long_home, kind=RelationshipKind.MOTHER, actor=carol)
    # Ivan's brother came home long ago, but his son is still held: Ivan's contacts are needed.
    relationship_create(family_member=ivan, prisoner=long_home, kind=RelationshipKind.SIBLING, actor=carol)
    relationship_create(family_member=ivan, prisoner=still_held, kind=RelationshipKind.FATHER, actor=carol)
    accepted = _file(olena)
    registration_request_set_status(request=accepted, new_status=RequestStatus.IN_REVIEW, actor=carol)
    registration_request_set_status(
        request=accepted, new_status=RequestStatus.ACCEPTED, actor=carol, prisoner=long_home
    )

    erased = retention_apply()

    assert sorted((item.record, item.pk) for item in erased) == [
        ("family member", olena.pk),
        ("prisoner", long_home.pk),
    ]
    assert Prisoner.objects.get(pk=long_home.pk).person_to_inform == ""
    assert Prisoner.objects.get(pk=long_home.pk).status == CaseStatus.RETURNED
    kept = RegistrationRequest.objects.get(pk=accepted.pk)
    assert (kept.filer_email, kept.filer_phone) == ("", "")
    # The request stays on his record, with the name of who filed it and what she told us.
    assert (kept.status, kept.filer_name, kept.surname) == (RequestStatus.ACCEPTED, "Olena Testova", "Ковальчук")
    member = FamilyMember.objects.get(pk=olena.pk)
    assert (member.phone, member.telegram_handle, member.notify_by_sms) == ("", "", False)
    assert member.full_name == "Olena Testova"
    assert member.relationships.count() == 1
    assert FamilyMember.objects.get(pk=ivan.pk).phone == "+380 50 111 2233"
    assert Prisoner.objects.get(pk=recently_home.pk).person_to_inform == "Ivan Probny, 7 Lesi Ukrainky Street"
    assert Prisoner.objects.get(pk=still_held.pk).person_to_inform == "Ivan Probny, 7 Lesi Ukrainky Street"
    trail = " ".join(
        f"{event.reason} {event.changes}" for event in AuditEvent.objects.filter(action="retention.erased")
    )
    for personal in ("Olena", "Sadova", "765 4321", "olena_t", "olena@example.test"):
        assert personal not in trail
    assert audit_chain_verify() is None
    assert retention_apply() == []


def test_it_keeps_the_contacts_of_a_relative_with_an_open_request(olena, carol):
    long_home = PrisonerFactory(
        status=CaseStatus.RETURNED, status_changed_at=_days_ago(settings.RETENTION_RETURNED_CONTACT_DAYS + 1)
    )
    family_member_update(member=olena, version=olena.version, actor=olena.user, data={"phone": "+380 44 765 4321"})
    relationship_create(family_member=olena, prisoner=long_home, kind=RelationshipKind.MOTHER, actor=carol)
    _file(olena, surname="Мельник")

    assert retention_apply() == []

    assert FamilyMember.objects.get(pk=olena.pk).phone == "+380 44 765 4321"


def test_it_runs_daily_on_the_beat_schedule(rejected):
    entries = [entry for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] == retention_apply_task.name]

    assert len(entries) == 1
    assert entries[0]["schedule"] <= 24 * 60 * 60
    # Through Celery (in-process in tests), as beat would run it.
    assert retention_apply_task.delay().get() == 1
    assert RegistrationRequest.objects.get(pk=rejected.pk).surname == ERASED


def test_it_deletes_sign_ins_older_than_their_period_and_keeps_the_recent_ones(olena, ivan, settings):
    now = timezone.now()
    old = now - datetime.timedelta(days=settings.RETENTION_SIGN_IN_DAYS + 1)
    recent = now - datetime.timedelta(days=settings.RETENTION_SIGN_IN_DAYS - 1)
    for user, when in ((olena.user, old), (olena.user, old), (olena.user, recent), (ivan.user, recent)):
        SignInEvent.objects.create(user=user, occurred_at=when, succeeded=True, ip_address="198.51.100.4")

    listed = [item.describe() for item in retention_due(now=now)]
    erased = retention_apply(now=now)

    assert listed == [f"account #{olena.user.pk}: 2 sign-ins"]
    assert [item.pk for item in erased] == [olena.user.pk]
    assert SignInEvent.objects.filter(occurred_at__lte=old).count() == 0
    assert SignInEvent.objects.filter(occurred_at=recent).count() == 2
    event = AuditEvent.objects.get(action="retention.erased", target_id=str(olena.user.pk))
    assert event.changes == {"rule": "sign_ins", "days": settings.RETENTION_SIGN_IN_DAYS, "sign_ins": 2}
    assert retention_apply(now=now) == []
