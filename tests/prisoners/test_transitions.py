"""Every move of the prisoner case status machine, allowed or refused."""

import itertools

import pytest

from core.errors import DomainError
from core.models import AuditEvent
from prisoners.models import CaseStatus, Prisoner, Source, StatusChange
from prisoners.services import prisoner_set_status
from prisoners.transitions import ALLOWED, REVERSALS
from tests.factories import PrisonerFactory

PAIRS = list(itertools.product(CaseStatus.values, repeat=2))
ALLOWED_PAIRS = [(old, new) for old, new in PAIRS if new in ALLOWED[old]]
REFUSED_PAIRS = [(old, new) for old, new in PAIRS if new not in ALLOWED[old]]


def _ids(pairs):
    return [f"{old}->{new}" for old, new in pairs]


def _prisoner_in(status: str) -> Prisoner:
    """A record put straight into ``status``: test setup, not a move under test."""
    prisoner = PrisonerFactory()
    survivor = PrisonerFactory() if status == CaseStatus.MERGED else None
    Prisoner.objects.filter(pk=prisoner.pk).update(status=status, merged_into=survivor)
    prisoner.refresh_from_db()
    return prisoner


def _move(prisoner: Prisoner, new_status: str, actor, reason: str = "") -> StatusChange:
    merged_into = PrisonerFactory() if new_status == CaseStatus.MERGED else None
    return prisoner_set_status(
        prisoner=prisoner,
        new_status=new_status,
        actor=actor,
        source=Source.CASEWORKER,
        reason=reason,
        merged_into=merged_into,
    )


def _snapshot(prisoner: Prisoner) -> dict:
    return Prisoner.objects.filter(pk=prisoner.pk).values().get()


def _audit_events_of(prisoner: Prisoner):
    return AuditEvent.objects.filter(target_type="prisoners.prisoner", target_id=str(prisoner.pk))


def test_it_lists_a_move_for_every_status():
    assert set(ALLOWED) == set(CaseStatus.values)
    assert len(PAIRS) == len(CaseStatus.values) ** 2


@pytest.mark.parametrize(("old", "new"), ALLOWED_PAIRS, ids=_ids(ALLOWED_PAIRS))
def test_it_allows(old, new, carol):
    prisoner = _prisoner_in(old)
    is_reversal = (old, new) in REVERSALS
    reason = "Correction after a new source" if is_reversal else ""
    changes_before = StatusChange.objects.filter(prisoner=prisoner).count()
    events_before = _audit_events_of(prisoner).count()

    change = _move(prisoner, new, carol, reason)

    prisoner.refresh_from_db()
    assert prisoner.status == new
    assert prisoner.version == 2
    assert (prisoner.merged_into_id is not None) == (new == CaseStatus.MERGED)
    assert StatusChange.objects.filter(prisoner=prisoner).count() == changes_before + 1
    change.refresh_from_db()
    assert (change.old_status, change.new_status) == (old, new)
    assert change.actor == carol
    assert change.reason == reason
    assert change.is_reversal is is_reversal
    assert change.source == Source.CASEWORKER
    events = _audit_events_of(prisoner)
    assert events.count() == events_before + 1
    event = events.latest("id")
    assert event.action == "prisoner.status_changed"
    assert event.actor == carol
    assert event.reason == reason
    assert event.changes["status"] == {"old": old, "new": new}
    assert event.changes["reversal"] is is_reversal


@pytest.mark.parametrize(("old", "new"), REFUSED_PAIRS, ids=_ids(REFUSED_PAIRS))
def test_it_refuses(old, new, carol):
    prisoner = _prisoner_in(old)
    before = _snapshot(prisoner)
    changes_before = StatusChange.objects.count()
    events_before = AuditEvent.objects.count()

    with pytest.raises(DomainError) as refused:
        _move(prisoner, new, carol, reason="A reason, so that only the move itself is wrong")

    assert str(refused.value.message)
    assert refused.value.code == ("same_status" if old == new else "illegal_transition")
    assert _snapshot(prisoner) == before
    assert StatusChange.objects.count() == changes_before
    assert AuditEvent.objects.count() == events_before


@pytest.mark.parametrize(("old", "new"), sorted(REVERSALS), ids=_ids(sorted(REVERSALS)))
@pytest.mark.parametrize("reason", ["", "   "], ids=["empty", "blank"])
def test_it_refuses_a_reversal_without_a_reason(old, new, reason, carol):
    prisoner = _prisoner_in(old)
    before = _snapshot(prisoner)
    changes_before = StatusChange.objects.count()
    events_before = AuditEvent.objects.count()

    with pytest.raises(DomainError) as refused:
        _move(prisoner, new, carol, reason=reason)

    assert refused.value.code == "reason_required"
    assert "reason" in refused.value.fields
    assert _snapshot(prisoner) == before
    assert StatusChange.objects.count() == changes_before
    assert AuditEvent.objects.count() == events_before


def test_it_refuses_an_unknown_status(carol):
    prisoner = _prisoner_in(CaseStatus.REGISTERED)
    before = _snapshot(prisoner)

    with pytest.raises(DomainError) as refused:
        _move(prisoner, "escaped", carol)

    assert refused.value.code == "unknown_status"
    assert _snapshot(prisoner) == before


def test_it_refuses_an_unknown_source(carol):
    prisoner = _prisoner_in(CaseStatus.REPORTED)
    before = _snapshot(prisoner)

    with pytest.raises(DomainError) as refused:
        prisoner_set_status(prisoner=prisoner, new_status=CaseStatus.CAPTURE_CONFIRMED, actor=carol, source="rumour")

    assert "source" in refused.value.fields
    assert _snapshot(prisoner) == before
    assert not StatusChange.objects.filter(prisoner=prisoner).exists()


def test_it_refuses_a_merge_without_a_survivor(carol):
    prisoner = _prisoner_in(CaseStatus.REPORTED)
    before = _snapshot(prisoner)

    with pytest.raises(DomainError) as without:
        prisoner_set_status(prisoner=prisoner, new_status=CaseStatus.MERGED, actor=carol, source=Source.CASEWORKER)
    with pytest.raises(DomainError) as into_itself:
        prisoner_set_status(
            prisoner=prisoner,
            new_status=CaseStatus.MERGED,
            actor=carol,
            source=Source.CASEWORKER,
            merged_into=prisoner,
        )

    assert without.value.code == into_itself.value.code == "merge_target_required"
    assert _snapshot(prisoner) == before


def test_it_refuses_a_survivor_for_a_move_other_than_a_merge(carol):
    prisoner = _prisoner_in(CaseStatus.REPORTED)
    before = _snapshot(prisoner)

    with pytest.raises(DomainError) as refused:
        prisoner_set_status(
            prisoner=prisoner,
            new_status=CaseStatus.CAPTURE_CONFIRMED,
            actor=carol,
            source=Source.CASEWORKER,
            merged_into=PrisonerFactory(),
        )

    assert refused.value.code == "unexpected_merge_target"
    assert _snapshot(prisoner) == before


def test_it_refuses_a_merge_into_a_merged_record(carol):
    prisoner = _prisoner_in(CaseStatus.REPORTED)
    merged = _prisoner_in(CaseStatus.MERGED)
    before = _snapshot(prisoner)

    with pytest.raises(DomainError) as refused:
        prisoner_set_status(
            prisoner=prisoner,
            new_status=CaseStatus.MERGED,
            actor=carol,
            source=Source.CASEWORKER,
            merged_into=merged,
        )

    assert refused.value.code == "merge_target_merged"
    assert _snapshot(prisoner) == before


def test_it_refuses_to_merge_two_records_into_each_other(carol):
    first = _prisoner_in(CaseStatus.REPORTED)
    second = _prisoner_in(CaseStatus.REPORTED)
    _move_into = {"actor": carol, "source": Source.CASEWORKER, "new_status": CaseStatus.MERGED}

    prisoner_set_status(prisoner=first, merged_into=second, **_move_into)
    second.refresh_from_db()
    with pytest.raises(DomainError):
        prisoner_set_status(prisoner=second, merged_into=first, **_move_into)

    second.refresh_from_db()
    assert second.status == CaseStatus.REPORTED
