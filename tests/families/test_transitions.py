"""Every move of the registration request status machine, allowed or refused."""

import itertools

import pytest

from core.errors import DomainError
from core.models import AuditEvent
from families.models import RegistrationRequest, RequestStatus, RequestStatusChange
from families.services import registration_request_set_status
from families.transitions import ALLOWED, REVERSALS
from tests.factories import PrisonerFactory, RegistrationRequestFactory

PAIRS = list(itertools.product(RequestStatus.values, repeat=2))
ALLOWED_PAIRS = [(old, new) for old, new in PAIRS if new in ALLOWED[old]]
REFUSED_PAIRS = [(old, new) for old, new in PAIRS if new not in ALLOWED[old]]

# Moves the family reads a reason for, besides the reversals.
NEEDS_REASON = {RequestStatus.REJECTED, RequestStatus.INFO_REQUESTED}


def _ids(pairs):
    return [f"{old}->{new}" for old, new in pairs]


def _request_in(status: str) -> RegistrationRequest:
    """A request put straight into ``status``: test setup, not a move under test."""
    request = RegistrationRequestFactory()
    RegistrationRequest.objects.filter(pk=request.pk).update(
        status=status,
        prisoner=PrisonerFactory() if status == RequestStatus.ACCEPTED else None,
        rejection_reason="No evidence of service" if status == RequestStatus.REJECTED else "",
    )
    request.refresh_from_db()
    return request


def _move(request: RegistrationRequest, new_status: str, actor, reason: str = "") -> RequestStatusChange:
    prisoner = PrisonerFactory() if new_status == RequestStatus.ACCEPTED else None
    return registration_request_set_status(
        request=request, new_status=new_status, actor=actor, reason=reason, prisoner=prisoner
    )


def _snapshot(request: RegistrationRequest) -> dict:
    return RegistrationRequest.objects.filter(pk=request.pk).values().get()


def _audit_events_of(request: RegistrationRequest):
    return AuditEvent.objects.filter(target_type="families.registrationrequest", target_id=str(request.pk))


def test_it_lists_a_move_for_every_status():
    assert set(ALLOWED) == set(RequestStatus.values)


@pytest.mark.parametrize(("old", "new"), ALLOWED_PAIRS, ids=_ids(ALLOWED_PAIRS))
def test_it_allows(old, new, carol):
    request = _request_in(old)
    is_reversal = (old, new) in REVERSALS
    reason = "Please send his military ID" if is_reversal or new in NEEDS_REASON else ""
    changes_before = request.status_changes.count()
    events_before = _audit_events_of(request).count()

    change = _move(request, new, carol, reason)

    request.refresh_from_db()
    assert request.status == new
    assert request.version == 2
    if new == RequestStatus.ACCEPTED:
        assert request.prisoner is not None
    if new == RequestStatus.REJECTED:
        assert request.rejection_reason == reason
    assert request.status_changes.count() == changes_before + 1
    change.refresh_from_db()
    assert (change.old_status, change.new_status) == (old, new)
    assert change.actor == carol
    assert change.reason == reason
    assert change.is_reversal is is_reversal
    events = _audit_events_of(request)
    assert events.count() == events_before + 1
    event = events.latest("id")
    assert event.action == "request.status_changed"
    assert event.actor == carol
    assert event.reason == reason
    assert event.changes["status"] == {"old": old, "new": new}
    assert event.changes["reversal"] is is_reversal


@pytest.mark.parametrize(("old", "new"), REFUSED_PAIRS, ids=_ids(REFUSED_PAIRS))
def test_it_refuses(old, new, carol):
    request = _request_in(old)
    before = _snapshot(request)
    changes_before = RequestStatusChange.objects.count()
    events_before = AuditEvent.objects.count()

    with pytest.raises(DomainError) as refused:
        _move(request, new, carol, reason="A reason, so that only the move itself is wrong")

    assert str(refused.value.message)
    assert refused.value.code == ("same_status" if old == new else "illegal_transition")
    assert _snapshot(request) == before
    assert RequestStatusChange.objects.count() == changes_before
    assert AuditEvent.objects.count() == events_before


NEEDING_A_REASON = sorted(REVERSALS | {(old, new) for old, new in ALLOWED_PAIRS if new in NEEDS_REASON})


@pytest.mark.parametrize(("old", "new"), NEEDING_A_REASON, ids=_ids(NEEDING_A_REASON))
@pytest.mark.parametrize("reason", ["", "   "], ids=["empty", "blank"])
def test_it_refuses_a_move_without_its_reason(old, new, reason, carol):
    request = _request_in(old)
    before = _snapshot(request)
    changes_before = RequestStatusChange.objects.count()
    events_before = AuditEvent.objects.count()

    with pytest.raises(DomainError) as refused:
        _move(request, new, carol, reason=reason)

    assert refused.value.code == "reason_required"
    assert refused.value.fields["reason"]
    assert _snapshot(request) == before
    assert RequestStatusChange.objects.count() == changes_before
    assert AuditEvent.objects.count() == events_before


def test_it_refuses_an_unknown_status(carol):
    request = _request_in(RequestStatus.IN_REVIEW)
    before = _snapshot(request)

    with pytest.raises(DomainError) as refused:
        _move(request, "lost", carol)

    assert refused.value.code == "unknown_status"
    assert _snapshot(request) == before
