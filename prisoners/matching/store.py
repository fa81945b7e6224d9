"""Candidate matches kept for caseworkers, and their decisions.

A new registration request, an edited record and each imported row are
matched after their transaction commits (``prisoners.tasks``); the subject's
``matched_at`` is cleared when its identity changes and set here, so a
match lost on the way (a broker down at the wrong moment) is found again by
``match_sweep``. Recomputing replaces the undecided candidates; a pair a
caseworker decided on, either way, stays as decided and is never proposed
again.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from core.audit import audit_record
from core.errors import DomainError
from prisoners.matching.dates import PartialDate
from prisoners.matching.scoring import LOW, PersonQuery
from prisoners.matching.search import Candidate, candidates_find
from prisoners.models import MatchCandidate, MatchDecision, Prisoner

# What is kept for a caseworker: the best few that are at least ``medium``.
STORED_CANDIDATES = 5


def person_query_of(record) -> PersonQuery:
    """The query a prisoner record or a registration request asks: the same identity fields."""
    date = None
    if record.date_of_birth is not None:
        date = PartialDate.from_date(record.date_of_birth, record.date_of_birth_accuracy)
    return PersonQuery(
        surname=record.surname,
        given_name=record.given_names,
        patronymic=record.patronymic,
        date_of_birth=date,
        service_number=record.service_number,
        unit=record.unit,
    )


def _candidates_replace(*, subject_filter: dict, query: PersonQuery, exclude_ids: set[int]) -> list[MatchCandidate]:
    decided = set(
        MatchCandidate.objects.filter(**subject_filter).exclude(decision="").values_list("candidate_id", flat=True)
    )
    # Reasons are stored in English, the source language of their
    # translations, and shown in the reader's language.
    with override("en"):
        found: list[Candidate] = candidates_find(query, limit=STORED_CANDIDATES, exclude_ids=decided | exclude_ids)
    rows = [
        MatchCandidate(
            **subject_filter,
            candidate_id=candidate.prisoner_id,
            score=candidate.score,
            confidence=candidate.confidence,
            reasons=[str(reason) for reason in candidate.reasons],
        )
        for candidate in found
        if candidate.confidence != LOW
    ]
    MatchCandidate.objects.filter(**subject_filter, decision="").delete()
    return MatchCandidate.objects.bulk_create(rows)


def _decided_other_way(prisoner: Prisoner):
    """Decided pairs in which ``prisoner`` was the candidate of another record."""
    return MatchCandidate.objects.filter(candidate=prisoner, prisoner__isnull=False).exclude(decision="")


@transaction.atomic
def prisoner_matches_store(prisoner_id: int) -> list[MatchCandidate]:
    """Look for other records of the same person as record ``prisoner_id``."""
    prisoner = Prisoner.objects.select_for_update().filter(pk=prisoner_id).first()
    if prisoner is None:
        return []
    # Two records are one pair whichever of them was matched: decided as A ~ B, never proposed as B ~ A.
    decided_other_way = _decided_other_way(prisoner).values_list("prisoner_id", flat=True)
    stored = _candidates_replace(
        subject_filter={"prisoner": prisoner},
        query=person_query_of(prisoner),
        exclude_ids={prisoner.pk, *decided_other_way},
    )
    Prisoner.objects.filter(pk=prisoner.pk).update(matched_at=timezone.now())
    return stored


@transaction.atomic
def request_matches_store(request_id: int) -> list[MatchCandidate]:
    """Look for records of the person a registration request is about."""
    from families.models import RegistrationRequest

    request = RegistrationRequest.objects.select_for_update().filter(pk=request_id).first()
    if request is None:
        return []
    stored = _candidates_replace(subject_filter={"request": request}, query=person_query_of(request), exclude_ids=set())
    RegistrationRequest.objects.filter(pk=request.pk).update(matched_at=timezone.now())
    return stored


def open_requests_unmatch() -> int:
    """Mark every open request for matching again by ``match_sweep``; how many were marked."""
    from families.models import OPEN_REQUEST_STATUSES, RegistrationRequest

    open_requests = RegistrationRequest.objects.filter(status__in=OPEN_REQUEST_STATUSES, matched_at__isnull=False)
    return open_requests.update(matched_at=None)


@transaction.atomic
def match_decide(*, match: MatchCandidate, decision: str, actor) -> MatchCandidate:
    """Record a caseworker's decision on a proposed pair; it is not proposed again."""
    if decision not in MatchDecision.values:
        raise DomainError(_("Choose “same person” or “not the same person”."), code="decision_invalid")
    match = MatchCandidate.objects.select_for_update().get(pk=match.pk)
    if match.decision:
        raise DomainError(_("Someone has already decided on this pair."), code="already_decided")
    match.decision = decision
    match.decided_by = actor
    match.decided_at = timezone.now()
    match.save(update_fields=["decision", "decided_by", "decided_at"])
    if match.prisoner_id is not None:
        # The same pair, proposed the other way round, is decided with it.
        MatchCandidate.objects.filter(prisoner=match.candidate_id, candidate=match.prisoner_id, decision="").delete()
    subject = match.request or match.prisoner
    audit_record(
        actor=actor,
        action="match.decided",
        target=subject,
        changes={"candidate": match.candidate_id, "decision": decision, "score": match.score},
    )
    return match
