"""Who is told of what, on which channels and in which language: the one place that says it.

Each rule takes a batch of outbox rows (each a change committed with the
write that caused it) and plans one notification per recipient and channel. The plan's ``key``
names the change, the recipient and the channel, and is unique in the
database, so planning the same change twice never makes a second message.

- A prisoner's status change: every verified relative, on the channels they
  chose. A merge tells the families of both records.
- A registration request received, in need of information, accepted or
  rejected: its filer (another relative does not read someone else's request).
- A family's answer to a question: the caseworker the request is assigned to.
- A request assigned to a caseworker by a colleague: that caseworker.
- An exchange list released to families: the verified relatives of everyone
  we are to receive. When the exchange completes, the relatives of those who
  did not come home (the returned are told by their status change); when a
  released exchange is cancelled, the relatives of everyone it named.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings

from core.roles import is_staff_member
from exchanges.models import Direction, EntryOutcome, ExchangeStatus, ExchangeStatusChange, InclusionRelease
from families.models import (
    FamilyMember,
    Relationship,
    RequestAssignment,
    RequestStatus,
    RequestStatusChange,
)
from notifications.models import (
    OPTIONAL_KINDS,
    RECIPIENT_ACCOUNT,
    RECIPIENT_FILER,
    Channel,
    EmailOptOut,
    NotificationKind,
)
from prisoners.models import CaseStatus, StatusChange

# The request updates a filer hears of; a move into review, or the family's
# own withdrawal, is news to nobody.
REQUEST_UPDATES = frozenset(
    {RequestStatus.SUBMITTED, RequestStatus.INFO_REQUESTED, RequestStatus.ACCEPTED, RequestStatus.REJECTED}
)
# The outcomes of an exchange its relatives hear of as an exchange notice.
NOT_HOME_OUTCOMES = (EntryOutcome.NOT_PRESENTED, EntryOutcome.DECLINED)


@dataclass(frozen=True)
class Planned:
    key: str
    kind: str
    channel: str
    language: str
    recipient_id: int | None
    recipient_kind: str = RECIPIENT_ACCOUNT
    prisoner_id: int | None = None
    request_id: int | None = None
    exchange_id: int | None = None
    context: dict = field(default_factory=dict)


def member_channels(member: FamilyMember) -> list[str]:
    chosen = (
        (Channel.EMAIL, member.notify_by_email and bool(member.user.email)),
        (Channel.SMS, member.notify_by_sms),
        (Channel.TELEGRAM, member.notify_by_telegram),
    )
    return [channel for channel, on in chosen if on]


def _opted_out(user_ids, kind: str) -> set[int]:
    if kind not in OPTIONAL_KINDS or not user_ids:
        return set()
    return set(EmailOptOut.objects.filter(user_id__in=user_ids, kind=kind).values_list("user_id", flat=True))


def _to_members(members, *, key: str, kind: str, opted_out: set[int] | None = None, **target) -> list[Planned]:
    """One plan per member and chosen channel, in the member's language."""
    members = [member for member in members if member.user.is_active]
    if opted_out is None:
        opted_out = _opted_out([member.user_id for member in members], kind)
    return [
        Planned(
            key=f"{key}:user:{member.user_id}:{channel}",
            kind=kind,
            channel=channel,
            language=member.preferred_language,
            recipient_id=member.user_id,
            **target,
        )
        for member in members
        for channel in member_channels(member)
        if not (channel == Channel.EMAIL and member.user_id in opted_out)
    ]


def _to_staff(user, *, key: str, kind: str, **target) -> list[Planned]:
    """Staff hear by e-mail, in the site's language."""
    if user is None or not user.is_active or not user.email or user.pk in _opted_out([user.pk], kind):
        return []
    return [
        Planned(
            key=f"{key}:user:{user.pk}:{Channel.EMAIL}",
            kind=kind,
            channel=Channel.EMAIL,
            language=settings.LANGUAGE_CODE,
            recipient_id=user.pk,
            **target,
        )
    ]


def _verified_ties(prisoner_ids):
    return (
        Relationship.objects.filter(prisoner_id__in=prisoner_ids, verified_at__isnull=False)
        .select_related("family_member__user")
        .order_by("family_member_id")
    )


def prisoner_status_changes(changes: list[StatusChange]) -> list[Planned]:
    """The relatives of each prisoner whose status changed, read in two queries however many changed."""
    followed = {}
    for change in changes:
        if not change.old_status:
            # A record being opened: nobody is tied to it yet.
            continue
        prisoner = change.prisoner
        followed[change.pk] = [prisoner.pk]
        if change.new_status == CaseStatus.MERGED and prisoner.merged_into_id:
            # The duplicate's families now follow the survivor; its own
            # families hear that the two records are one.
            followed[change.pk].append(prisoner.merged_into_id)
    relatives = defaultdict(list)
    for tie in _verified_ties({pk for prisoner_ids in followed.values() for pk in prisoner_ids}):
        relatives[tie.prisoner_id].append(tie.family_member)
    kind = NotificationKind.PRISONER_STATUS
    opted_out = _opted_out({member.user_id for members in relatives.values() for member in members}, kind)
    plans = []
    for change in changes:
        if change.pk not in followed:
            continue
        members = {member.pk: member for pk in followed[change.pk] for member in relatives[pk]}
        plans.extend(
            _to_members(
                sorted(members.values(), key=lambda member: member.pk),
                key=f"prisoner-status:{change.pk}",
                kind=kind,
                opted_out=opted_out,
                prisoner_id=change.prisoner_id,
                context={"status": change.new_status, "old_status": change.old_status},
            )
        )
    return plans


def request_filer_key(change: RequestStatusChange) -> str:
    return f"request-status:{change.pk}"


def request_status_change(change: RequestStatusChange) -> list[Planned]:
    request = change.request
    plans = []
    if change.new_status in REQUEST_UPDATES:
        context = {"status": change.new_status}
        if change.new_status in (RequestStatus.INFO_REQUESTED, RequestStatus.REJECTED):
            context["reason"] = change.reason
        plans.extend(_to_filer(request, key=request_filer_key(change), context=context))
    answered = change.old_status == RequestStatus.INFO_REQUESTED and change.new_status == RequestStatus.IN_REVIEW
    if answered and not is_staff_member(change.actor) and request.assigned_to_id:
        plans.extend(
            _to_staff(
                request.assigned_to,
                key=f"family-answer:{change.pk}",
                kind=NotificationKind.FAMILY_ANSWER,
                request_id=request.pk,
            )
        )
    return plans


def _to_filer(request, *, key: str, context: dict) -> list[Planned]:
    """The filer: on their account's channels, or by e-mail to the address the request gives."""
    member = request.filed_by
    if member is not None:
        target = {"request_id": request.pk, "prisoner_id": request.prisoner_id, "context": context}
        return _to_members([member], key=key, kind=NotificationKind.REQUEST_UPDATE, **target)
    plan = _filer_email(request, key=key, context=context)
    return [plan] if plan else []


def _filer_email(request, *, key: str, context: dict) -> Planned | None:
    if not request.filer_email:
        return None
    member = request.filed_by
    return Planned(
        key=f"{key}:user:{member.user_id}:{Channel.EMAIL}" if member else f"{key}:filer:{Channel.EMAIL}",
        kind=NotificationKind.REQUEST_UPDATE,
        channel=Channel.EMAIL,
        language=request.language,
        recipient_id=member.user_id if member else None,
        recipient_kind=RECIPIENT_ACCOUNT if member else RECIPIENT_FILER,
        request_id=request.pk,
        prisoner_id=request.prisoner_id,
        context=context,
    )


def receipt_plan(change: RequestStatusChange) -> Planned | None:
    """A new request's e-mail to its filer, whatever their notice settings: it is the receipt of the filing."""
    return _filer_email(change.request, key=request_filer_key(change), context={"status": RequestStatus.SUBMITTED})


def request_assignment(assignment: RequestAssignment) -> list[Planned]:
    if assignment.assignee_id is None or assignment.assignee_id == assignment.actor_id:
        return []
    return _to_staff(
        assignment.assignee,
        key=f"assignment:{assignment.pk}",
        kind=NotificationKind.ASSIGNMENT,
        request_id=assignment.request_id,
    )


def _exchange_notices(exchange, entries, *, key: str, context: dict) -> list[Planned]:
    """The verified relatives of everyone on ``entries``, read in one query whatever the list's length."""
    relatives = defaultdict(list)
    for tie in _verified_ties(entries.values("prisoner_id")):
        relatives[tie.prisoner_id].append(tie.family_member)
    kind = NotificationKind.EXCHANGE_INCLUSION
    opted_out = _opted_out([member.user_id for members in relatives.values() for member in members], kind)
    plans = []
    for prisoner_id, members in relatives.items():
        plans.extend(
            _to_members(
                members,
                key=f"{key}:{prisoner_id}",
                kind=kind,
                opted_out=opted_out,
                prisoner_id=prisoner_id,
                exchange_id=exchange.pk,
                context=context,
            )
        )
    return plans


def _received(exchange):
    return exchange.entries.filter(direction=Direction.RECEIVE).exclude(outcome=EntryOutcome.WITHDRAWN)


def inclusion_release(release: InclusionRelease) -> list[Planned]:
    exchange = release.exchange
    return _exchange_notices(
        exchange, _received(exchange), key=f"exchange-inclusion:{exchange.pk}", context={"event": "released"}
    )


def exchange_status_change(change: ExchangeStatusChange) -> list[Planned]:
    exchange = change.exchange
    if change.new_status == ExchangeStatus.COMPLETED:
        plans = []
        for outcome in NOT_HOME_OUTCOMES:
            plans.extend(
                _exchange_notices(
                    exchange,
                    _received(exchange).filter(outcome=outcome),
                    key=f"exchange-outcome:{exchange.pk}",
                    context={"event": "completed", "outcome": outcome},
                )
            )
        return plans
    if change.new_status == ExchangeStatus.CANCELLED and exchange.inclusion_released_at:
        return _exchange_notices(
            exchange, _received(exchange), key=f"exchange-cancelled:{exchange.pk}", context={"event": "cancelled"}
        )
    return []


def _each(rule):
    """A rule for one row, applied to each row of a batch."""

    def rule_for_rows(rows) -> list[Planned]:
        return [plan for row in rows for plan in rule(row)]

    return rule_for_rows


# Every outbox: its model, what to read with a row, and its rule for a batch of rows.
OUTBOXES = {
    "prisoners.statuschange": (StatusChange, ("prisoner",), prisoner_status_changes),
    "families.requeststatuschange": (
        RequestStatusChange,
        ("request__filed_by__user", "request__assigned_to", "actor"),
        _each(request_status_change),
    ),
    "families.requestassignment": (RequestAssignment, ("assignee",), _each(request_assignment)),
    "exchanges.inclusionrelease": (InclusionRelease, ("exchange",), _each(inclusion_release)),
    "exchanges.exchangestatuschange": (ExchangeStatusChange, ("exchange",), _each(exchange_status_change)),
}
