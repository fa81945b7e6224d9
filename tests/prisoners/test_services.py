"""Writes to a prisoner record: creation, edits, stale edits and bad input."""

import datetime

import pytest
from django.utils import timezone

from core.errors import DomainError
from core.models import AuditEvent
from prisoners.models import CaseStatus, Prisoner, Source, StatusChange
from prisoners.services import prisoner_create, prisoner_set_status, prisoner_update
from tests.factories import PartyFactory, PrisonerFactory


def _snapshot(prisoner: Prisoner) -> dict:
    return Prisoner.objects.filter(pk=prisoner.pk).values().get()


@pytest.fixture
def prisoner(db):
    return PrisonerFactory(service_number="AA-100")


def test_it_creates_a_reported_case_with_its_first_status_change(carol):
    party = PartyFactory(code="own")

    prisoner = prisoner_create(
        actor=carol, data={"surname": "Melnyk", "given_names": "Taras", "party": party}, source=Source.FAMILY
    )

    prisoner.refresh_from_db()
    assert prisoner.status == CaseStatus.REPORTED
    assert prisoner.version == 1
    assert prisoner.created_by == carol
    change = prisoner.status_changes.get()
    assert (change.old_status, change.new_status, change.source, change.actor) == (
        "",
        CaseStatus.REPORTED,
        Source.FAMILY,
        carol,
    )
    event = AuditEvent.objects.get(target_type="prisoners.prisoner", target_id=str(prisoner.pk))
    assert event.action == "prisoner.created"
    assert event.changes == {"given_names": "Taras", "party": party.pk, "surname": "Melnyk"}


def test_it_refuses_to_create_a_record_with_bad_input(carol):
    party = PartyFactory(code="own")

    with pytest.raises(DomainError) as refused:
        prisoner_create(actor=carol, data={"surname": "", "given_names": "Taras", "party": party})

    assert refused.value.code == "invalid"
    assert "surname" in refused.value.fields
    assert not Prisoner.objects.exists()
    assert not StatusChange.objects.exists()
    assert not AuditEvent.objects.exists()


def test_it_updates_a_record_and_audits_the_change(prisoner, carol):
    updated = prisoner_update(
        prisoner=prisoner, version=1, actor=carol, data={"rank": "Sergeant", "unit": "12th"}, reason="Unit letter"
    )

    prisoner.refresh_from_db()
    assert updated.version == prisoner.version == 2
    assert (prisoner.rank, prisoner.unit) == ("Sergeant", "12th")
    event = AuditEvent.objects.get(target_type="prisoners.prisoner", target_id=str(prisoner.pk))
    assert event.action == "prisoner.updated"
    assert event.reason == "Unit letter"
    assert event.changes == {"rank": {"old": "", "new": "Sergeant"}, "unit": {"old": "", "new": "12th"}}


def test_it_writes_nothing_when_nothing_changes(prisoner, carol):
    prisoner_update(prisoner=prisoner, version=1, actor=carol, data={"surname": prisoner.surname})

    prisoner.refresh_from_db()
    assert prisoner.version == 1
    assert not AuditEvent.objects.exists()


def test_it_refuses_a_stale_edit(prisoner, carol):
    prisoner_update(prisoner=prisoner, version=1, actor=carol, data={"rank": "Sergeant"})
    before = _snapshot(prisoner)
    events_before = AuditEvent.objects.count()

    with pytest.raises(DomainError) as refused:
        prisoner_update(prisoner=prisoner, version=1, actor=carol, data={"rank": "Private", "unit": "3rd"})

    assert refused.value.code == "stale"
    assert str(refused.value.message)
    assert refused.value.fields["version"] == ["2"]
    assert _snapshot(prisoner) == before
    assert AuditEvent.objects.count() == events_before


def test_it_refuses_a_stale_status_change(prisoner, carol):
    prisoner_update(prisoner=prisoner, version=1, actor=carol, data={"rank": "Sergeant"})
    before = _snapshot(prisoner)
    events_before = AuditEvent.objects.count()

    with pytest.raises(DomainError) as refused:
        prisoner_set_status(
            prisoner=prisoner,
            new_status=CaseStatus.CAPTURE_CONFIRMED,
            actor=carol,
            source=Source.VIDEO,
            version=1,
        )

    assert refused.value.code == "stale"
    assert _snapshot(prisoner) == before
    assert not StatusChange.objects.filter(prisoner=prisoner).exists()
    assert AuditEvent.objects.count() == events_before


def test_it_accepts_a_status_change_at_the_current_version(prisoner, carol):
    prisoner_set_status(
        prisoner=prisoner, new_status=CaseStatus.CAPTURE_CONFIRMED, actor=carol, source=Source.VIDEO, version=1
    )

    prisoner.refresh_from_db()
    assert (prisoner.status, prisoner.version) == (CaseStatus.CAPTURE_CONFIRMED, 2)


def _tomorrow():
    return timezone.localdate() + datetime.timedelta(days=1)


# Each case builds its bad input from the record it edits.
BAD_INPUT = {
    "born-after-capture": (lambda p: {"date_of_birth": p.capture_date + datetime.timedelta(days=1)}, "date_of_birth"),
    "future-capture": (lambda p: {"capture_date": _tomorrow()}, "capture_date"),
    "future-birth": (lambda p: {"date_of_birth": _tomorrow(), "capture_date": None}, "date_of_birth"),
    "empty-surname": (lambda p: {"surname": ""}, "surname"),
    "empty-given-names": (lambda p: {"given_names": ""}, "given_names"),
    "bad-choice": (lambda p: {"health_status": "fine"}, "health_status"),
    "held-by-own-party": (lambda p: {"holding_party": p.party}, "holding_party"),
}
UNKNOWN_FIELDS = {"nickname": "Taras the Brave", "status": CaseStatus.RETURNED, "version": 7, "merged_into": None}


@pytest.mark.parametrize(("make_data", "field"), BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_it_refuses_bad_input_and_changes_nothing(prisoner, carol, make_data, field):
    before = _snapshot(prisoner)

    with pytest.raises(DomainError) as refused:
        prisoner_update(prisoner=prisoner, version=1, actor=carol, data={"rank": "Sergeant", **make_data(prisoner)})

    assert refused.value.code == "invalid"
    assert str(refused.value.message)
    assert refused.value.fields[field]
    assert all(isinstance(message, str) and message for message in refused.value.fields[field])
    assert _snapshot(prisoner) == before
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(("field", "value"), UNKNOWN_FIELDS.items(), ids=UNKNOWN_FIELDS.keys())
def test_it_refuses_a_field_that_is_not_editable(prisoner, carol, field, value):
    before = _snapshot(prisoner)

    with pytest.raises(DomainError) as refused:
        prisoner_update(prisoner=prisoner, version=1, actor=carol, data={"rank": "Sergeant", field: value})

    assert refused.value.code == "unknown_fields"
    assert list(refused.value.fields) == [field]
    assert _snapshot(prisoner) == before
    assert not AuditEvent.objects.exists()


def test_it_refuses_a_service_number_already_used_in_the_same_party(prisoner, carol):
    other = PrisonerFactory()
    before = _snapshot(other)

    with pytest.raises(DomainError) as refused:
        prisoner_update(prisoner=other, version=1, actor=carol, data={"service_number": "AA-100"})

    assert refused.value.code == "invalid"
    assert refused.value.fields == {
        "__all__": ["A prisoner with this service number is already recorded for this party."]
    }
    assert _snapshot(other) == before
    assert not AuditEvent.objects.exists()
