"""Every move of the exchange status machine, allowed or refused."""

import itertools

import pytest

from core.errors import DomainError
from core.models import AuditEvent
from exchanges.models import (
    OPEN_EXCHANGE_STATUSES,
    EntryOutcome,
    Exchange,
    ExchangeEntry,
    ExchangeStatus,
    ExchangeStatusChange,
)
from exchanges.services import exchange_set_status
from exchanges.transitions import ALLOWED, REVERSALS
from prisoners.models import CaseStatus, Prisoner
from tests.factories import ExchangeEntryFactory, PrisonerFactory

PAIRS = list(itertools.product(ExchangeStatus.values, repeat=2))
ALLOWED_PAIRS = [(old, new) for old, new in PAIRS if new in ALLOWED[old]]
REFUSED_PAIRS = [(old, new) for old, new in PAIRS if new not in ALLOWED[old]]


def _ids(pairs):
    return [f"{old}->{new}" for old, new in pairs]


def _exchange_in(status: str) -> Exchange:
    """An exchange put straight into ``status`` with one person, recorded as returned, on its list."""
    entry = ExchangeEntryFactory(
        prisoner=PrisonerFactory(status=CaseStatus.REGISTERED),
        outcome=EntryOutcome.RETURNED,
        holds_prisoner=status in OPEN_EXCHANGE_STATUSES,
    )
    Exchange.objects.filter(pk=entry.exchange_id).update(status=status)
    return Exchange.objects.get(pk=entry.exchange_id)


def _reason_for(old: str, new: str) -> str:
    needs_one = (old, new) in REVERSALS or new == ExchangeStatus.CANCELLED
    return "The other side changed its list" if needs_one else ""


def _snapshot(exchange: Exchange) -> dict:
    return {
        "exchange": Exchange.objects.filter(pk=exchange.pk).values().get(),
        "entries": list(ExchangeEntry.objects.filter(exchange=exchange).order_by("id").values()),
        "prisoners": list(Prisoner.objects.order_by("id").values()),
    }


def _audit_events_of(exchange: Exchange):
    return AuditEvent.objects.filter(target_type="exchanges.exchange", target_id=str(exchange.pk))


def test_it_lists_a_move_for_every_status():
    assert set(ALLOWED) == set(ExchangeStatus.values)


@pytest.mark.parametrize(("old", "new"), ALLOWED_PAIRS, ids=_ids(ALLOWED_PAIRS))
def test_it_allows(old, new, cole):
    exchange = _exchange_in(old)
    entry = exchange.entries.get()
    is_reversal = (old, new) in REVERSALS
    reason = _reason_for(old, new)
    changes_before = exchange.status_changes.count()
    events_before = _audit_events_of(exchange).count()

    change = exchange_set_status(exchange=exchange, new_status=new, actor=cole, reason=reason)

    exchange.refresh_from_db()
    entry.refresh_from_db()
    entry.prisoner.refresh_from_db()
    assert exchange.status == new
    assert exchange.version == 2
    assert entry.holds_prisoner is (new in OPEN_EXCHANGE_STATUSES)
    expected_prisoner_status = CaseStatus.RETURNED if new == ExchangeStatus.COMPLETED else CaseStatus.REGISTERED
    assert entry.prisoner.status == expected_prisoner_status
    assert exchange.status_changes.count() == changes_before + 1
    change.refresh_from_db()
    assert (change.old_status, change.new_status) == (old, new)
    assert change.actor == cole
    assert change.reason == reason
    assert change.is_reversal is is_reversal
    events = _audit_events_of(exchange)
    assert events.count() == events_before + 1
    event = events.latest("id")
    assert event.action == "exchange.status_changed"
    assert event.actor == cole
    assert event.reason == reason
    assert event.changes["status"] == {"old": old, "new": new}
    assert event.changes["reversal"] is is_reversal


@pytest.mark.parametrize(("old", "new"), REFUSED_PAIRS, ids=_ids(REFUSED_PAIRS))
def test_it_refuses(old, new, cole):
    exchange = _exchange_in(old)
    before = _snapshot(exchange)
    changes_before = ExchangeStatusChange.objects.count()
    events_before = AuditEvent.objects.count()

    with pytest.raises(DomainError) as refused:
        exchange_set_status(
            exchange=exchange, new_status=new, actor=cole, reason="A reason, so that only the move itself is wrong"
        )

    assert str(refused.value.message)
    assert refused.value.code == ("same_status" if old == new else "illegal_transition")
    assert _snapshot(exchange) == before
    assert ExchangeStatusChange.objects.count() == changes_before
    assert AuditEvent.objects.count() == events_before


NEEDING_A_REASON = sorted(REVERSALS | {(old, new) for old, new in ALLOWED_PAIRS if new == ExchangeStatus.CANCELLED})


@pytest.mark.parametrize(("old", "new"), NEEDING_A_REASON, ids=_ids(NEEDING_A_REASON))
@pytest.mark.parametrize("reason", ["", "   "], ids=["empty", "blank"])
def test_it_refuses_a_move_without_its_reason(old, new, reason, cole):
    exchange = _exchange_in(old)
    before = _snapshot(exchange)
    changes_before = ExchangeStatusChange.objects.count()
    events_before = AuditEvent.objects.count()

    with pytest.raises(DomainError) as refused:
        exchange_set_status(exchange=exchange, new_status=new, actor=cole, reason=reason)

    assert refused.value.code == "reason_required"
    assert refused.value.fields["reason"]
    assert _snapshot(exchange) == before
    assert ExchangeStatusChange.objects.count() == changes_before
    assert AuditEvent.objects.count() == events_before


def test_it_refuses_an_unknown_status(cole):
    exchange = _exchange_in(ExchangeStatus.AGREED)
    before = _snapshot(exchange)

    with pytest.raises(DomainError) as refused:
        exchange_set_status(exchange=exchange, new_status="postponed", actor=cole)

    assert refused.value.code == "unknown_status"
    assert _snapshot(exchange) == before
