"""Every write to a prisoner record."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.concurrency import lock_for_update, validated
from core.errors import DomainError, refuse_unknown_fields
from prisoners.models import IDENTITY_FIELDS, CaseStatus, Prisoner, Source, StatusChange
from prisoners.transitions import MACHINE

# Fields a caseworker edits on the record form. Status, version and merge
# links change only through their own services.
EDITABLE_FIELDS = frozenset(
    {
        *IDENTITY_FIELDS,
        "person_to_inform",
        "capture_date",
        "capture_place",
        "holding_party",
        "place_of_internment",
        "health_status",
        "health_notes",
        "repatriation_consent",
    }
)


# A change to any of these makes the record's candidate matches stale.
MATCHED_FIELDS = frozenset(
    {"surname", "given_names", "patronymic", "date_of_birth", "date_of_birth_accuracy", "service_number", "unit"}
)


def _matches_recompute_on_commit(prisoner: Prisoner) -> None:
    from prisoners.tasks import match_prisoners

    transaction.on_commit(lambda: match_prisoners.delay([prisoner.pk]))


def _audit_value(value):
    return value.pk if hasattr(value, "pk") else value


@transaction.atomic
def prisoner_create(*, actor, data: dict, source: str = Source.CASEWORKER, reason: str = "") -> Prisoner:
    """Open a case: a new record in status ``reported``."""
    refuse_unknown_fields(data, EDITABLE_FIELDS)
    prisoner = validated(Prisoner(**data, created_by=actor, status=CaseStatus.REPORTED))
    prisoner.save()
    StatusChange.objects.create(
        prisoner=prisoner, old_status="", new_status=CaseStatus.REPORTED, actor=actor, reason=reason, source=source
    )
    audit_record(
        actor=actor,
        action="prisoner.created",
        target=prisoner,
        reason=reason,
        changes={name: _audit_value(getattr(prisoner, name)) for name in sorted(data)},
    )
    _matches_recompute_on_commit(prisoner)
    return prisoner


@transaction.atomic
def prisoner_update(*, prisoner: Prisoner, version: int, actor, data: dict, reason: str = "") -> Prisoner:
    """Edit a record's facts; refuse if someone else saved it since ``version``."""
    refuse_unknown_fields(data, EDITABLE_FIELDS)
    prisoner = lock_for_update(prisoner, version=version)
    changes = {}
    for name, value in data.items():
        old = getattr(prisoner, name)
        if old != value:
            changes[name] = {"old": _audit_value(old), "new": _audit_value(value)}
            setattr(prisoner, name, value)
    if not changes:
        return prisoner
    validated(prisoner)
    prisoner.version += 1
    prisoner.updated_at = timezone.now()
    if MATCHED_FIELDS.intersection(changes):
        prisoner.matched_at = None
        _matches_recompute_on_commit(prisoner)
    prisoner.save()
    audit_record(actor=actor, action="prisoner.updated", target=prisoner, reason=reason, changes=changes)
    return prisoner


@transaction.atomic
def prisoner_set_status(
    *,
    prisoner: Prisoner,
    new_status: str,
    actor,
    source: str,
    reason: str = "",
    version: int | None = None,
    merged_into: Prisoner | None = None,
) -> StatusChange:
    """Move a case to ``new_status``: the one way a case status changes."""
    if merged_into is not None:
        # Lock both records in id order, so that two merges of the same pair
        # queue up instead of deadlocking, and read the survivor as it is now.
        ids = sorted({prisoner.pk, merged_into.pk})
        locked = {p.pk: p for p in Prisoner.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
        merged_into = locked[merged_into.pk]
    prisoner = lock_for_update(prisoner, version=version)
    reason = reason.strip()
    is_reversal = MACHINE.check(old=prisoner.status, new=new_status, reason=reason)
    if source not in Source.values:
        raise DomainError(_("Choose where this information came from."), fields={"source": [str(_("Unknown source."))]})
    if new_status == CaseStatus.MERGED:
        if merged_into is None or merged_into.pk == prisoner.pk:
            raise DomainError(
                _("A record can only be merged into another record."),
                code="merge_target_required",
                fields={"merged_into": [str(_("Choose the record this one duplicates."))]},
            )
        if merged_into.status == CaseStatus.MERGED:
            raise DomainError(
                _("That record was itself merged into another one: merge into the surviving record."),
                code="merge_target_merged",
                fields={"merged_into": [str(_("Choose a record that is not merged."))]},
            )
        prisoner.merged_into = merged_into
    elif merged_into is not None:
        raise DomainError(_("Only a merge names another record."), code="unexpected_merge_target")

    old_status = prisoner.status
    now = timezone.now()
    prisoner.status = new_status
    prisoner.status_changed_at = now
    prisoner.updated_at = now
    prisoner.version += 1
    prisoner.save(update_fields=["status", "status_changed_at", "updated_at", "version", "merged_into"])
    change = StatusChange.objects.create(
        prisoner=prisoner,
        old_status=old_status,
        new_status=new_status,
        created_at=now,
        actor=actor,
        reason=reason,
        source=source,
        is_reversal=is_reversal,
    )
    audit_record(
        actor=actor,
        action="prisoner.status_changed",
        target=prisoner,
        reason=reason,
        changes={
            "status": {"old": old_status, "new": new_status},
            "source": source,
            "reversal": is_reversal,
            **({"merged_into": merged_into.pk} if merged_into else {}),
        },
    )
    return change
