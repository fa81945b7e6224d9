"""Every write to an exchange and its list."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.audit import audit_record
from core.concurrency import lock_for_update, require_reason, validated
from core.errors import DomainError
from exchanges import priority
from exchanges.models import (
    Direction,
    EntryOutcome,
    Exchange,
    ExchangeEntry,
    ExchangeStatus,
    ExchangeStatusChange,
    InclusionRelease,
)
from exchanges.selectors import exchange_reconcile_pending
from exchanges.transitions import MACHINE
from notifications.outbox import outbox_batch, outbox_enqueue
from prisoners.models import CaseStatus, Prisoner, Source
from prisoners.services import prisoner_set_status

# The most people one "assemble" may propose at once.
ASSEMBLE_MAX = 5000


@transaction.atomic
def exchange_create(
    *, actor, title: str, our_party, other_party, mediator=None, planned_date=None, notes: str = ""
) -> Exchange:
    if our_party == other_party:
        raise DomainError(
            _("An exchange is between two different parties."),
            fields={"other_party": [str(_("Choose the other side of the exchange."))]},
        )
    if mediator is not None and mediator in (our_party, other_party):
        raise DomainError(
            _("The mediator must be a third party."),
            fields={"mediator": [str(_("Choose a party that is not a side of the exchange."))]},
        )
    exchange = validated(
        Exchange(
            title=title,
            our_party=our_party,
            other_party=other_party,
            mediator=mediator,
            planned_date=planned_date,
            notes=notes,
            created_by=actor,
        )
    )
    exchange.save()
    # A draft is news to nobody: its first status change has no notices to send.
    ExchangeStatusChange.objects.create(
        exchange=exchange,
        old_status="",
        new_status=ExchangeStatus.DRAFT,
        actor=actor,
        notifications_claimed_at=exchange.created_at,
    )
    audit_record(actor=actor, action="exchange.created", target=exchange, changes={"title": title})
    return exchange


def _refuse_if_closed(exchange: Exchange) -> None:
    if not exchange.is_open:
        raise DomainError(
            _("This exchange is %(status)s: its list can no longer change.")
            % {"status": exchange.get_status_display().lower()},
            code="exchange_closed",
        )


def _refuse_if_in_another_open_exchange(prisoner: Prisoner) -> None:
    other = ExchangeEntry.objects.filter(prisoner=prisoner, holds_prisoner=True).select_related("exchange").first()
    if other is not None:
        raise DomainError(
            _("%(prisoner)s is already on the list of another open exchange, “%(exchange)s”.")
            % {"prisoner": prisoner.full_name, "exchange": other.exchange.title},
            code="already_in_open_exchange",
            fields={"prisoner": [str(_("Already in another open exchange."))]},
        )


def _refuse_if_ineligible(prisoner: Prisoner, *, exchange: Exchange, direction: str) -> None:
    why = priority.ineligibility(prisoner, exchange=exchange, direction=direction)
    if why is not None:
        raise DomainError(why, code="ineligible", fields={"prisoner": [str(why)]})


def _refuse_unknown_direction(direction: str) -> None:
    if direction not in Direction.values:
        raise DomainError(
            _("Choose whether we receive or hand over this person."),
            fields={"direction": [str(_("Choose whether we receive or hand over this person."))]},
        )


def _next_position(exchange: Exchange, direction: str) -> int:
    last = exchange.entries.filter(direction=direction).order_by("-position").values_list("position", flat=True).first()
    return (last or 0) + 1


def _entry_changed(exchange: Exchange) -> None:
    exchange.version += 1
    exchange.save(update_fields=["version"])


@transaction.atomic
def exchange_entry_add(
    *,
    exchange: Exchange,
    prisoner: Prisoner,
    direction: str,
    actor,
    reason: str = "",
) -> ExchangeEntry:
    """Put an eligible prisoner on an open exchange's list, at its end, ranked by the exchange's rules."""
    exchange = lock_for_update(exchange)
    _refuse_if_closed(exchange)
    _refuse_unknown_direction(direction)
    # Eligibility is judged on the record as stored, not on the caller's copy of it.
    prisoner = Prisoner.objects.get(pk=prisoner.pk)
    _refuse_if_ineligible(prisoner, exchange=exchange, direction=direction)
    _refuse_if_in_another_open_exchange(prisoner)
    ranked = priority.rank_of(prisoner, priority.weights_of(exchange), timezone.localdate())
    entry = ExchangeEntry(
        exchange=exchange,
        prisoner=prisoner,
        direction=direction,
        priority_category=ranked.category,
        priority_score=ranked.score,
        priority_reasons=ranked.reasons,
        position=_next_position(exchange, direction),
        added_by=actor,
    )
    try:
        # The savepoint keeps the caller's transaction usable when the
        # database refuses a race that the check above could not see.
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        raise DomainError(
            _("%(prisoner)s is already on this list or on another open exchange.") % {"prisoner": prisoner.full_name},
            code="already_in_open_exchange",
            fields={"prisoner": [str(_("Already in an open exchange."))]},
        ) from None
    _entry_changed(exchange)
    audit_record(
        actor=actor,
        action="exchange.entry_added",
        target=exchange,
        reason=reason,
        changes={"prisoner": prisoner.pk, "direction": direction},
    )
    return entry


@transaction.atomic
def exchange_assemble(*, exchange: Exchange, direction: str, count: int, actor) -> list[ExchangeEntry]:
    """Fill the list of ``direction`` up to ``count`` people with the highest-ranked of the pool.

    Whoever is on the list already stays where he is, pinned or not; the
    newcomers follow in the order of the rules. Returns the entries added.
    """
    exchange = lock_for_update(exchange)
    _refuse_if_closed(exchange)
    _refuse_unknown_direction(direction)
    if not 1 <= count <= ASSEMBLE_MAX:
        message = _("Enter a number of people from 1 to %(max)d.") % {"max": ASSEMBLE_MAX}
        raise DomainError(message, code="invalid_count", fields={"count": [str(message)]})
    listed = exchange.entries.filter(direction=direction).exclude(outcome=EntryOutcome.WITHDRAWN).count()
    wanted = count - listed
    if wanted <= 0:
        return []
    on_list = exchange.entries.values_list("prisoner_id", flat=True)
    ranked = priority.ranked_pool(exchange, direction, limit=wanted, exclude_ids=set(on_list))
    position = _next_position(exchange, direction)
    entries = [
        ExchangeEntry(
            exchange=exchange,
            prisoner_id=rank.prisoner_id,
            direction=direction,
            priority_category=rank.category,
            priority_score=rank.score,
            priority_reasons=rank.reasons,
            position=position + index,
            added_by=actor,
        )
        for index, rank in enumerate(ranked)
    ]
    try:
        with transaction.atomic():
            ExchangeEntry.objects.bulk_create(entries)
    except IntegrityError:
        raise DomainError(
            _(
                "Someone put some of these people on another open exchange while the list was assembled. "
                "Nothing was added: assemble again."
            ),
            code="already_in_open_exchange",
        ) from None
    _entry_changed(exchange)
    audit_record(
        actor=actor,
        action="exchange.assembled",
        target=exchange,
        changes={"direction": direction, "count": count, "added": [entry.prisoner_id for entry in entries]},
    )
    return entries


def _locked_entry(entry: ExchangeEntry) -> tuple[ExchangeEntry, Exchange]:
    exchange = lock_for_update(entry.exchange)
    entry = ExchangeEntry.objects.select_for_update(of=("self",)).select_related("prisoner").get(pk=entry.pk)
    _refuse_if_closed(exchange)
    return entry, exchange


def _renumber(exchange: Exchange, direction: str, order: list[int]) -> None:
    """Give the entries of ``order`` (ids) the positions 1, 2, … in one statement."""
    entries = list(ExchangeEntry.objects.filter(pk__in=order))
    by_id = {entry.pk: entry for entry in entries}
    for position, pk in enumerate(order, start=1):
        by_id[pk].position = position
    ExchangeEntry.objects.bulk_update(entries, ["position"])


@transaction.atomic
def exchange_entry_remove(*, entry: ExchangeEntry, actor, reason: str = "") -> None:
    """Take a person off a list that families have not been told of; after that, withdraw him instead."""
    entry, exchange = _locked_entry(entry)
    if exchange.inclusion_released_at is not None or entry.outcome != EntryOutcome.PENDING:
        raise DomainError(
            _("%(prisoner)s cannot be removed: the list was released to families or he has an outcome. Withdraw him.")
            % {"prisoner": entry.prisoner.full_name},
            code="withdraw_instead",
        )
    prisoner_id, direction = entry.prisoner_id, entry.direction
    entry.delete()
    order = list(exchange.entries.filter(direction=direction).order_by("position", "id").values_list("pk", flat=True))
    _renumber(exchange, direction, order)
    _entry_changed(exchange)
    audit_record(
        actor=actor,
        action="exchange.entry_removed",
        target=exchange,
        reason=reason.strip(),
        changes={"prisoner": prisoner_id, "direction": direction},
    )


@transaction.atomic
def exchange_entry_pin(*, entry: ExchangeEntry, pinned: bool, actor) -> ExchangeEntry:
    """Pin a person to his place: re-ranking leaves him there, and the coordinator sees he was placed by hand."""
    entry, exchange = _locked_entry(entry)
    entry.pinned = pinned
    entry.save(update_fields=["pinned"])
    _entry_changed(exchange)
    audit_record(
        actor=actor,
        action="exchange.entry_pinned" if pinned else "exchange.entry_unpinned",
        target=exchange,
        changes={"prisoner": entry.prisoner_id},
    )
    return entry


@transaction.atomic
def exchange_entry_move(*, entry: ExchangeEntry, position: int, actor) -> ExchangeEntry:
    """Move a person to ``position`` on his side of the list; the others close up around him."""
    entry, exchange = _locked_entry(entry)
    order = [
        pk
        for pk in exchange.entries.filter(direction=entry.direction)
        .order_by("position", "id")
        .values_list("pk", flat=True)
        if pk != entry.pk
    ]
    if not 1 <= position <= len(order) + 1:
        message = _("Choose a place from 1 to %(last)d.") % {"last": len(order) + 1}
        raise DomainError(message, code="invalid_position", fields={"position": [str(message)]})
    old = entry.position
    order.insert(position - 1, entry.pk)
    _renumber(exchange, entry.direction, order)
    _entry_changed(exchange)
    audit_record(
        actor=actor,
        action="exchange.entry_moved",
        target=exchange,
        changes={"prisoner": entry.prisoner_id, "position": {"old": old, "new": position}},
    )
    entry.refresh_from_db()
    return entry


@transaction.atomic
def exchange_rerank(*, exchange: Exchange, weights: dict, actor) -> Exchange:
    """Weigh the priority rules anew and re-sort each side of the list by them; pinned people keep their places."""
    exchange = lock_for_update(exchange)
    _refuse_if_closed(exchange)
    old = priority.weights_of(exchange)
    exchange.priority_weights = weights
    today = timezone.localdate()
    for direction in Direction.values:
        entries = list(exchange.entries.filter(direction=direction).select_related("prisoner").order_by("position"))
        for entry in entries:
            rank = priority.rank_of(entry.prisoner, weights, today)
            entry.priority_category, entry.priority_score, entry.priority_reasons = (
                rank.category,
                rank.score,
                rank.reasons,
            )
            entry.rank_key = rank.sort_key()
        free = iter(sorted((e for e in entries if not e.pinned), key=lambda e: e.rank_key, reverse=True))
        ordered = [entry if entry.pinned else next(free) for entry in entries]
        for position, entry in enumerate(ordered, start=1):
            entry.position = position
        ExchangeEntry.objects.bulk_update(
            entries, ["priority_category", "priority_score", "priority_reasons", "position"]
        )
    exchange.version += 1
    exchange.save(update_fields=["priority_weights", "version"])
    audit_record(
        actor=actor, action="exchange.reranked", target=exchange, changes={"weights": {"old": old, "new": weights}}
    )
    return exchange


@transaction.atomic
def exchange_entry_set_outcome(*, entry: ExchangeEntry, outcome: str, actor, reason: str = "") -> ExchangeEntry:
    """Record what became of a person on the list, or withdraw him from it."""
    entry = lock_for_update(entry)
    exchange = lock_for_update(entry.exchange)
    _refuse_if_closed(exchange)
    if outcome not in EntryOutcome.values:
        raise DomainError(_("Unknown outcome."), fields={"outcome": [str(_("Unknown outcome."))]})
    if outcome == EntryOutcome.WITHDRAWN:
        require_reason(reason, _("Say why this person is withdrawn from the list."))
    old = entry.outcome
    holds_prisoner = outcome != EntryOutcome.WITHDRAWN
    if holds_prisoner and not entry.holds_prisoner:
        # Putting back a withdrawn person: he may have joined another open
        # exchange since.
        _refuse_if_in_another_open_exchange(entry.prisoner)
    entry.outcome = outcome
    entry.holds_prisoner = holds_prisoner
    try:
        with transaction.atomic():
            entry.save(update_fields=["outcome", "holds_prisoner"])
    except IntegrityError:
        raise DomainError(
            _("%(prisoner)s is already on another open exchange.") % {"prisoner": entry.prisoner.full_name},
            code="already_in_open_exchange",
            fields={"prisoner": [str(_("Already in an open exchange."))]},
        ) from None
    exchange.version += 1
    exchange.save(update_fields=["version"])
    audit_record(
        actor=actor,
        action="exchange.entry_outcome",
        target=exchange,
        reason=reason,
        changes={"prisoner": entry.prisoner_id, "outcome": {"old": old, "new": outcome}},
    )
    return entry


def _refuse_if_unreconciled(exchange: Exchange) -> None:
    """The agreed list is the reconciled one: every row of the other side's latest list must be decided."""
    undecided = exchange_reconcile_pending(exchange)
    if undecided:
        raise DomainError(
            ngettext(
                "Reconcile the other side's list first: %(count)d row is not decided.",
                "Reconcile the other side's list first: %(count)d rows are not decided.",
                undecided,
            )
            % {"count": undecided},
            code="not_reconciled",
        )


def _complete(exchange: Exchange, *, actor) -> list[int]:
    """Release the list and return home everyone recorded as returned."""
    entries = list(exchange.entries.select_related("prisoner").exclude(outcome=EntryOutcome.WITHDRAWN))
    pending = [entry for entry in entries if entry.outcome == EntryOutcome.PENDING]
    if pending:
        raise DomainError(
            _("Record the outcome for every person on the list first: %(count)d still pending.")
            % {"count": len(pending)},
            code="outcomes_pending",
        )
    returned = []
    for entry in entries:
        if entry.outcome == EntryOutcome.RETURNED and entry.prisoner.status != CaseStatus.RETURNED:
            try:
                prisoner_set_status(
                    prisoner=entry.prisoner,
                    new_status=CaseStatus.RETURNED,
                    actor=actor,
                    source=Source.OFFICIAL_LIST,
                    reason=str(_("Returned in the exchange “%(title)s”.") % {"title": exchange.title}),
                )
            except DomainError as exc:
                raise DomainError(
                    _("%(prisoner)s cannot be marked as returned: %(error)s")
                    % {"prisoner": entry.prisoner.full_name, "error": exc.message},
                    code=exc.code,
                ) from None
            returned.append(entry.prisoner_id)
    return returned


@transaction.atomic
def exchange_set_status(
    *, exchange: Exchange, new_status: str, actor, reason: str = "", version: int | None = None
) -> ExchangeStatusChange:
    """Move an exchange to ``new_status``: the one way an exchange's status changes.

    Completing it moves every returned prisoner to ``returned`` in the same
    transaction; completing or cancelling it frees everyone on its list for
    another exchange.
    """
    exchange = lock_for_update(exchange, version=version)
    reason = reason.strip()
    is_reversal = MACHINE.check(old=exchange.status, new=new_status, reason=reason)
    if new_status == ExchangeStatus.CANCELLED:
        require_reason(reason, _("Say why the exchange is cancelled."))
    if new_status == ExchangeStatus.AGREED:
        _refuse_if_unreconciled(exchange)
    now = timezone.now()
    returned = []
    changed_fields = ["status", "status_changed_at", "version"]
    if new_status == ExchangeStatus.COMPLETED:
        with outbox_batch():
            returned = _complete(exchange, actor=actor)
        if exchange.inclusion_released_at is None:
            exchange.inclusion_released_at = now
            changed_fields.append("inclusion_released_at")
    if new_status in (ExchangeStatus.COMPLETED, ExchangeStatus.CANCELLED):
        exchange.entries.filter(holds_prisoner=True).update(holds_prisoner=False)

    old_status = exchange.status
    exchange.status = new_status
    exchange.status_changed_at = now
    exchange.version += 1
    exchange.save(update_fields=changed_fields)
    change = ExchangeStatusChange.objects.create(
        exchange=exchange,
        old_status=old_status,
        new_status=new_status,
        created_at=now,
        actor=actor,
        reason=reason,
        is_reversal=is_reversal,
    )
    audit_record(
        actor=actor,
        action="exchange.status_changed",
        target=exchange,
        reason=reason,
        changes={"status": {"old": old_status, "new": new_status}, "reversal": is_reversal, "returned": returned},
    )
    outbox_enqueue(change)
    return change


@transaction.atomic
def exchange_inclusion_release(*, exchange: Exchange, actor, reason: str = "") -> InclusionRelease:
    """Tell the families of the people we are to receive that they are on this exchange's list."""
    exchange = lock_for_update(exchange)
    _refuse_if_closed(exchange)
    if exchange.inclusion_released_at is not None:
        raise DomainError(_("This list was released to families already."), code="already_released")
    now = timezone.now()
    exchange.inclusion_released_at = now
    exchange.version += 1
    exchange.save(update_fields=["inclusion_released_at", "version"])
    release = InclusionRelease.objects.create(exchange=exchange, actor=actor, reason=reason.strip(), created_at=now)
    audit_record(actor=actor, action="exchange.inclusion_released", target=exchange, reason=reason.strip())
    outbox_enqueue(release)
    return release
