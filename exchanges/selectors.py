"""Reads of exchanges for the staff pages and API: every staff member reads them, coordinators change them."""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.http import Http404

from exchanges import priority
from exchanges.models import (
    CounterpartyList,
    CounterpartyRow,
    Direction,
    EntryOutcome,
    Exchange,
    ExchangeEntry,
    RowDecision,
)
from prisoners.models import Prisoner

POOL_PREVIEW = 20


def exchange_for_staff(*, pk: int) -> Exchange:
    try:
        return Exchange.objects.select_related("our_party", "other_party", "mediator").get(pk=pk)
    except Exchange.DoesNotExist:
        raise Http404 from None


def entry_of_exchange(*, exchange: Exchange, entry_id: int) -> ExchangeEntry:
    """An entry of this exchange's list; 404 for an entry of another exchange, as for one that does not exist."""
    try:
        return exchange.entries.select_related("prisoner").get(pk=entry_id)
    except ExchangeEntry.DoesNotExist:
        raise Http404 from None


def counterparty_list_of_exchange(*, exchange: Exchange, list_id: int) -> CounterpartyList:
    try:
        return exchange.counterparty_lists.get(pk=list_id)
    except CounterpartyList.DoesNotExist:
        raise Http404 from None


def counterparty_row_of_exchange(*, exchange: Exchange, row_id: int) -> CounterpartyRow:
    try:
        return CounterpartyRow.objects.select_related("counterparty_list", "candidate", "prisoner").get(
            pk=row_id, counterparty_list__exchange=exchange
        )
    except CounterpartyRow.DoesNotExist:
        raise Http404 from None


def exchanges_for_staff():
    return (
        Exchange.objects.select_related("our_party", "other_party", "mediator")
        .annotate(
            receive_count=Count(
                "entries", filter=Q(entries__direction=Direction.RECEIVE) & ~Q(entries__outcome=EntryOutcome.WITHDRAWN)
            ),
            hand_over_count=Count(
                "entries",
                filter=Q(entries__direction=Direction.HAND_OVER) & ~Q(entries__outcome=EntryOutcome.WITHDRAWN),
            ),
        )
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class Side:
    """One direction of the swap as the list page shows it."""

    direction: str
    label: str
    entries: list
    count: int


@dataclass(frozen=True)
class ListView:
    sides: list[Side]

    @property
    def counts_differ(self) -> bool:
        return self.sides[0].count != self.sides[1].count


def exchange_list_view(exchange: Exchange) -> ListView:
    """Both sides of the list, in order, each entry with its prisoner and the reasons for its rank: one query."""
    entries = list(exchange.entries.select_related("prisoner").order_by("direction", "position", "id"))
    for entry in entries:
        entry.reason_texts = priority.reason_texts(entry.priority_reasons)
    sides = []
    for direction, label in Direction.choices:
        mine = [entry for entry in entries if entry.direction == direction]
        count = sum(1 for entry in mine if entry.outcome != EntryOutcome.WITHDRAWN)
        sides.append(Side(direction=direction, label=label, entries=mine, count=count))
    return ListView(sides=sides)


@dataclass(frozen=True)
class PoolCandidate:
    prisoner: Prisoner
    rank: priority.Ranked
    reason_texts: list[str]


def pool_preview(exchange: Exchange, direction: str, *, limit: int = POOL_PREVIEW) -> list[PoolCandidate]:
    """The people who would join ``direction``'s list next, best first, with why."""
    ranked = priority.ranked_pool(exchange, direction, limit=limit)
    prisoners = Prisoner.objects.in_bulk([rank.prisoner_id for rank in ranked])
    return [
        PoolCandidate(prisoner=prisoners[rank.prisoner_id], rank=rank, reason_texts=priority.reason_texts(rank.reasons))
        for rank in ranked
        if rank.prisoner_id in prisoners
    ]


def exchange_reconcile_pending(exchange: Exchange) -> int:
    """Undecided rows on the exchange's latest list from the other side; 0 when it has none.

    A newer upload replaces the older lists: only the latest is reconciled.
    """
    latest = CounterpartyList.objects.filter(exchange=exchange).order_by("-uploaded_at", "-id").values("pk")[:1]
    return CounterpartyRow.objects.filter(counterparty_list__in=latest, decision=RowDecision.UNDECIDED).count()
