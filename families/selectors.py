"""What a family member, or a visitor with an access code, may read.

Pages and the API call these, so each rule lives here once. A request that
does not exist and a request that is not yours look the same: 404.
"""

from dataclasses import dataclass

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, check_password
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

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
from notifications.models import Notification
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


def _evidence_data(items) -> list[dict]:
    return [
        {
            "kind": item.kind,
            "description": item.description,
            "link": item.url,
            "identified_by": item.identified_by,
            "identified_on": item.identified_on,
            "file_name": item.original_name,
            "type": item.content_type,
            "size": item.size,
            "sha256": item.sha256,
            "uploaded_at": item.uploaded_at,
        }
        for item in items
    ]


def _request_data(request: RegistrationRequest) -> dict:
    return {
        "reference": request.reference,
        "status": request.status,
        "filed_at": request.created_at,
        "status_changed_at": request.status_changed_at,
        "consent_to_processing_given_at": request.consent_given_at,
        "filer": {
            "name": request.filer_name,
            "email": request.filer_email,
            "phone": request.filer_phone,
            "relationship": request.filer_relationship,
            "language": request.language,
        },
        "relative": {
            "surname": request.surname,
            "given_names": request.given_names,
            "patronymic": request.patronymic,
            "date_of_birth": request.date_of_birth,
            "date_of_birth_accuracy": request.date_of_birth_accuracy,
            "place_of_birth": request.place_of_birth,
            "mothers_maiden_name": request.mothers_maiden_name,
            "citizenship": request.citizenship,
            "serves_in_the_forces_of": request.party.name if request.party else "",
            "rank": request.rank,
            "service_number": request.service_number,
            "unit": request.unit,
            "military_status": request.military_status,
            "last_contact_on": request.last_contact_on,
            "capture_date": request.capture_date,
            "capture_place": request.capture_place,
            "circumstances": request.circumstances,
        },
        "rejection_reason": request.rejection_reason,
        # The moves the family sees on the request's page; staff notes stay with staff.
        "status_changes": [
            {"from": change.old_status, "to": change.new_status, "at": change.created_at}
            for change in request.status_changes.all()
        ],
        "messages": [
            {
                "direction": message.direction,
                "text": message.body,
                "at": message.created_at,
                "evidence": _evidence_data(message.evidence.all()),
            }
            for message in request.messages.all()
        ],
        "evidence": _evidence_data(request.evidence.all()),
    }


def family_member_data(member: FamilyMember) -> dict:
    """Everything held about one family member, for them to download: theirs alone.

    Every part is read through a tie to this member's account; a prisoner
    appears by record id only, since his record is not theirs.
    """
    user = member.user
    requests = (
        RegistrationRequest.objects.filter(filed_by=member)
        .select_related("party")
        .prefetch_related(
            Prefetch("status_changes", queryset=RequestStatusChange.objects.order_by("created_at", "pk")),
            Prefetch(
                "messages",
                queryset=RequestMessage.objects.order_by("created_at", "pk").prefetch_related("evidence"),
            ),
            "evidence",
        )
        .order_by("created_at", "pk")
    )
    notifications = Notification.objects.filter(recipient=user).select_related("request").order_by("created_at", "pk")
    return {
        "exported_at": timezone.now(),
        "account": {
            "username": user.get_username(),
            "email": user.email,
            "joined_at": user.date_joined,
            "last_sign_in_at": user.last_login,
            "email_addresses": [
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in user.emailaddress_set.order_by("pk")
            ],
            "sign_ins": [
                {
                    "at": event.occurred_at,
                    "step": event.step,
                    "succeeded": event.succeeded,
                    "address": event.ip_address,
                    "browser": event.user_agent,
                }
                for event in user.sign_ins.order_by("occurred_at", "pk")
            ],
        },
        "profile": {
            "full_name": member.full_name,
            "phone": member.phone,
            "telegram_handle": member.telegram_handle,
            "preferred_language": member.preferred_language,
            "notify_by_email": member.notify_by_email,
            "notify_by_sms": member.notify_by_sms,
            "notify_by_telegram": member.notify_by_telegram,
            "created_at": member.created_at,
        },
        "consents": {
            "processing": [
                {"request": request.reference, "given_at": request.consent_given_at} for request in requests
            ],
            "email_notices_stopped": [
                {"kind": opt_out.kind, "at": opt_out.created_at} for opt_out in user.email_opt_outs.order_by("pk")
            ],
        },
        "relationships": [
            {
                "prisoner_record": relationship.prisoner_id,
                "relationship": relationship.kind,
                "created_at": relationship.created_at,
                "verified_at": relationship.verified_at,
            }
            for relationship in member.relationships.order_by("created_at", "pk")
        ],
        "requests": [_request_data(request) for request in requests],
        "notifications": [
            {
                "kind": notification.kind,
                "channel": notification.channel,
                "language": notification.language,
                "state": notification.state,
                "request": notification.request.reference if notification.request else "",
                "prisoner_record": notification.prisoner_id,
                "created_at": notification.created_at,
                "sent_at": notification.sent_at,
            }
            for notification in notifications
        ],
    }
