"""Every write to a registration request, a family member or a relationship."""

import secrets

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.concurrency import lock_for_update, require_reason, validated
from core.errors import DomainError
from families.models import (
    FamilyMember,
    ReferenceCounter,
    RegistrationRequest,
    Relationship,
    RequestStatus,
    RequestStatusChange,
)
from families.transitions import MACHINE
from prisoners.models import Prisoner

# Letters and digits that cannot be mistaken for one another when read aloud
# or copied by hand: no 0/O, 1/I/L.
ACCESS_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
ACCESS_CODE_GROUPS = 3
ACCESS_CODE_GROUP_LENGTH = 4

FILER_FIELDS = frozenset({"filer_name", "filer_email", "filer_phone", "filer_relationship", "language"})
RELATIVE_FIELDS = frozenset(
    {
        "surname",
        "given_names",
        "patronymic",
        "date_of_birth",
        "date_of_birth_accuracy",
        "place_of_birth",
        "mothers_maiden_name",
        "citizenship",
        "party",
        "rank",
        "service_number",
        "unit",
        "military_status",
        "last_contact_on",
        "capture_date",
        "capture_place",
        "circumstances",
    }
)


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


@transaction.atomic
def registration_request_file(
    *, filed_by: FamilyMember | None, actor, data: dict, consent: bool, evidence=()
) -> tuple[RegistrationRequest, str]:
    """File a request. Returns it with its access code, which is shown once and never stored."""
    unknown = sorted(set(data) - FILER_FIELDS - RELATIVE_FIELDS)
    if unknown:
        raise DomainError(
            _("These fields cannot be set here: %(fields)s.") % {"fields": ", ".join(unknown)},
            code="unknown_fields",
        )
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
    request.reference = reference_next(year=now.year)
    request.save()
    request.evidence.set(evidence)
    RequestStatusChange.objects.create(
        request=request, old_status="", new_status=RequestStatus.SUBMITTED, actor=actor, created_at=now
    )
    audit_record(actor=actor, action="request.filed", target=request, changes={"reference": request.reference})
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
        changed_fields.append("rejection_reason")

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
    return change


@transaction.atomic
def family_member_create(*, user, actor, full_name: str, **contact) -> FamilyMember:
    member = validated(FamilyMember(user=user, full_name=full_name, **contact), exclude=["user"])
    member.save()
    audit_record(actor=actor, action="family_member.created", target=member)
    return member


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
