"""Reconciling the other side's list for an exchange with our records, row by row.

The other side spells our people its own way (Latin transliterations,
Russian forms of Ukrainian names), so each row of its list is matched with
the transliteration-aware search and a coordinator decides every row: the
match is confirmed, corrected by hand, or the person is not on our records.
An exchange is agreed only once every row of its latest list is decided
(``exchanges.selectors.exchange_reconcile_pending``).
"""

from collections import Counter

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from core.audit import audit_record
from core.concurrency import lock_for_update
from core.errors import DomainError
from exchanges.counterparty import ParsedRow, counterparty_rows_read
from exchanges.models import (
    CounterpartyList,
    CounterpartyRow,
    Direction,
    Exchange,
    ExchangeEntry,
    MatchState,
    RowDecision,
)
from exchanges.services import exchange_entry_add
from prisoners.matching.scoring import HIGH, MEDIUM
from prisoners.matching.search import Candidate, candidates_find, person_query_read
from prisoners.models import Prisoner

DECISIONS = (RowDecision.CONFIRMED, RowDecision.CORRECTED, RowDecision.NOT_OURS)


def _refuse_if_closed(exchange: Exchange) -> None:
    if not exchange.is_open:
        raise DomainError(
            _("This exchange is %(status)s: the other side's list can no longer be reconciled.")
            % {"status": exchange.get_status_display().lower()},
            code="exchange_closed",
        )


def _match_state(found: list[Candidate]) -> MatchState:
    """Matched only when one record alone is a high-confidence match; a second one makes it uncertain."""
    if not found or found[0].confidence not in (HIGH, MEDIUM):
        return MatchState.NOT_FOUND
    if found[0].confidence == HIGH and (len(found) < 2 or found[1].confidence != HIGH):
        return MatchState.MATCHED
    return MatchState.UNCERTAIN


def _matched_row(parsed: ParsedRow) -> CounterpartyRow:
    query = person_query_read(
        surname=parsed.surname,
        given_name=parsed.given_name,
        patronymic=parsed.patronymic,
        date_of_birth=parsed.date_of_birth,
        service_number=parsed.service_number,
    )
    # Reasons are stored in English, the source language of their
    # translations, and shown in the reader's language.
    with override("en"):
        found = candidates_find(query, limit=2)
    state = _match_state(found)
    # A row we found nobody for names nobody: one click must not confirm a weak guess.
    best = found[0] if state != MatchState.NOT_FOUND else None
    return CounterpartyRow(
        line=parsed.line,
        surname=parsed.surname,
        given_name=parsed.given_name,
        patronymic=parsed.patronymic,
        date_of_birth=parsed.date_of_birth,
        service_number=parsed.service_number,
        state=state,
        candidate_id=best.prisoner_id if best else None,
        score=best.score if best else 0,
        reasons=[str(reason) for reason in best.reasons] if best else [],
    )


def _shared_matches_unsettle(rows: list[CounterpartyRow]) -> None:
    """Two rows matched to one record cannot both be right: neither is a clean match."""
    shared = Counter(row.candidate_id for row in rows if row.state == MatchState.MATCHED)
    for row in rows:
        if row.state == MatchState.MATCHED and shared[row.candidate_id] > 1:
            row.state = MatchState.UNCERTAIN


def counterparty_list_upload(*, exchange: Exchange, upload, direction: str, actor) -> CounterpartyList:
    """Read the other side's list, match each row with our records and keep it for the coordinator.

    Every row stays undecided, even one matched to a person already on our
    list: the coordinator confirms each. The file is read and matched before
    the write transaction opens, so the exchange is locked only while the
    rows are written; a file with any bad row is refused whole, before
    anything is written.
    """
    _refuse_if_closed(exchange)
    if direction not in Direction.values:
        raise DomainError(
            _("Choose whether we receive or hand over the people on this list."),
            fields={"direction": [str(_("Unknown direction."))]},
        )
    rows = [_matched_row(parsed) for parsed in counterparty_rows_read(upload)]
    _shared_matches_unsettle(rows)
    with transaction.atomic():
        exchange = lock_for_update(exchange)
        _refuse_if_closed(exchange)
        counterparty_list = CounterpartyList.objects.create(
            exchange=exchange,
            direction=direction,
            original_name=(upload.name or "")[-255:],
            uploaded_by=actor,
        )
        for row in rows:
            row.counterparty_list = counterparty_list
        CounterpartyRow.objects.bulk_create(rows, batch_size=1000)
        states = Counter(row.state for row in rows)
        # Counts only: the names on the list stay out of the audit trail.
        audit_record(
            actor=actor,
            action="exchange.counterparty_list_uploaded",
            target=exchange,
            changes={
                "list": counterparty_list.pk,
                "direction": direction,
                "rows": len(rows),
                **{state: states[state] for state in MatchState.values},
            },
        )
    return counterparty_list


def _chosen_prisoner(row: CounterpartyRow, decision: str, prisoner: Prisoner | None) -> Prisoner | None:
    if decision == RowDecision.NOT_OURS:
        return None
    if decision == RowDecision.CONFIRMED:
        if row.candidate is None:
            raise DomainError(
                _("Row %(row)d has no match to confirm: choose the person by hand.") % {"row": row.line},
                code="no_candidate",
                fields={"decision": [str(_("Nothing to confirm."))]},
            )
        return row.candidate
    if prisoner is None:
        raise DomainError(
            _("Choose the person on our records that row %(row)d describes.") % {"row": row.line},
            code="prisoner_required",
            fields={"prisoner": [str(_("Choose a person."))]},
        )
    return prisoner


def _refuse_if_named_by_another_row(row: CounterpartyRow, prisoner: Prisoner) -> None:
    other = (
        CounterpartyRow.objects.filter(counterparty_list_id=row.counterparty_list_id, prisoner=prisoner)
        .exclude(pk=row.pk)
        .values_list("line", flat=True)
        .first()
    )
    if other is not None:
        raise DomainError(
            _("Row %(other)d of this list already names %(prisoner)s.")
            % {"other": other, "prisoner": prisoner.full_name},
            code="prisoner_named_twice",
            fields={"prisoner": [str(_("Already named by row %(other)d.") % {"other": other})]},
        )


def _entry_ensure(*, exchange: Exchange, prisoner: Prisoner, direction: str, actor) -> bool:
    """Put ``prisoner`` on the exchange's list in ``direction`` unless he is there; True when added.

    An entry he already has counts as it stands, withdrawn or not: putting a
    withdrawn person back is ``exchange_entry_set_outcome``'s decision.
    """
    entry = ExchangeEntry.objects.filter(exchange=exchange, prisoner=prisoner).first()
    if entry is None:
        exchange_entry_add(exchange=exchange, prisoner=prisoner, direction=direction, actor=actor)
        return True
    if entry.direction != direction:
        raise DomainError(
            _("%(prisoner)s is on this exchange's list as “%(direction)s”, not as the other side's list says.")
            % {"prisoner": prisoner.full_name, "direction": entry.get_direction_display()},
            code="direction_conflict",
            fields={"prisoner": [str(_("On the list in the other direction."))]},
        )
    return False


@transaction.atomic
def counterparty_row_decide(
    *, row: CounterpartyRow, decision: str, actor, prisoner: Prisoner | None = None
) -> CounterpartyRow:
    """Record the coordinator's decision on one row of the other side's list.

    Confirming or correcting a row puts the person on the exchange's list in
    the list's direction when he is not on it yet, in the same transaction:
    if the exchange refuses him, the decision is not recorded either. A
    decision may be changed while the exchange is open; changing it away
    from a person does not take him off the exchange's list, which is a
    decision of its own (``exchange_entry_set_outcome``).
    """
    if decision not in DECISIONS:
        raise DomainError(
            _("Choose a decision for this row."),
            code="invalid_decision",
            fields={"decision": [str(_("Unknown decision."))]},
        )
    # The exchange first, as every writer to its list locks it: decisions on
    # one list are taken one at a time, so two rows cannot name one person.
    exchange_id = CounterpartyList.objects.values_list("exchange_id", flat=True).get(pk=row.counterparty_list_id)
    exchange = Exchange.objects.select_for_update().get(pk=exchange_id)
    locked_rows = CounterpartyRow.objects.select_for_update(of=("self",))
    row = locked_rows.select_related("counterparty_list", "candidate").get(pk=row.pk)
    _refuse_if_closed(exchange)
    chosen = _chosen_prisoner(row, decision, prisoner)
    added = False
    if chosen is not None:
        _refuse_if_named_by_another_row(row, chosen)
        added = _entry_ensure(
            exchange=exchange, prisoner=chosen, direction=row.counterparty_list.direction, actor=actor
        )
    old = {"decision": row.decision, "prisoner": row.prisoner_id}
    row.decision = decision
    row.prisoner = chosen
    row.decided_by = actor
    row.decided_at = timezone.now()
    row.save(update_fields=["decision", "prisoner", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action="exchange.counterparty_row_decided",
        target=exchange,
        changes={
            "list": row.counterparty_list_id,
            "row": row.line,
            "decision": {"old": old["decision"], "new": decision},
            "prisoner": {"old": old["prisoner"], "new": row.prisoner_id},
            "entry_added": added,
        },
    )
    return row


def reconcile_summary(counterparty_list: CounterpartyList) -> dict:
    """How many rows were matched, uncertain or not found, and how many are decided which way."""
    counts = CounterpartyRow.objects.filter(counterparty_list=counterparty_list).aggregate(
        total=Count("pk"),
        **{f"state_{state}": Count("pk", filter=Q(state=state)) for state in MatchState.values},
        **{f"decision_{decision}": Count("pk", filter=Q(decision=decision)) for decision in DECISIONS},
        undecided=Count("pk", filter=Q(decision=RowDecision.UNDECIDED)),
    )
    return {
        "total": counts["total"],
        "states": {state: counts[f"state_{state}"] for state in MatchState.values},
        "decisions": {decision.value: counts[f"decision_{decision}"] for decision in DECISIONS},
        "undecided": counts["undecided"],
    }
