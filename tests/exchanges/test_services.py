"""Exchanges: building the list, one open exchange per prisoner, completion."""

import pytest

from core.errors import DomainError
from core.models import AuditEvent
from exchanges.models import (
    Direction,
    EntryOutcome,
    Exchange,
    ExchangeEntry,
    ExchangeStatus,
    ExchangeStatusChange,
)
from exchanges.services import (
    exchange_create,
    exchange_entry_add,
    exchange_entry_set_outcome,
    exchange_set_status,
)
from prisoners.models import CaseStatus, Prisoner, Source, StatusChange
from tests.factories import MediatorPartyFactory, OpposingPartyFactory, PartyFactory, PrisonerFactory


@pytest.fixture
def own(db):
    return PartyFactory(code="own", name="Fictional Republic")


@pytest.fixture
def other(db):
    return OpposingPartyFactory()


def _exchange(actor, title="Spring exchange"):
    return exchange_create(
        actor=actor, title=title, our_party=PartyFactory(code="own"), other_party=OpposingPartyFactory()
    )


def _add(exchange, prisoner, actor):
    return exchange_entry_add(exchange=exchange, prisoner=prisoner, direction=Direction.RECEIVE, actor=actor)


def _agree(exchange, actor):
    exchange_set_status(exchange=exchange, new_status=ExchangeStatus.PROPOSED, actor=actor)
    exchange_set_status(exchange=exchange, new_status=ExchangeStatus.AGREED, actor=actor)
    exchange.refresh_from_db()
    return exchange


def _registered():
    return PrisonerFactory(status=CaseStatus.REGISTERED)


def _snapshot(exchange: Exchange) -> dict:
    return {
        "exchange": Exchange.objects.filter(pk=exchange.pk).values().get(),
        "entries": list(ExchangeEntry.objects.order_by("id").values()),
        "prisoners": list(Prisoner.objects.order_by("id").values()),
        "prisoner_changes": StatusChange.objects.count(),
        "exchange_changes": ExchangeStatusChange.objects.count(),
        "events": AuditEvent.objects.count(),
    }


def test_it_creates_a_draft_exchange(cole, own, other):
    exchange = exchange_create(
        actor=cole, title="Spring exchange", our_party=own, other_party=other, mediator=MediatorPartyFactory()
    )

    exchange.refresh_from_db()
    assert (exchange.status, exchange.version, exchange.created_by) == (ExchangeStatus.DRAFT, 1, cole)
    change = exchange.status_changes.get()
    assert (change.old_status, change.new_status) == ("", ExchangeStatus.DRAFT)
    assert AuditEvent.objects.get(target_id=str(exchange.pk), target_type="exchanges.exchange").action == (
        "exchange.created"
    )


@pytest.mark.parametrize("mistake", ["same-sides", "mediator-is-a-side", "no-title"])
def test_it_refuses_a_malformed_exchange(cole, own, other, mistake):
    arguments = {"actor": cole, "title": "Spring exchange", "our_party": own, "other_party": other}
    if mistake == "same-sides":
        arguments["other_party"] = own
    elif mistake == "mediator-is-a-side":
        arguments["mediator"] = other
    else:
        arguments["title"] = ""

    with pytest.raises(DomainError) as refused:
        exchange_create(**arguments)

    assert refused.value.fields
    assert not Exchange.objects.exists()
    assert not AuditEvent.objects.exists()


def test_it_adds_prisoners_to_the_list_in_order(cole):
    exchange = _exchange(cole)

    first = _add(exchange, _registered(), cole)
    second = _add(exchange, _registered(), cole)
    theirs = PrisonerFactory(status=CaseStatus.REGISTERED, party=exchange.other_party, holding_party=exchange.our_party)
    handed_over = exchange_entry_add(exchange=exchange, prisoner=theirs, direction=Direction.HAND_OVER, actor=cole)

    assert [first.position, second.position, handed_over.position] == [1, 2, 1]
    assert all(entry.holds_prisoner for entry in exchange.entries.all())
    exchange.refresh_from_db()
    assert exchange.version == 4
    assert AuditEvent.objects.filter(action="exchange.entry_added").count() == 3


def test_it_refuses_an_unknown_direction(cole):
    exchange = _exchange(cole)

    with pytest.raises(DomainError):
        exchange_entry_add(exchange=exchange, prisoner=_registered(), direction="sideways", actor=cole)

    assert not ExchangeEntry.objects.exists()


def test_it_refuses_a_prisoner_already_in_another_open_exchange(cole):
    prisoner = _registered()
    _add(_exchange(cole, "First"), prisoner, cole)
    second = _exchange(cole, "Second")
    before = _snapshot(second)

    with pytest.raises(DomainError) as refused:
        _add(second, prisoner, cole)

    assert refused.value.code == "already_in_open_exchange"
    assert "First" in str(refused.value.message)
    assert _snapshot(second) == before


def test_it_refuses_the_same_prisoner_twice_on_one_list(cole):
    exchange = _exchange(cole)
    prisoner = _registered()
    entry = _add(exchange, prisoner, cole)
    exchange_entry_set_outcome(entry=entry, outcome=EntryOutcome.WITHDRAWN, actor=cole, reason="Not on their list")
    before = _snapshot(exchange)

    with pytest.raises(DomainError) as refused:
        _add(exchange, prisoner, cole)

    assert refused.value.code == "already_in_open_exchange"
    assert _snapshot(exchange) == before


def test_it_frees_a_prisoner_when_his_exchange_completes(cole):
    prisoner = _registered()
    first = _exchange(cole, "First")
    entry = _add(first, prisoner, cole)
    exchange_entry_set_outcome(entry=entry, outcome=EntryOutcome.NOT_PRESENTED, actor=cole)
    exchange_set_status(exchange=_agree(first, cole), new_status=ExchangeStatus.COMPLETED, actor=cole)

    second_entry = _add(_exchange(cole, "Second"), prisoner, cole)

    assert second_entry.holds_prisoner
    entry.refresh_from_db()
    assert not entry.holds_prisoner


def test_it_frees_a_prisoner_when_his_exchange_is_cancelled(cole):
    prisoner = _registered()
    first = _exchange(cole, "First")
    entry = _add(first, prisoner, cole)
    exchange_set_status(exchange=first, new_status=ExchangeStatus.CANCELLED, actor=cole, reason="Talks broke down")

    second_entry = _add(_exchange(cole, "Second"), prisoner, cole)

    assert second_entry.holds_prisoner
    entry.refresh_from_db()
    assert not entry.holds_prisoner


def test_it_frees_a_prisoner_withdrawn_from_a_list(cole):
    prisoner = _registered()
    entry = _add(_exchange(cole, "First"), prisoner, cole)
    exchange_entry_set_outcome(entry=entry, outcome=EntryOutcome.WITHDRAWN, actor=cole, reason="Moved to Second")

    second_entry = _add(_exchange(cole, "Second"), prisoner, cole)

    assert second_entry.holds_prisoner
    entry.refresh_from_db()
    assert (entry.outcome, entry.holds_prisoner) == (EntryOutcome.WITHDRAWN, False)


def test_it_refuses_to_withdraw_without_a_reason(cole):
    exchange = _exchange(cole)
    entry = _add(exchange, _registered(), cole)
    before = _snapshot(exchange)

    with pytest.raises(DomainError) as refused:
        exchange_entry_set_outcome(entry=entry, outcome=EntryOutcome.WITHDRAWN, actor=cole, reason=" ")

    assert refused.value.code == "reason_required"
    assert _snapshot(exchange) == before


def test_it_refuses_to_put_back_a_prisoner_who_is_now_in_another_open_exchange(cole):
    prisoner = _registered()
    first = _exchange(cole, "First")
    entry = _add(first, prisoner, cole)
    exchange_entry_set_outcome(entry=entry, outcome=EntryOutcome.WITHDRAWN, actor=cole, reason="Moved to Second")
    _add(_exchange(cole, "Second"), prisoner, cole)
    before = _snapshot(first)

    with pytest.raises(DomainError) as refused:
        exchange_entry_set_outcome(entry=entry, outcome=EntryOutcome.PENDING, actor=cole)

    assert refused.value.code == "already_in_open_exchange"
    assert _snapshot(first) == before


def test_it_puts_back_a_withdrawn_prisoner_who_is_free(cole):
    exchange = _exchange(cole)
    entry = _add(exchange, _registered(), cole)
    exchange_entry_set_outcome(entry=entry, outcome=EntryOutcome.WITHDRAWN, actor=cole, reason="Not on their list")

    exchange_entry_set_outcome(entry=entry, outcome=EntryOutcome.PENDING, actor=cole, reason="Back on their list")

    entry.refresh_from_db()
    assert (entry.outcome, entry.holds_prisoner) == (EntryOutcome.PENDING, True)


def test_it_refuses_to_change_the_list_of_a_closed_exchange(cole):
    exchange = _exchange(cole)
    entry = _add(exchange, _registered(), cole)
    exchange_set_status(exchange=exchange, new_status=ExchangeStatus.CANCELLED, actor=cole, reason="Talks broke down")
    latecomer = _registered()
    before = _snapshot(exchange)

    with pytest.raises(DomainError) as adding:
        _add(exchange, latecomer, cole)
    with pytest.raises(DomainError) as recording:
        exchange_entry_set_outcome(entry=entry, outcome=EntryOutcome.RETURNED, actor=cole)

    assert adding.value.code == recording.value.code == "exchange_closed"
    assert _snapshot(exchange) == before


def test_it_completes_an_exchange_and_returns_everyone_recorded_as_returned(cole):
    exchange = _exchange(cole)
    outcomes = [EntryOutcome.RETURNED, EntryOutcome.RETURNED, EntryOutcome.NOT_PRESENTED, EntryOutcome.DECLINED]
    entries = [_add(exchange, _registered(), cole) for _outcome in outcomes]
    withdrawn = _add(exchange, _registered(), cole)
    for entry, outcome in zip(entries, outcomes, strict=True):
        exchange_entry_set_outcome(entry=entry, outcome=outcome, actor=cole)
    exchange_entry_set_outcome(entry=withdrawn, outcome=EntryOutcome.WITHDRAWN, actor=cole, reason="Not on their list")
    exchange = _agree(exchange, cole)

    exchange_set_status(exchange=exchange, new_status=ExchangeStatus.COMPLETED, actor=cole)

    exchange.refresh_from_db()
    assert exchange.status == ExchangeStatus.COMPLETED
    assert exchange.inclusion_released_at is not None
    assert not ExchangeEntry.objects.filter(holds_prisoner=True).exists()
    returned = [entries[0].prisoner, entries[1].prisoner]
    for prisoner in returned:
        prisoner.refresh_from_db()
        assert prisoner.status == CaseStatus.RETURNED
        change = prisoner.status_changes.get()
        assert (change.old_status, change.new_status) == (CaseStatus.REGISTERED, CaseStatus.RETURNED)
        assert (change.actor, change.source, change.is_reversal) == (cole, Source.OFFICIAL_LIST, False)
        assert exchange.title in change.reason
        assert AuditEvent.objects.filter(
            action="prisoner.status_changed", target_type="prisoners.prisoner", target_id=str(prisoner.pk)
        ).exists()
    for entry in [*entries[2:], withdrawn]:
        entry.prisoner.refresh_from_db()
        assert entry.prisoner.status == CaseStatus.REGISTERED
        assert not entry.prisoner.status_changes.exists()
    event = AuditEvent.objects.filter(action="exchange.status_changed").latest("id")
    assert sorted(event.changes["returned"]) == sorted(prisoner.pk for prisoner in returned)


def test_it_does_not_move_a_prisoner_already_returned(cole):
    exchange = _exchange(cole)
    prisoner = _registered()
    exchange_entry_set_outcome(entry=_add(exchange, prisoner, cole), outcome=EntryOutcome.RETURNED, actor=cole)
    # Released by other means while the exchange was negotiated.
    Prisoner.objects.filter(pk=prisoner.pk).update(status=CaseStatus.RETURNED)

    exchange_set_status(exchange=_agree(exchange, cole), new_status=ExchangeStatus.COMPLETED, actor=cole)

    assert not prisoner.status_changes.exists()


@pytest.mark.parametrize("blocked_status", [CaseStatus.DECEASED, CaseStatus.MERGED])
def test_it_completes_nothing_when_one_returned_prisoner_cannot_move(cole, blocked_status):
    exchange = _exchange(cole)
    movable = _registered()
    blocked = _registered()
    for prisoner in (movable, blocked):
        exchange_entry_set_outcome(entry=_add(exchange, prisoner, cole), outcome=EntryOutcome.RETURNED, actor=cole)
    exchange = _agree(exchange, cole)
    Prisoner.objects.filter(pk=blocked.pk).update(
        status=blocked_status, merged_into=PrisonerFactory() if blocked_status == CaseStatus.MERGED else None
    )
    before = _snapshot(exchange)

    with pytest.raises(DomainError) as refused:
        exchange_set_status(exchange=exchange, new_status=ExchangeStatus.COMPLETED, actor=cole)

    assert refused.value.code == "illegal_transition"
    assert blocked.full_name in str(refused.value.message)
    assert _snapshot(exchange) == before
    movable.refresh_from_db()
    assert movable.status == CaseStatus.REGISTERED
    assert ExchangeEntry.objects.filter(exchange=exchange, holds_prisoner=True).count() == 2


def test_it_refuses_to_complete_with_outcomes_pending(cole):
    exchange = _exchange(cole)
    exchange_entry_set_outcome(entry=_add(exchange, _registered(), cole), outcome=EntryOutcome.RETURNED, actor=cole)
    _add(exchange, _registered(), cole)
    exchange = _agree(exchange, cole)
    before = _snapshot(exchange)

    with pytest.raises(DomainError) as refused:
        exchange_set_status(exchange=exchange, new_status=ExchangeStatus.COMPLETED, actor=cole)

    assert refused.value.code == "outcomes_pending"
    assert _snapshot(exchange) == before


def test_it_refuses_a_stale_status_change(cole):
    exchange = _exchange(cole)
    _add(exchange, _registered(), cole)
    before = _snapshot(exchange)

    with pytest.raises(DomainError) as refused:
        exchange_set_status(exchange=exchange, new_status=ExchangeStatus.PROPOSED, actor=cole, version=1)

    assert refused.value.code == "stale"
    assert refused.value.fields["version"] == ["2"]
    assert _snapshot(exchange) == before


def test_it_accepts_a_status_change_at_the_current_version(cole):
    exchange = _exchange(cole)
    _add(exchange, _registered(), cole)

    exchange_set_status(exchange=exchange, new_status=ExchangeStatus.PROPOSED, actor=cole, version=2)

    exchange.refresh_from_db()
    assert (exchange.status, exchange.version) == (ExchangeStatus.PROPOSED, 3)
