"""Candidate matching in the Celery worker, after the write that asked for it commits."""

from celery import shared_task

from prisoners.matching.store import open_requests_unmatch, prisoner_matches_store, request_matches_store

# Records and requests matched per sweep; the sweep runs every few minutes.
SWEEP_SIZE = 500


@shared_task
def match_prisoners(prisoner_ids: list[int]) -> None:
    for prisoner_id in prisoner_ids:
        prisoner_matches_store(prisoner_id)
    # A request filed before these records existed, or under another
    # spelling, may find its relative among them: the sweep looks again.
    open_requests_unmatch()


@shared_task
def match_request(request_id: int) -> None:
    request_matches_store(request_id)


@shared_task
def match_sweep() -> None:
    """Match what a lost task left unmatched: records and open requests without ``matched_at``."""
    from families.models import OPEN_REQUEST_STATUSES, RegistrationRequest
    from prisoners.models import CaseStatus, Prisoner

    prisoner_ids = Prisoner.objects.filter(matched_at__isnull=True).exclude(status=CaseStatus.MERGED)
    for prisoner_id in prisoner_ids.values_list("pk", flat=True)[:SWEEP_SIZE]:
        prisoner_matches_store(prisoner_id)
    request_ids = RegistrationRequest.objects.filter(matched_at__isnull=True, status__in=OPEN_REQUEST_STATUSES)
    for request_id in request_ids.values_list("pk", flat=True)[:SWEEP_SIZE]:
        request_matches_store(request_id)
