"""The casework services behind the record page: spellings, events, provenance, merges."""

import datetime

import pytest
from django.utils import timezone

from core.errors import DomainError
from core.models import AuditEvent
from families.models import Relationship, RelationshipKind
from prisoners.models import (
    CaseEvent,
    CaseEventKind,
    CaseStatus,
    Evidence,
    EvidenceKind,
    Fact,
    FactSource,
    MatchCandidate,
    NameVariant,
    OfficialSubmission,
    Prisoner,
    Source,
)
from prisoners.services import (
    case_event_record,
    name_variant_add,
    name_variant_remove,
    prisoner_merge,
    prisoner_update,
)
from tests.factories import PartyFactory, PrisonerFactory, RegistrationRequestFactory

TODAY = datetime.date(2026, 3, 1)


def _state(*records) -> list[dict]:
    """Every column of each record, to show that a refusal changed nothing."""
    return [Prisoner.objects.filter(pk=record.pk).values().get() for record in records]


@pytest.fixture
def prisoner(db):
    return PrisonerFactory(surname="Melnyk", given_names="Taras", service_number="AA-100")


@pytest.fixture
def duplicate(db):
    return PrisonerFactory(surname="Мельник", given_names="Тарас", patronymic="Иванович", unit="72nd Brigade")


def _evidence_link(prisoner=None) -> Evidence:
    return Evidence.objects.create(prisoner=prisoner, kind=EvidenceKind.LINK, url="https://video.example.test/1")


# Name variants


def test_it_keeps_a_spelling_and_reads_its_script(prisoner, carol):
    variant = name_variant_add(
        prisoner=prisoner, actor=carol, surname=" Мельник ", given_names="Тарас", source=Source.FAMILY
    )

    assert (variant.surname, variant.script, variant.source) == ("Мельник", "cyrillic", Source.FAMILY)
    assert AuditEvent.objects.filter(action="prisoner.name_variant_added", target_id=str(prisoner.pk)).count() == 1


def test_it_refuses_a_spelling_in_mixed_scripts(prisoner, carol):
    with pytest.raises(DomainError) as refused:
        name_variant_add(prisoner=prisoner, actor=carol, surname="Mельник")

    assert refused.value.code == "mixed_script"
    assert not NameVariant.objects.exists()


def test_it_refuses_a_spelling_already_kept(prisoner, carol):
    name_variant_add(prisoner=prisoner, actor=carol, surname="Melnik", given_names="Taras")

    with pytest.raises(DomainError) as refused:
        name_variant_add(prisoner=prisoner, actor=carol, surname="Melnik", given_names="Taras")

    assert refused.value.code == "duplicate"
    assert NameVariant.objects.count() == 1


def test_it_removes_a_spelling_with_a_reason(prisoner, carol):
    variant = name_variant_add(prisoner=prisoner, actor=carol, surname="Melnik")

    name_variant_remove(variant=variant, actor=carol, reason="Typing error")

    assert not NameVariant.objects.exists()
    event = AuditEvent.objects.get(action="prisoner.name_variant_removed")
    assert (event.reason, event.changes) == ("Typing error", {"variant": "Melnik"})


def test_it_refuses_to_remove_a_spelling_without_a_reason(prisoner, carol):
    variant = name_variant_add(prisoner=prisoner, actor=carol, surname="Melnik")

    with pytest.raises(DomainError) as refused:
        name_variant_remove(variant=variant, actor=carol, reason="  ")

    assert refused.value.code == "reason_required"
    assert NameVariant.objects.filter(pk=variant.pk).exists()


# Events


def test_it_records_a_death_with_its_art_120_details(prisoner, carol):
    event = case_event_record(
        prisoner=prisoner,
        actor=carol,
        data={
            "kind": CaseEventKind.DEATH,
            "occurred_on": datetime.date(2025, 6, 1),
            "cause_of_death": "Wounds",
            "burial_place": "Cemetery No. 3, plot 14",
            "source": Source.ICRC,
        },
    )

    assert (event.recorded_by, event.cause_of_death) == (carol, "Wounds")
    assert AuditEvent.objects.filter(action="prisoner.event_recorded").count() == 1


def test_it_refuses_a_death_without_its_cause(prisoner, carol):
    with pytest.raises(DomainError) as refused:
        case_event_record(prisoner=prisoner, actor=carol, data={"kind": CaseEventKind.DEATH, "source": Source.ICRC})

    assert "cause_of_death" in refused.value.fields
    assert not CaseEvent.objects.exists()


def test_it_refuses_a_cause_of_death_on_another_event(prisoner, carol):
    data = {"kind": CaseEventKind.TRANSFER, "cause_of_death": "Wounds", "source": Source.ICRC}

    with pytest.raises(DomainError) as refused:
        case_event_record(prisoner=prisoner, actor=carol, data=data)

    assert "cause_of_death" in refused.value.fields
    assert not CaseEvent.objects.exists()


def test_it_refuses_an_event_in_the_future(prisoner, carol):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    data = {"kind": CaseEventKind.TRANSFER, "occurred_on": tomorrow, "source": Source.ICRC}

    with pytest.raises(DomainError) as refused:
        case_event_record(prisoner=prisoner, actor=carol, data=data)

    assert "occurred_on" in refused.value.fields
    assert not CaseEvent.objects.exists()


def test_it_refuses_an_event_with_an_unknown_source(prisoner, carol):
    with pytest.raises(DomainError):
        case_event_record(prisoner=prisoner, actor=carol, data={"kind": CaseEventKind.TRANSFER, "source": "rumour"})

    assert not CaseEvent.objects.exists()


# Provenance and stale edits


def test_it_keeps_the_source_of_each_changed_fact(prisoner, carol):
    prisoner_update(
        prisoner=prisoner,
        version=prisoner.version,
        actor=carol,
        data={"rank": "Sergeant", "place_of_internment": "Camp 7"},
        source=Source.RELEASED_COMRADE,
        source_detail="Call of 2 March",
    )

    sources = {row.fact: row for row in FactSource.objects.filter(prisoner=prisoner)}
    assert set(sources) == {Fact.SERVICE, Fact.INTERNMENT}
    assert (sources[Fact.SERVICE].source, sources[Fact.SERVICE].detail, sources[Fact.SERVICE].recorded_by) == (
        Source.RELEASED_COMRADE,
        "Call of 2 March",
        carol,
    )


def test_it_replaces_a_facts_older_source_with_the_newer(prisoner, carol):
    prisoner_update(prisoner=prisoner, version=1, actor=carol, data={"rank": "Sergeant"}, source=Source.FAMILY)
    prisoner_update(prisoner=prisoner, version=2, actor=carol, data={"unit": "3rd Battalion"}, source=Source.UNIT)

    assert FactSource.objects.get(prisoner=prisoner, fact=Fact.SERVICE).source == Source.UNIT


def test_it_refuses_a_stale_edit_and_keeps_the_other_change(prisoner, carol):
    prisoner_update(prisoner=prisoner, version=1, actor=carol, data={"rank": "Sergeant"})
    before = _state(prisoner)

    with pytest.raises(DomainError) as refused:
        prisoner_update(prisoner=prisoner, version=1, actor=carol, data={"rank": "Private"})

    assert refused.value.code == "stale"
    assert refused.value.fields["version"] == ["2"]
    assert _state(prisoner) == before


# Merges


def test_it_merges_a_duplicate_and_moves_everything_to_the_survivor(prisoner, duplicate, carol, olena):
    evidence = _evidence_link(duplicate)
    event = CaseEvent.objects.create(prisoner=duplicate, kind=CaseEventKind.CAPTURE, source=Source.VIDEO)
    tie = Relationship.objects.create(family_member=olena, prisoner=duplicate, kind=RelationshipKind.MOTHER)
    filed = RegistrationRequestFactory(prisoner=duplicate)
    submission = OfficialSubmission.objects.create(
        prisoner=duplicate,
        authority="icrc",
        channel="email",
        submitted_on=TODAY,
        acknowledgement_due_on=TODAY + datetime.timedelta(days=14),
    )
    NameVariant.objects.create(prisoner=duplicate, surname="Melnik", given_names="Taras", script="latin")
    FactSource.objects.create(prisoner=duplicate, fact=Fact.SERVICE, source=Source.UNIT, detail="Unit roll")

    survivor = prisoner_merge(
        survivor=prisoner,
        duplicate=duplicate,
        actor=carol,
        reason="Same man, same birth date",
        take_fields=["unit", "patronymic"],
        survivor_version=prisoner.version,
        duplicate_version=duplicate.version,
    )

    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into) == (CaseStatus.MERGED, survivor)
    assert (survivor.unit, survivor.patronymic, survivor.surname) == ("72nd Brigade", "Иванович", "Melnyk")
    for row in (evidence, event, tie, filed, submission):
        row.refresh_from_db()
        assert row.prisoner_id == survivor.pk
    spellings = set(survivor.name_variants.values_list("surname", "given_names"))
    assert spellings == {("Melnik", "Taras"), ("Мельник", "Тарас")}
    # The unit was taken from the duplicate, with the duplicate's source.
    assert FactSource.objects.get(prisoner=survivor, fact=Fact.SERVICE).detail == "Unit roll"
    merged = AuditEvent.objects.get(action="prisoner.merged")
    assert merged.changes["moved"] == {"evidence": 1, "events": 1, "requests": 1, "submissions": 1, "relationships": 1}


def test_it_keeps_one_verified_tie_for_a_relative_of_both_records(prisoner, duplicate, carol, olena):
    Relationship.objects.create(family_member=olena, prisoner=prisoner, kind=RelationshipKind.MOTHER)
    Relationship.objects.create(
        family_member=olena,
        prisoner=duplicate,
        kind=RelationshipKind.MOTHER,
        verified_at=timezone.now(),
        verified_by=carol,
    )

    prisoner_merge(survivor=prisoner, duplicate=duplicate, actor=carol, reason="Same man")

    tie = Relationship.objects.get(family_member=olena)
    assert (tie.prisoner_id, tie.verified_by) == (prisoner.pk, carol)


def test_it_decides_the_pair_of_a_merge(prisoner, duplicate, carol):
    MatchCandidate.objects.create(prisoner=prisoner, candidate=duplicate, score=90, confidence="high")

    prisoner_merge(survivor=prisoner, duplicate=duplicate, actor=carol, reason="Same man")

    assert MatchCandidate.objects.get().decision == "same"


def test_it_refuses_to_merge_a_record_with_itself(prisoner, carol):
    before = _state(prisoner)

    with pytest.raises(DomainError) as refused:
        prisoner_merge(survivor=prisoner, duplicate=prisoner, actor=carol, reason="Same man")

    assert refused.value.code == "merge_self"
    assert _state(prisoner) == before


def test_it_refuses_to_merge_a_record_already_merged(prisoner, duplicate, carol):
    third = PrisonerFactory(surname="Melnyk", given_names="Taras")
    prisoner_merge(survivor=prisoner, duplicate=duplicate, actor=carol, reason="Same man")
    before = _state(prisoner, duplicate, third)

    with pytest.raises(DomainError) as refused:
        prisoner_merge(survivor=third, duplicate=duplicate, actor=carol, reason="Same man")

    assert refused.value.code == "merge_target_merged"
    assert _state(prisoner, duplicate, third) == before


def test_it_refuses_a_merge_without_a_reason(prisoner, duplicate, carol):
    before = _state(prisoner, duplicate)

    with pytest.raises(DomainError) as refused:
        prisoner_merge(survivor=prisoner, duplicate=duplicate, actor=carol, reason="")

    assert refused.value.code == "reason_required"
    assert _state(prisoner, duplicate) == before


@pytest.mark.parametrize("stale", ["survivor_version", "duplicate_version"])
def test_it_refuses_a_merge_on_a_stale_version(prisoner, duplicate, carol, stale):
    evidence = _evidence_link(duplicate)
    versions = {"survivor_version": prisoner.version, "duplicate_version": duplicate.version, stale: 7}
    before = _state(prisoner, duplicate)

    with pytest.raises(DomainError) as refused:
        prisoner_merge(survivor=prisoner, duplicate=duplicate, actor=carol, reason="Same man", **versions)

    assert refused.value.code == "stale"
    assert _state(prisoner, duplicate) == before
    evidence.refresh_from_db()
    assert evidence.prisoner_id == duplicate.pk


def test_it_moves_the_service_number_to_the_survivor_within_one_party(prisoner, duplicate, carol):
    Prisoner.objects.filter(pk=prisoner.pk).update(service_number="")
    Prisoner.objects.filter(pk=duplicate.pk).update(service_number="BB-200")
    prisoner.refresh_from_db()
    duplicate.refresh_from_db()

    survivor = prisoner_merge(
        survivor=prisoner, duplicate=duplicate, actor=carol, reason="Same man", take_fields=["service_number"]
    )

    duplicate.refresh_from_db()
    assert (survivor.service_number, duplicate.service_number) == ("BB-200", "")


def test_it_refuses_a_merge_that_would_give_a_number_already_used(prisoner, carol):
    other_party = PartyFactory(code="allied", name="Fictional Allies")
    duplicate = PrisonerFactory(party=other_party, service_number="CC-300")
    PrisonerFactory(service_number="CC-300")  # In the survivor's party already.
    before = _state(prisoner, duplicate)

    with pytest.raises(DomainError) as refused:
        prisoner_merge(
            survivor=prisoner, duplicate=duplicate, actor=carol, reason="Same man", take_fields=["service_number"]
        )

    assert refused.value.code == "invalid"
    assert _state(prisoner, duplicate) == before


def test_it_refuses_to_merge_taking_a_field_that_is_not_editable(prisoner, duplicate, carol):
    with pytest.raises(DomainError) as refused:
        prisoner_merge(survivor=prisoner, duplicate=duplicate, actor=carol, reason="Same man", take_fields=["status"])

    assert refused.value.code == "unknown_fields"
    assert Prisoner.objects.get(pk=duplicate.pk).status == CaseStatus.REPORTED


def test_a_merged_record_refuses_every_change(prisoner, duplicate, carol):
    variant = NameVariant.objects.create(prisoner=duplicate, surname="Melnik", script="latin")
    prisoner_merge(survivor=prisoner, duplicate=duplicate, actor=carol, reason="Same man")
    duplicate.refresh_from_db()
    before = _state(duplicate)

    attempts = [
        lambda: prisoner_update(prisoner=duplicate, version=duplicate.version, actor=carol, data={"rank": "Major"}),
        lambda: name_variant_add(prisoner=duplicate, actor=carol, surname="Melnyck"),
        lambda: name_variant_remove(variant=variant, actor=carol, reason="Typing error"),
        lambda: case_event_record(
            prisoner=duplicate, actor=carol, data={"kind": CaseEventKind.TRANSFER, "source": Source.ICRC}
        ),
    ]
    for attempt in attempts:
        with pytest.raises(DomainError) as refused:
            attempt()
        assert refused.value.code == "merged"
    assert _state(duplicate) == before
    assert NameVariant.objects.filter(pk=variant.pk).exists()
