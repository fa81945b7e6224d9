"""How long personal data is kept.

Two rules erase what is no longer needed (README, "Retention"):

- A request that ended rejected or withdrawn, ``RETENTION_CLOSED_REQUEST_DAYS``
  after it closed: the filer's name and contacts, the relative as the family
  described him, the messages' text, the reasons given, the candidate matches
  and the evidence that belongs to no one else (its files are deleted).
- A prisoner who came home ``RETENTION_RETURNED_CONTACT_DAYS`` ago: the person
  to inform, the e-mail and phone given on the requests about him, and the
  phone and Telegram handle of relatives whose every tie is to men who came
  home that long ago. A relative's account (name, sign-in e-mail) stays: it is
  theirs to delete.
- Each account's sign-ins older than ``RETENTION_SIGN_IN_DAYS``: the address
  and browser of every attempt, kept for the owner to spot one not theirs.

What stays is anonymous: references, statuses, dates, kinds of relationship
and counts, so the statistics still add up. Each erasure is one transaction
that locks its row, checks again that it is due, and writes a
``retention.erased`` audit event naming fields and counts, never values. What
is erased is no longer due, so running twice erases once.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.audit import audit_record
from core.models import SignInEvent
from families.models import (
    FamilyMember,
    RegistrationRequest,
    Relationship,
    RequestMessage,
    RequestStatus,
    RequestStatusChange,
)
from notifications.models import Notification
from prisoners.models import CaseStatus, Evidence, EvidenceKind, MatchCandidate, Prisoner

# What an erased text that may not be empty reads: no name starts with it, so
# it also marks an erased request.
ERASED = "—"

CLOSED_REQUEST_STATUSES = (RequestStatus.REJECTED, RequestStatus.WITHDRAWN)

RULE_CLOSED_REQUEST = "closed_request"
RULE_RETURNED_CONTACTS = "returned_contacts"
RULE_SIGN_INS = "sign_ins"

# The relative's identity and circumstances as the family gave them.
REQUEST_TEXT_FIELDS = (
    "patronymic",
    "place_of_birth",
    "mothers_maiden_name",
    "citizenship",
    "rank",
    "service_number",
    "unit",
    "capture_place",
    "circumstances",
)
REQUEST_DATE_FIELDS = ("date_of_birth", "last_contact_on")
FILER_CONTACT_FIELDS = ("filer_email", "filer_phone")
MEMBER_CONTACT_FIELDS = ("phone", "telegram_handle")


@dataclass(frozen=True)
class Due:
    """One record with personal data past its time: what it is and which kinds of data go, never the data."""

    rule: str
    record: str  # "request", "prisoner" or "family member"
    pk: int
    label: str  # a request's reference, or "#pk"
    data: tuple[str, ...]

    def describe(self) -> str:
        return _("%(record)s %(label)s: %(data)s") % {
            "record": self.record,
            "label": self.label,
            "data": ", ".join(str(item) for item in self.data),
        }


def _cutoff(days: int, now: datetime.datetime | None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(days=days)


def _erased_request() -> Q:
    return Q(surname=ERASED, given_names=ERASED, filer_name="")


def closed_requests_due(*, now=None) -> QuerySet[RegistrationRequest]:
    """Rejected and withdrawn requests closed longer ago than the retention period, not yet erased."""
    cutoff = _cutoff(settings.RETENTION_CLOSED_REQUEST_DAYS, now)
    return (
        RegistrationRequest.objects.filter(status__in=CLOSED_REQUEST_STATUSES, status_changed_at__lte=cutoff)
        .exclude(_erased_request())
        .order_by("status_changed_at", "pk")
    )


def _returned_long_ago(now) -> QuerySet[Prisoner]:
    cutoff = _cutoff(settings.RETENTION_RETURNED_CONTACT_DAYS, now)
    return Prisoner.objects.filter(status=CaseStatus.RETURNED, status_changed_at__lte=cutoff)


def returned_prisoners_due(*, now=None) -> QuerySet[Prisoner]:
    """Prisoners home longer than the retention period whose record or requests still hold family contacts."""
    requests_with_contacts = RegistrationRequest.objects.filter(prisoner=OuterRef("pk")).exclude(
        filer_email="", filer_phone=""
    )
    return (
        _returned_long_ago(now)
        .filter(~Q(person_to_inform="") | Exists(requests_with_contacts))
        .order_by("status_changed_at", "pk")
    )


def returned_family_members_due(*, now=None) -> QuerySet[FamilyMember]:
    """Relatives with a phone or Telegram handle whose every tie is to a man home longer than the retention period.

    A tie is a relationship, or a request that is open or accepted (closed
    requests have their own rule). An open request about anyone else keeps
    the contacts: that case still needs them.
    """
    returned = _returned_long_ago(now).values("pk")
    relationships = Relationship.objects.filter(family_member=OuterRef("pk"))
    live_requests = RegistrationRequest.objects.filter(filed_by=OuterRef("pk")).exclude(
        status__in=CLOSED_REQUEST_STATUSES
    )
    tied_to_returned = Exists(relationships.filter(prisoner__in=returned)) | Exists(
        live_requests.filter(prisoner__in=returned)
    )
    tied_elsewhere = Exists(relationships.exclude(prisoner__in=returned)) | Exists(
        live_requests.exclude(prisoner__in=returned)
    )
    return (
        FamilyMember.objects.filter(tied_to_returned)
        .exclude(tied_elsewhere)
        .exclude(phone="", telegram_handle="")
        .order_by("pk")
    )


def _request_evidence(request: RegistrationRequest) -> QuerySet[Evidence]:
    return Evidence.objects.filter(Q(requests=request) | Q(messages__request=request)).distinct()


def _evidence_only_of(request: RegistrationRequest) -> list[Evidence]:
    """The request's evidence that is on no prisoner record and on no other request or message."""
    other_requests = RegistrationRequest.objects.filter(evidence=OuterRef("pk")).exclude(pk=request.pk)
    other_messages = RequestMessage.objects.filter(evidence=OuterRef("pk")).exclude(request=request)
    return list(
        Evidence.objects.filter(pk__in=_request_evidence(request).values("pk"), prisoner__isnull=True)
        .exclude(Exists(other_requests))
        .exclude(Exists(other_messages))
    )


def _closed_request_due(request: RegistrationRequest) -> Due:
    messages = request.messages.count()
    evidence = _request_evidence(request).count()
    data = [_("the filer's name and contacts"), _("the relative's identity and circumstances")]
    if messages:
        data.append(ngettext("%(count)d message", "%(count)d messages", messages) % {"count": messages})
    if evidence:
        data.append(
            ngettext("%(count)d piece of evidence", "%(count)d pieces of evidence", evidence) % {"count": evidence}
        )
    return Due(RULE_CLOSED_REQUEST, str(_("request")), request.pk, request.reference, tuple(data))


def _returned_prisoner_due(prisoner: Prisoner) -> Due:
    data = []
    if prisoner.person_to_inform:
        data.append(_("the person to inform"))
    requests = RegistrationRequest.objects.filter(prisoner=prisoner).exclude(filer_email="", filer_phone="").count()
    if requests:
        data.append(
            ngettext(
                "the filer's contacts on %(count)d request", "the filers' contacts on %(count)d requests", requests
            )
            % {"count": requests}
        )
    return Due(RULE_RETURNED_CONTACTS, str(_("prisoner")), prisoner.pk, f"#{prisoner.pk}", tuple(data))


def _returned_member_due(member: FamilyMember) -> Due:
    data = []
    if member.phone:
        data.append(_("phone"))
    if member.telegram_handle:
        data.append(_("Telegram handle"))
    return Due(RULE_RETURNED_CONTACTS, str(_("family member")), member.pk, f"#{member.pk}", tuple(data))


def sign_ins_due(*, now=None) -> QuerySet[SignInEvent]:
    return SignInEvent.objects.filter(occurred_at__lte=_cutoff(settings.RETENTION_SIGN_IN_DAYS, now))


def _sign_ins_due_by_account(now) -> list[Due]:
    counts = sign_ins_due(now=now).values("user_id").annotate(count=Count("id")).order_by("user_id")
    return [
        Due(
            RULE_SIGN_INS,
            str(_("account")),
            row["user_id"],
            f"#{row['user_id']}",
            (ngettext("%(count)d sign-in", "%(count)d sign-ins", row["count"]) % {"count": row["count"]},),
        )
        for row in counts
    ]


def retention_due(*, now=None) -> list[Due]:
    """Everything past its retention period, oldest first within each rule. Changes nothing."""
    now = now or timezone.now()
    return [
        *(_closed_request_due(request) for request in closed_requests_due(now=now)),
        *(_returned_prisoner_due(prisoner) for prisoner in returned_prisoners_due(now=now)),
        *(_returned_member_due(member) for member in returned_family_members_due(now=now)),
        *_sign_ins_due_by_account(now),
    ]


@transaction.atomic
def closed_request_erase(*, request_id: int, now=None) -> Due | None:
    """Erase a closed request's personal data and files; None if it is not (or no longer) due."""
    now = now or timezone.now()
    request = closed_requests_due(now=now).select_for_update().filter(pk=request_id).first()
    if request is None:
        return None
    due = _closed_request_due(request)
    owned = _evidence_only_of(request)
    files = [item.file.name for item in owned if item.kind == EvidenceKind.FILE and item.file]
    shared = _request_evidence(request).exclude(pk__in=[item.pk for item in owned]).count()

    messages = RequestMessage.objects.filter(request=request)
    message_count = messages.count()
    for message in messages:
        message.evidence.clear()
    messages.update(body=ERASED)
    request.evidence.clear()
    Evidence.objects.filter(pk__in=[item.pk for item in owned]).delete()
    # A reversal must keep a reason; any other is erased outright.
    changes = RequestStatusChange.objects.filter(request=request)
    changes.filter(is_reversal=True).update(reason=ERASED)
    changes.filter(is_reversal=False).update(reason="")
    MatchCandidate.objects.filter(request=request).delete()
    for notification in Notification.objects.filter(request=request, context__has_key="reason"):
        notification.context.pop("reason")
        notification.save(update_fields=["context"])

    erased_fields = ["filer_name", *FILER_CONTACT_FIELDS, "surname", "given_names"]
    request.filer_name = ""
    for name in FILER_CONTACT_FIELDS:
        setattr(request, name, "")
    request.surname = request.given_names = ERASED
    for name in REQUEST_TEXT_FIELDS:
        if getattr(request, name):
            setattr(request, name, "")
            erased_fields.append(name)
    for name in REQUEST_DATE_FIELDS:
        if getattr(request, name) is not None:
            setattr(request, name, None)
            erased_fields.append(name)
    if request.rejection_reason:
        # A rejected request must keep a reason (request_rejected_has_reason).
        request.rejection_reason = ERASED
        erased_fields.append("rejection_reason")
    had_filer = request.filed_by_id is not None
    request.filed_by = None
    request.submission_key = None
    # Nobody follows an erased request with its code any more.
    request.access_code_hash = make_password(None)
    request.matched_at = None
    request.updated_at = now
    request.version += 1
    request.save()
    audit_record(
        actor=None,
        action="retention.erased",
        target=request,
        changes={
            "rule": RULE_CLOSED_REQUEST,
            "days": settings.RETENTION_CLOSED_REQUEST_DAYS,
            "fields": sorted(erased_fields),
            "unlinked_from_account": had_filer,
            "messages": message_count,
            "evidence_deleted": len(owned),
            "evidence_unlinked": shared,
            "files_deleted": len(files),
        },
    )
    # Last, inside the transaction: if the commit fails, the request is still
    # due and the next run deletes the files again (deleting a missing file is
    # a no-op); deleting after the commit could leave files nothing points to.
    storage = Evidence._meta.get_field("file").storage
    for name in files:
        storage.delete(name)
    return due


@transaction.atomic
def returned_prisoner_contacts_erase(*, prisoner_id: int, now=None) -> Due | None:
    """Erase the family contacts held for a prisoner who came home; None if not (or no longer) due."""
    now = now or timezone.now()
    prisoner = returned_prisoners_due(now=now).select_for_update().filter(pk=prisoner_id).first()
    if prisoner is None:
        return None
    due = _returned_prisoner_due(prisoner)
    fields = []
    if prisoner.person_to_inform:
        # An update, not save(): nothing else of the record changes.
        Prisoner.objects.filter(pk=prisoner.pk).update(person_to_inform="", updated_at=now, version=F("version") + 1)
        fields.append("person_to_inform")
    requests = RegistrationRequest.objects.filter(prisoner=prisoner).exclude(filer_email="", filer_phone="")
    request_ids = sorted(requests.values_list("pk", flat=True))
    requests.update(filer_email="", filer_phone="", updated_at=now, version=F("version") + 1)
    if request_ids:
        fields.extend(FILER_CONTACT_FIELDS)
    audit_record(
        actor=None,
        action="retention.erased",
        target=prisoner,
        changes={
            "rule": RULE_RETURNED_CONTACTS,
            "days": settings.RETENTION_RETURNED_CONTACT_DAYS,
            "fields": fields,
            "requests": request_ids,
        },
    )
    return due


@transaction.atomic
def returned_family_member_contacts_erase(*, member_id: int, now=None) -> Due | None:
    """Erase a relative's phone and Telegram handle once every man they are tied to is long home."""
    now = now or timezone.now()
    member = returned_family_members_due(now=now).select_for_update().filter(pk=member_id).first()
    if member is None:
        return None
    due = _returned_member_due(member)
    fields = [name for name in MEMBER_CONTACT_FIELDS if getattr(member, name)]
    member.phone = member.telegram_handle = ""
    # No channel without its address (family_member_sms_needs_phone, …_telegram_needs_handle).
    member.notify_by_sms = member.notify_by_telegram = False
    member.version += 1
    member.save(update_fields=[*MEMBER_CONTACT_FIELDS, "notify_by_sms", "notify_by_telegram", "version"])
    audit_record(
        actor=None,
        action="retention.erased",
        target=member,
        changes={"rule": RULE_RETURNED_CONTACTS, "days": settings.RETENTION_RETURNED_CONTACT_DAYS, "fields": fields},
    )
    return due


def retention_apply(*, now=None) -> list[Due]:
    """Erase everything due, one record per transaction; returns what was erased.

    A run stopped half-way (a time limit, a crash) leaves every record either
    erased or untouched, and the next run goes on from there.
    """
    now = now or timezone.now()
    erased = []
    for pk in list(closed_requests_due(now=now).values_list("pk", flat=True)):
        erased.append(closed_request_erase(request_id=pk, now=now))
    for pk in list(returned_prisoners_due(now=now).values_list("pk", flat=True)):
        erased.append(returned_prisoner_contacts_erase(prisoner_id=pk, now=now))
    for pk in list(returned_family_members_due(now=now).values_list("pk", flat=True)):
        erased.append(returned_family_member_contacts_erase(member_id=pk, now=now))
    for due in _sign_ins_due_by_account(now):
        erased.append(sign_ins_erase(user_id=due.pk, now=now))
    return [due for due in erased if due is not None]


@transaction.atomic
def sign_ins_erase(*, user_id: int, now=None) -> Due | None:
    """Delete an account's sign-ins older than the retention period; None if it has none."""
    due = next((item for item in _sign_ins_due_by_account(now or timezone.now()) if item.pk == user_id), None)
    if due is None:
        return None
    deleted, _per_model = sign_ins_due(now=now).filter(user_id=user_id).delete()
    audit_record(
        actor=None,
        action="retention.erased",
        target=("auth.user", str(user_id)),
        changes={"rule": RULE_SIGN_INS, "days": settings.RETENTION_SIGN_IN_DAYS, "sign_ins": deleted},
    )
    return due
