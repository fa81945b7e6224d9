"""Every write to a registration request, a family member or a relationship."""

import secrets

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from core.audit import audit_record
from core.concurrency import lock_for_update, require_reason, validated
from core.errors import DomainError, refuse_unknown_fields
from core.queue import enqueue_on_commit
from core.roles import Capability, Role, user_can
from families.models import (
    FamilyMember,
    MessageDirection,
    ReferenceCounter,
    RegistrationRequest,
    Relationship,
    RequestAssignment,
    RequestMessage,
    RequestStatus,
    RequestStatusChange,
)
from families.selectors import family_member_data
from families.transitions import MACHINE
from notifications.outbox import outbox_enqueue
from notifications.services import receipt_reserve
from prisoners.models import IDENTITY_FIELDS, CaseStatus, MatchCandidate, MatchDecision, Prisoner, Source
from prisoners.services import prisoner_create
from prisoners.tasks import match_request

# Letters and digits that cannot be mistaken for one another when read aloud
# or copied by hand: no 0/O, 1/I/L.
ACCESS_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
ACCESS_CODE_GROUPS = 3
ACCESS_CODE_GROUP_LENGTH = 4

FILER_FIELDS = frozenset({"filer_name", "filer_email", "filer_phone", "filer_relationship", "language"})
RELATIVE_FIELDS = frozenset({*IDENTITY_FIELDS, "last_contact_on", "capture_date", "capture_place", "circumstances"})


def access_code_generate() -> str:
    """A one-time code of 60 random bits, as three groups: ``K7QF-9D2M-XP4R``."""
    groups = (
        "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _ in range(ACCESS_CODE_GROUP_LENGTH))
        for _ in range(ACCESS_CODE_GROUPS)
    )
    return "-".join(groups)


def reference_next(*, year: int) -> str:
    """The next public reference of ``year``. Call inside a transaction."""
    counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(year=year)
    counter.last_number += 1
    if counter.last_number > 999_999:
        raise DomainError(_("No request references are left for this year."), code="references_exhausted")
    counter.save(update_fields=["last_number"])
    return f"HC-{year:04d}-{counter.last_number:06d}"


def _request_dates_check(request: RegistrationRequest) -> None:
    """The dates a family can get wrong, each explained next to its field."""
    today = timezone.localdate()
    errors = {}
    if request.date_of_birth and request.date_of_birth > today:
        errors["date_of_birth"] = [str(_("The date of birth cannot be in the future."))]
    elif request.date_of_birth and request.capture_date and request.date_of_birth > request.capture_date:
        errors["date_of_birth"] = [str(_("The date of birth cannot be after the date of capture."))]
    if request.capture_date and request.capture_date > today:
        errors["capture_date"] = [str(_("The date of capture cannot be in the future."))]
    if request.last_contact_on and request.last_contact_on > today:
        errors["last_contact_on"] = [str(_("The date of the last contact cannot be in the future."))]
    if errors:
        raise DomainError(_("Please correct the errors below."), code="invalid", fields=errors)


@transaction.atomic
def registration_request_file(
    *, filed_by: FamilyMember | None, actor, data: dict, consent: bool, evidence=(), submission_key=None
) -> tuple[RegistrationRequest, str | None]:
    """File a request. Returns it with its access code, which is shown once and never stored.

    A second call with the same ``submission_key`` (a double-clicked submit)
    returns the request the first call filed, and no code.
    """
    if submission_key is not None:
        earlier = RegistrationRequest.objects.filter(submission_key=submission_key, filed_by=filed_by).first()
        if earlier is not None:
            return earlier, None
    refuse_unknown_fields(data, FILER_FIELDS | RELATIVE_FIELDS)
    if not consent:
        raise DomainError(
            _("We can only process the request with your consent."),
            code="consent_required",
            fields={"consent": [str(_("Please give your consent to the processing of this information."))]},
        )
    now = timezone.now()
    access_code = access_code_generate()
    request = RegistrationRequest(
        **data,
        filed_by=filed_by,
        consent_given_at=now,
        access_code_hash=make_password(access_code),
        created_at=now,
        updated_at=now,
        status_changed_at=now,
        reference="HC-0000-000000",
    )
    validated(request, exclude=["reference"])
    _request_dates_check(request)
    request.reference = reference_next(year=now.year)
    request.submission_key = submission_key
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        # The same form, submitted twice at once: the other submit won.
        earlier = RegistrationRequest.objects.filter(submission_key=submission_key).first() if submission_key else None
        if earlier is None:
            raise
        if earlier.filed_by_id != getattr(filed_by, "pk", None):
            raise DomainError(
                _("This submission key was already used for another request."),
                code="submission_key_used",
                fields={"submission_key": [str(_("Send a new key with each new request."))]},
            ) from None
        transaction.set_rollback(True)
        return earlier, None
    request.evidence.set(evidence)
    change = RequestStatusChange.objects.create(
        request=request, old_status="", new_status=RequestStatus.SUBMITTED, actor=actor, created_at=now
    )
    audit_record(actor=actor, action="request.filed", target=request, changes={"reference": request.reference})
    receipt_reserve(change=change)
    outbox_enqueue(change)
    enqueue_on_commit(match_request, request.pk)
    return request, access_code


@transaction.atomic
def registration_request_set_status(
    *,
    request: RegistrationRequest,
    new_status: str,
    actor,
    reason: str = "",
    version: int | None = None,
    prisoner: Prisoner | None = None,
) -> RequestStatusChange:
    """Move a request to ``new_status``: the one way a request's status changes.

    Accepting links the request to ``prisoner``. Rejecting, and asking the
    family for more information, need a ``reason`` the family will read.
    """
    request = lock_for_update(request, version=version)
    reason = reason.strip()
    is_reversal = MACHINE.check(old=request.status, new=new_status, reason=reason)
    changed_fields = ["status", "status_changed_at", "updated_at", "version"]
    if new_status == RequestStatus.ACCEPTED:
        if prisoner is None:
            raise DomainError(
                _("Accepting a request links it to a prisoner record: choose one."),
                code="prisoner_required",
                fields={"prisoner": [str(_("Choose the prisoner record."))]},
            )
        request.prisoner = prisoner
        changed_fields.append("prisoner")
    elif prisoner is not None:
        raise DomainError(_("Only accepting a request links it to a prisoner record."), code="unexpected_prisoner")
    if new_status == RequestStatus.REJECTED:
        request.rejection_reason = require_reason(reason, _("Tell the family why the request is rejected."))
        changed_fields.append("rejection_reason")
    if new_status == RequestStatus.INFO_REQUESTED:
        require_reason(reason, _("Tell the family what information is needed."))
    if request.status == RequestStatus.REJECTED:
        # Reopened: the old reason stays in the timeline, not on the request.
        request.rejection_reason = ""
        request.duplicate_of = None
        changed_fields.extend(["rejection_reason", "duplicate_of"])

    old_status = request.status
    now = timezone.now()
    request.status = new_status
    request.status_changed_at = now
    request.updated_at = now
    request.version += 1
    request.save(update_fields=changed_fields)
    change = RequestStatusChange.objects.create(
        request=request,
        old_status=old_status,
        new_status=new_status,
        created_at=now,
        actor=actor,
        reason=reason,
        is_reversal=is_reversal,
    )
    if new_status == RequestStatus.INFO_REQUESTED:
        RequestMessage.objects.create(
            request=request, direction=MessageDirection.TO_FAMILY, author=actor, body=reason, created_at=now
        )
    audit_record(
        actor=actor,
        action="request.status_changed",
        target=request,
        reason=reason,
        changes={
            "status": {"old": old_status, "new": new_status},
            "reversal": is_reversal,
            **({"prisoner": prisoner.pk} if prisoner else {}),
        },
    )
    outbox_enqueue(change)
    return change


PROFILE_FIELDS = frozenset(
    {
        "full_name",
        "phone",
        "telegram_handle",
        "preferred_language",
        "notify_by_email",
        "notify_by_sms",
        "notify_by_telegram",
    }
)


@transaction.atomic
def family_member_create(*, user, actor, full_name: str, **contact) -> FamilyMember:
    """Give an account a family member's profile and the family role."""
    member = validated(FamilyMember(user=user, full_name=full_name, **contact), exclude=["user"])
    member.save()
    user.groups.add(Group.objects.get_or_create(name=Role.FAMILY)[0])
    audit_record(actor=actor, action="family_member.created", target=member)
    return member


@transaction.atomic
def family_member_update(*, member: FamilyMember, version: int, actor, data: dict) -> FamilyMember:
    """Change a family member's contact details, language or channels."""
    refuse_unknown_fields(data, PROFILE_FIELDS)
    member = lock_for_update(member, version=version)
    changed = sorted(name for name, value in data.items() if getattr(member, name) != value)
    if not changed:
        return member
    for name in changed:
        setattr(member, name, data[name])
    if member.notify_by_sms and not member.phone:
        raise DomainError(
            _("Give a phone number to be notified by SMS."), fields={"phone": [str(_("Needed for SMS."))]}
        )
    if member.notify_by_telegram and not member.telegram_handle:
        raise DomainError(
            _("Give a Telegram handle to be notified by Telegram."),
            fields={"telegram_handle": [str(_("Needed for Telegram."))]},
        )
    validated(member, exclude=["user"])
    member.version += 1
    member.save()
    # Field names only: the values are personal data.
    audit_record(actor=actor, action="family_member.updated", target=member, changes={"fields": changed})
    return member


@transaction.atomic
def family_member_data_export(*, member: FamilyMember, actor) -> dict:
    """``family_member_data``, with the download in the audit trail."""
    data = family_member_data(member)
    audit_record(
        actor=actor,
        action="family_member.data_exported",
        target=member,
        changes={"requests": len(data["requests"]), "notifications": len(data["notifications"])},
    )
    return data


@transaction.atomic
def family_member_erase(*, member: FamilyMember, actor) -> None:
    """Delete a family member's account and personal data.

    The requests they filed stay, for the prisoner's record, without the
    filer's name and contacts; the audit trail keeps its anonymous labels.
    """
    member = lock_for_update(member)
    user = member.user
    requests = RegistrationRequest.objects.filter(filed_by=member)
    request_ids = list(requests.values_list("pk", flat=True))
    requests.update(filer_name="", filer_email="", filer_phone="", filed_by=None, updated_at=timezone.now())
    audit_record(
        actor=actor,
        action="family_member.erased",
        target=member,
        changes={"requests_kept": request_ids},
    )
    user.delete()


@transaction.atomic
def relationship_create(*, family_member: FamilyMember, prisoner: Prisoner, kind: str, actor) -> Relationship:
    if Relationship.objects.filter(family_member=family_member, prisoner=prisoner).exists():
        raise DomainError(_("This family member is already linked to this prisoner."), code="duplicate")
    relationship = validated(Relationship(family_member=family_member, prisoner=prisoner, kind=kind))
    relationship.save()
    audit_record(actor=actor, action="relationship.created", target=relationship, changes={"kind": kind})
    return relationship


@transaction.atomic
def relationship_verify(*, relationship: Relationship, actor, reason: str) -> Relationship:
    """Confirm the tie: from now on the family member sees the prisoner's status."""
    relationship = lock_for_update(relationship)
    if relationship.is_verified:
        raise DomainError(_("This relationship is already verified."), code="already_verified")
    reason = require_reason(reason, _("Say how the relationship was verified."))
    relationship.verified_at = timezone.now()
    relationship.verified_by = actor
    relationship.save(update_fields=["verified_at", "verified_by"])
    audit_record(actor=actor, action="relationship.verified", target=relationship, reason=reason)
    return relationship


@transaction.atomic
def registration_request_answer(*, request: RegistrationRequest, actor, body: str, evidence=()) -> RequestMessage:
    """The family answers a caseworker's question; the request goes back to review."""
    body = require_reason(body, _("Write your answer."))
    request = lock_for_update(request)
    if request.status != RequestStatus.INFO_REQUESTED:
        raise DomainError(
            _("No question is waiting for an answer on this request."),
            code="no_question",
            fields={"body": [str(_("There is nothing to answer now."))]},
        )
    message = RequestMessage.objects.create(
        request=request, direction=MessageDirection.FROM_FAMILY, author=actor, body=body
    )
    message.evidence.set(evidence)
    request.evidence.add(*evidence)
    registration_request_set_status(request=request, new_status=RequestStatus.IN_REVIEW, actor=actor)
    return message


@transaction.atomic
def registration_request_withdraw(*, request: RegistrationRequest, actor, reason: str = "") -> RequestStatusChange:
    """The family withdraws its request."""
    return registration_request_set_status(
        request=request, new_status=RequestStatus.WITHDRAWN, actor=actor, reason=reason
    )


@transaction.atomic
def registration_request_assign(*, request: RegistrationRequest, assignee, actor) -> RegistrationRequest:
    """Give an open request to a caseworker (``assignee``), or to nobody (None)."""
    request = lock_for_update(request)
    if not request.is_open:
        raise DomainError(_("Only an open request can be assigned."), code="not_open")
    if assignee is not None and not user_can(assignee, Capability.REVIEW_REQUESTS):
        message = _("Requests can only be assigned to caseworkers.")
        raise DomainError(message, code="not_caseworker", fields={"assignee": [str(message)]})
    if request.assigned_to_id == getattr(assignee, "pk", None):
        raise DomainError(_("The request is already assigned so."), code="unchanged")
    old = request.assigned_to_id
    request.assigned_to = assignee
    request.updated_at = timezone.now()
    request.version += 1
    request.save(update_fields=["assigned_to", "updated_at", "version"])
    assignment = RequestAssignment.objects.create(request=request, assignee=assignee, actor=actor)
    outbox_enqueue(assignment)
    audit_record(
        actor=actor,
        action="request.assigned",
        target=request,
        changes={"assigned_to": {"old": old, "new": getattr(assignee, "pk", None)}},
    )
    return request


def _review_started(request: RegistrationRequest, *, actor) -> RegistrationRequest:
    """A request still ``submitted`` goes into review before a decision on it."""
    if request.status == RequestStatus.SUBMITTED:
        registration_request_set_status(request=request, new_status=RequestStatus.IN_REVIEW, actor=actor)
        request.refresh_from_db()
    return request


@transaction.atomic
def registration_request_link(
    *, request: RegistrationRequest, prisoner: Prisoner, actor, reason: str = "", version: int | None = None
) -> RegistrationRequest:
    """The request is about a person already on record: accept it, linked to ``prisoner``.

    The filer's tie to him is recorded, unverified: the family sees his status
    only once a caseworker verifies it (``relationship_verify``).
    """
    request = lock_for_update(request, version=version)
    prisoner = lock_for_update(prisoner)
    if request.prisoner_id == prisoner.pk:
        raise DomainError(
            format_lazy(_("Request {reference} is already linked to this record."), reference=request.reference),
            code="already_linked",
        )
    if prisoner.status == CaseStatus.MERGED:
        raise DomainError(
            _("That record was merged into another one: link the request to the surviving record."),
            code="merged",
        )
    request = _review_started(request, actor=actor)
    registration_request_set_status(
        request=request, new_status=RequestStatus.ACCEPTED, actor=actor, reason=reason, prisoner=prisoner
    )
    MatchCandidate.objects.filter(request=request, candidate=prisoner, decision="").update(
        decision=MatchDecision.SAME, decided_by=actor, decided_at=timezone.now()
    )
    if request.filed_by_id is not None:
        relationship = Relationship.objects.filter(family_member_id=request.filed_by_id, prisoner=prisoner).first()
        if relationship is None:
            relationship_create(
                family_member=request.filed_by, prisoner=prisoner, kind=request.filer_relationship, actor=actor
            )
    request.refresh_from_db()
    return request


@transaction.atomic
def registration_request_create_prisoner(
    *, request: RegistrationRequest, actor, party=None, reason: str = "", version: int | None = None
) -> Prisoner:
    """Nobody on record is this person: open a record from what the family gave, and link the request to it.

    The record's facts are marked as coming from the family; the request's
    evidence is kept with the record as well.
    """
    request = lock_for_update(request, version=version)
    if request.prisoner_id is not None:
        raise DomainError(
            format_lazy(_("Request {reference} is already linked to a record."), reference=request.reference),
            code="already_linked",
        )
    if request.is_open is False:
        raise DomainError(_("Only an open request can be accepted."), code="not_open")
    party = party or request.party
    if party is None:
        message = _("Choose the forces he serves in: the request does not say.")
        raise DomainError(message, code="party_required", fields={"party": [str(message)]})
    data = {name: getattr(request, name) for name in IDENTITY_FIELDS if name != "party"}
    data.update(party=party, capture_date=request.capture_date, capture_place=request.capture_place)
    prisoner = prisoner_create(
        actor=actor,
        data=data,
        source=Source.FAMILY,
        reason=reason,
        source_detail=str(format_lazy(_("Registration request {reference}"), reference=request.reference)),
    )
    request.evidence.filter(prisoner__isnull=True).update(prisoner=prisoner)
    registration_request_link(request=request, prisoner=prisoner, actor=actor, reason=reason)
    return prisoner


@transaction.atomic
def registration_request_mark_duplicate(
    *, request: RegistrationRequest, original: RegistrationRequest, actor, version: int | None = None
) -> RegistrationRequest:
    """The family filed the same person twice: close this request, pointing at ``original``.

    The family reads why, in the language of the request.
    """
    if request.pk == original.pk:
        message = _("A request cannot duplicate itself: choose another request.")
        raise DomainError(message, code="duplicate_self", fields={"original": [str(message)]})
    request = lock_for_update(request, version=version)
    original = lock_for_update(original)
    if original.duplicate_of_id is not None:
        message = format_lazy(
            _("Request {reference} is itself a duplicate: choose the request it duplicates."),
            reference=original.reference,
        )
        raise DomainError(message, code="original_is_duplicate", fields={"original": [str(message)]})
    request = _review_started(request, actor=actor)
    with override(request.language):
        reason = str(
            format_lazy(
                _("This request is about the same person as request {reference}, which continues."),
                reference=original.reference,
            )
        )
    registration_request_set_status(request=request, new_status=RequestStatus.REJECTED, actor=actor, reason=reason)
    RegistrationRequest.objects.filter(pk=request.pk).update(duplicate_of=original)
    audit_record(
        actor=actor,
        action="request.marked_duplicate",
        target=request,
        changes={"duplicate_of": original.reference},
    )
    request.refresh_from_db()
    return request
