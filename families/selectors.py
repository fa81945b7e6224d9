"""What a family member, or a visitor with an access code, may read.

Pages and the API call these, so each rule lives here once. A request that
does not exist and a request that is not yours look the same: 404.
"""

from dataclasses import dataclass

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, check_password
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from core.roles import Capability, user_can
from exchanges.models import ExchangeEntry
from families.models import (
    FAMILY_FACING_REQUEST_STATUS,
    FamilyMember,
    RegistrationRequest,
    Relationship,
    RequestMessage,
    RequestStatusChange,
)
from prisoners.models import FAMILY_FACING_STATUS


def family_member_of(user) -> FamilyMember | None:
    if not user.is_authenticated:
        return None
    # Through the accessor, so that the layout's ``user.family_member`` reuses
    # this row instead of asking again.
    try:
        return user.family_member
    except FamilyMember.DoesNotExist:
        return None


def family_member_or_404(user) -> FamilyMember:
    """The signed-in person's own family profile; staff and outsiders have none (404)."""
    member = family_member_of(user)
    if member is None:
        raise Http404
    return member


def family_member_who_may_file(user) -> FamilyMember | None:
    """The family member, if their role lets them file registration requests."""
    member = family_member_of(user)
    return member if member is not None and user_can(user, Capability.FILE_REQUEST) else None


def requests_filed_by(member: FamilyMember) -> QuerySet[RegistrationRequest]:
    return RegistrationRequest.objects.filter(filed_by=member).order_by("-created_at")


def _with_timeline(queryset: QuerySet[RegistrationRequest]) -> QuerySet[RegistrationRequest]:
    return queryset.prefetch_related(
        Prefetch("status_changes", queryset=RequestStatusChange.objects.order_by("created_at", "id")),
        Prefetch("messages", queryset=RequestMessage.objects.prefetch_related("evidence")),
        "evidence",
    )


def registration_request_for_family(*, user, reference: str) -> RegistrationRequest:
    """The request ``reference`` if ``user`` filed it; 404 otherwise."""
    member = family_member_or_404(user)
    try:
        return _with_timeline(requests_filed_by(member)).get(reference=reference.strip().upper())
    except RegistrationRequest.DoesNotExist:
        raise Http404 from None


def registration_request_by_code(*, reference: str, access_code: str) -> RegistrationRequest | None:
    """The request if the code is its own, else None.

    A wrong reference costs as much time as a wrong code: Django's
    ``check_password`` runs the hasher even when the hash is unusable.
    """
    request = RegistrationRequest.objects.filter(reference=reference.strip().upper()).first()
    code = access_code.strip().upper().replace(" ", "")
    if len(code) == 12 and "-" not in code:
        code = "-".join(code[i : i + 4] for i in range(0, 12, 4))
    # With no request, an unusable hash still makes check_password run the hasher once.
    if check_password(code, request.access_code_hash if request else UNUSABLE_PASSWORD_PREFIX) and request:
        return _with_timeline(RegistrationRequest.objects.filter(pk=request.pk)).get()
    return None


def registration_request_granted(*, reference: str, request_ids) -> RegistrationRequest | None:
    """The request ``reference`` if it is among ``request_ids``, the ones this browser gave the code of.

    A reference that does not exist and one that was not granted both give None.
    """
    found = RegistrationRequest.objects.filter(pk__in=request_ids, reference=reference.strip().upper())
    return _with_timeline(found).first()


@dataclass(frozen=True)
class TimelineEntry:
    at: object
    kind: str  # "status" or "message"
    title: str
    text: str
    direction: str = ""
    evidence: tuple = ()


def request_timeline(request: RegistrationRequest) -> list[TimelineEntry]:
    """Status changes and messages in order, in words a family understands.

    Uses the prefetched rows of ``registration_request_for_family`` and
    ``registration_request_by_code``: no query of its own.
    """
    entries = []
    for change in request.status_changes.all():
        title, text = FAMILY_FACING_REQUEST_STATUS[change.new_status]
        entries.append(TimelineEntry(at=change.created_at, kind="status", title=str(title), text=str(text)))
    for message in request.messages.all():
        entries.append(
            TimelineEntry(
                at=message.created_at,
                kind="message",
                title=message.get_direction_display(),
                text=message.body,
                direction=message.direction,
                evidence=tuple(message.evidence.all()),
            )
        )
    return sorted(entries, key=lambda entry: entry.at)


@dataclass(frozen=True)
class RelativeStatus:
    label: str
    explanation: str
    changed_at: object
    exchange_title: str = ""
    exchange_date: object = None


def relative_status(*, member: FamilyMember | None, request: RegistrationRequest) -> RelativeStatus | None:
    """The family-facing status of the relative, once the relationship is verified.

    Never the place of internment, never negotiation details; an exchange is
    named only once its inclusion is released to families.
    """
    if member is None or request.prisoner_id is None:
        return None
    verified = Relationship.objects.filter(
        family_member=member, prisoner_id=request.prisoner_id, verified_at__isnull=False
    ).select_related("prisoner")
    relationship = verified.first()
    if relationship is None:
        return None
    prisoner = relationship.prisoner
    label, explanation = FAMILY_FACING_STATUS[prisoner.status]
    entry = (
        ExchangeEntry.objects.filter(prisoner=prisoner, exchange__inclusion_released_at__isnull=False)
        .select_related("exchange")
        .order_by("-exchange__inclusion_released_at")
        .first()
    )
    return RelativeStatus(
        label=str(label),
        explanation=str(explanation),
        changed_at=prisoner.status_changed_at,
        exchange_title=entry.exchange.title if entry else "",
        exchange_date=entry.exchange.planned_date if entry else None,
    )
