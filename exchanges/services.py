"""Every write to an exchange and its list."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.concurrency import lock_for_update, require_reason, validated
from core.errors import DomainError
from exchanges.models import (
    Direction,
    EntryOutcome,
    Exchange,
    ExchangeEntry,
    ExchangeStatus,
    ExchangeStatusChange,
    InclusionRelease,
)
from exchanges.transitions import MACHINE
from notifications.outbox import outbox_batch, outbox_enqueue
from prisoners.models import CaseStatus, Prisoner, Source
from prisoners.services import prisoner_set_status


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


@transaction.atomic
def exchange_entry_add(
    *,
    exchange: Exchange,
    prisoner: Prisoner,
    direction: str,
    actor,
    priority_category: str = "",
    priority_score=0,
    reason: str = "",
) -> ExchangeEntry:
    """Put a prisoner on an open exchange's list."""
    exchange = lock_for_update(exchange)
    _refuse_if_closed(exchange)
    if direction not in Direction.values:
        raise DomainError(_("Choose whether we receive or hand over this person."), fields={"direction": []})
    _refuse_if_in_another_open_exchange(prisoner)
    position = exchange.entries.filter(direction=direction).count() + 1
    entry = ExchangeEntry(
        exchange=exchange,
        prisoner=prisoner,
        direction=direction,
        priority_category=priority_category,
        priority_score=priority_score,
        position=position,
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
    exchange.version += 1
    exchange.save(update_fields=["version"])
    audit_record(
        actor=actor,
        action="exchange.entry_added",
        target=exchange,
        reason=reason,
        changes={"prisoner": prisoner.pk, "direction": direction},
    )
    return entry


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
