"""Every write to a prisoner record."""

from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.concurrency import lock_for_update, require_reason, validated
from core.errors import DomainError, refuse_unknown_fields, stale_edit_error
from core.queue import enqueue_on_commit
from notifications.outbox import outbox_enqueue
from prisoners.matching.keys import name_script
from prisoners.models import (
    IDENTITY_FIELDS,
    CaseEvent,
    CaseEventKind,
    CaseStatus,
    Evidence,
    Fact,
    FactSource,
    HealthStatus,
    MatchCandidate,
    MatchDecision,
    NameScript,
    NameVariant,
    OfficialSubmission,
    Prisoner,
    Source,
    StatusChange,
)
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


# Which fact of the record (``Fact``) each editable field belongs to, for its provenance.
FIELD_FACTS = {
    "surname": Fact.IDENTITY,
    "given_names": Fact.IDENTITY,
    "patronymic": Fact.IDENTITY,
    "place_of_birth": Fact.IDENTITY,
    "mothers_maiden_name": Fact.IDENTITY,
    "citizenship": Fact.IDENTITY,
    "person_to_inform": Fact.IDENTITY,
    "date_of_birth": Fact.DATE_OF_BIRTH,
    "date_of_birth_accuracy": Fact.DATE_OF_BIRTH,
    "party": Fact.SERVICE,
    "rank": Fact.SERVICE,
    "service_number": Fact.SERVICE,
    "unit": Fact.SERVICE,
    "military_status": Fact.SERVICE,
    "capture_date": Fact.CAPTURE,
    "capture_place": Fact.CAPTURE,
    "holding_party": Fact.CAPTURE,
    "place_of_internment": Fact.INTERNMENT,
    "health_status": Fact.HEALTH,
    "health_notes": Fact.HEALTH,
    "repatriation_consent": Fact.REPATRIATION_CONSENT,
}


def _source_check(source: str) -> None:
    if source not in Source.values:
        raise DomainError(_("Choose where this information came from."), fields={"source": [str(_("Unknown source."))]})


def _facts_sourced(*, prisoner: Prisoner, fields, source: str, detail: str, actor) -> None:
    """Record where the facts behind ``fields`` came from: the newest source of a fact replaces the older."""
    now = timezone.now()
    for fact in sorted({FIELD_FACTS[name] for name in fields if name in FIELD_FACTS}):
        FactSource.objects.update_or_create(
            prisoner=prisoner,
            fact=fact,
            defaults={"source": source, "detail": detail[:300], "recorded_at": now, "recorded_by": actor},
        )


def _matches_recompute_on_commit(prisoner: Prisoner) -> None:
    from prisoners.tasks import match_prisoners

    enqueue_on_commit(match_prisoners, [prisoner.pk])


def _audit_value(value):
    return value.pk if hasattr(value, "pk") else value


@transaction.atomic
def prisoner_create(
    *, actor, data: dict, source: str = Source.CASEWORKER, reason: str = "", source_detail: str = ""
) -> Prisoner:
    """Open a case: a new record in status ``reported``, each fact given with its source."""
    refuse_unknown_fields(data, EDITABLE_FIELDS)
    _source_check(source)
    prisoner = validated(Prisoner(**data, created_by=actor, status=CaseStatus.REPORTED))
    prisoner.save()
    _facts_sourced(prisoner=prisoner, fields=data, source=source, detail=source_detail, actor=actor)
    # A record being opened is news to nobody: its first status change has no notices to send.
    StatusChange.objects.create(
        prisoner=prisoner,
        old_status="",
        new_status=CaseStatus.REPORTED,
        actor=actor,
        reason=reason,
        source=source,
        notifications_claimed_at=prisoner.created_at,
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
def prisoner_update(
    *,
    prisoner: Prisoner,
    version: int,
    actor,
    data: dict,
    reason: str = "",
    source: str = Source.CASEWORKER,
    source_detail: str = "",
) -> Prisoner:
    """Edit a record's facts; refuse if someone else saved it since ``version``.

    The facts that change are recorded as coming from ``source``.
    """
    refuse_unknown_fields(data, EDITABLE_FIELDS)
    _source_check(source)
    if prisoner.status == CaseStatus.MERGED:
        raise _merged_error()
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
    _facts_sourced(prisoner=prisoner, fields=changes, source=source, detail=source_detail, actor=actor)
    audit_record(actor=actor, action="prisoner.updated", target=prisoner, reason=reason, changes=changes)
    return prisoner


def _merged_error() -> DomainError:
    return DomainError(
        _("This record was merged into another one and can no longer change: open the surviving record."),
        code="merged",
    )


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
    _source_check(source)
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
    outbox_enqueue(change)
    return change


def _open_record(prisoner: Prisoner) -> Prisoner:
    """Lock a record that may still change: not one merged into another."""
    prisoner = lock_for_update(prisoner)
    if prisoner.status == CaseStatus.MERGED:
        raise _merged_error()
    return prisoner


@transaction.atomic
def name_variant_add(
    *,
    prisoner: Prisoner,
    actor,
    surname: str,
    given_names: str = "",
    patronymic: str = "",
    source: str = Source.CASEWORKER,
    note: str = "",
) -> NameVariant:
    """Keep another spelling of the name (an alias, a transliteration); its script is read from its letters."""
    prisoner = _open_record(prisoner)
    surname, given_names, patronymic = surname.strip(), given_names.strip(), patronymic.strip()
    script = name_script(" ".join((surname, given_names, patronymic)))
    if script not in NameScript.values:
        message = _("Write the name in Cyrillic or in Latin letters, not a mix of both.")
        raise DomainError(message, code="mixed_script", fields={"surname": [str(message)]})
    if NameVariant.objects.filter(
        prisoner=prisoner, surname=surname, given_names=given_names, patronymic=patronymic
    ).exists():
        message = _("This spelling is already kept for this record.")
        raise DomainError(message, code="duplicate", fields={"surname": [str(message)]})
    _source_check(source)
    variant = validated(
        NameVariant(
            prisoner=prisoner,
            surname=surname,
            given_names=given_names,
            patronymic=patronymic,
            script=script,
            source=source,
            note=note.strip(),
        )
    )
    variant.save()
    audit_record(
        actor=actor,
        action="prisoner.name_variant_added",
        target=prisoner,
        changes={"variant": str(variant), "script": script, "source": source},
    )
    return variant


@transaction.atomic
def name_variant_remove(*, variant: NameVariant, actor, reason: str) -> None:
    reason = require_reason(reason, _("Say why this spelling is removed."))
    prisoner = _open_record(variant.prisoner)
    audit_record(
        actor=actor,
        action="prisoner.name_variant_removed",
        target=prisoner,
        reason=reason,
        changes={"variant": str(variant)},
    )
    variant.delete()


EVENT_FIELDS = frozenset({"kind", "occurred_on", "place", "details", "cause_of_death", "burial_place", "source"})


@transaction.atomic
def case_event_record(*, prisoner: Prisoner, actor, data: dict) -> CaseEvent:
    """Record an Art. 122(5) event on the case's timeline; a death needs its Art. 120 details."""
    refuse_unknown_fields(data, EVENT_FIELDS)
    prisoner = _open_record(prisoner)
    event = CaseEvent(prisoner=prisoner, recorded_by=actor, **data)
    errors = {}
    if event.occurred_on and event.occurred_on > timezone.localdate():
        errors["occurred_on"] = [str(_("The date cannot be in the future."))]
    if event.kind == CaseEventKind.DEATH:
        if not event.cause_of_death.strip():
            errors["cause_of_death"] = [str(_("Art. 120 asks for the cause of death: write what is known."))]
    elif event.cause_of_death or event.burial_place:
        errors["cause_of_death"] = [str(_("The cause of death and place of burial belong only to a death."))]
    if (
        event.kind == CaseEventKind.HEALTH_UPDATE
        and prisoner.health_status != HealthStatus.SERIOUSLY_WOUNDED_OR_SICK
        and not event.details.strip()
    ):
        errors["details"] = [str(_("Describe his health."))]
    if errors:
        raise DomainError(_("Please correct the errors below."), fields=errors)
    validated(event)
    event.save()
    audit_record(
        actor=actor,
        action="prisoner.event_recorded",
        target=prisoner,
        changes={"event": event.pk, "kind": event.kind, "occurred_on": event.occurred_on, "source": event.source},
    )
    return event


@transaction.atomic
def prisoner_evidence_attach(*, prisoner: Prisoner, evidence: list[Evidence], actor) -> None:
    """Keep stored evidence (``prisoners.evidence.evidence_stored``) with the record."""
    prisoner = _open_record(prisoner)
    Evidence.objects.filter(pk__in=[item.pk for item in evidence]).update(prisoner=prisoner)
    audit_record(
        actor=actor,
        action="prisoner.evidence_added",
        target=prisoner,
        changes={"evidence": sorted(item.pk for item in evidence)},
    )


# The record a merge keeps a field's value from.
MERGE_KEEP = "survivor"
MERGE_TAKE = "duplicate"


@transaction.atomic
def prisoner_merge(
    *,
    survivor: Prisoner,
    duplicate: Prisoner,
    actor,
    reason: str,
    take_fields=(),
    survivor_version: int | None = None,
    duplicate_version: int | None = None,
) -> Prisoner:
    """Join two records of one person: ``duplicate`` ends as ``merged``, pointing at ``survivor``.

    ``take_fields`` are the fields whose value comes from the duplicate; every
    other field keeps the survivor's. Evidence, events, name variants,
    relationships, requests and official submissions all move to the survivor;
    the duplicate's name becomes a name variant; the duplicate's own timeline
    of status changes stays with it, ending in ``merged``.
    """
    from families.models import RegistrationRequest, Relationship

    reason = require_reason(reason, _("Say why these two records are one person."))
    if survivor.pk == duplicate.pk:
        raise DomainError(_("A record cannot be merged with itself."), code="merge_self")
    refuse_unknown_fields(dict.fromkeys(take_fields), EDITABLE_FIELDS)
    ids = sorted({survivor.pk, duplicate.pk})
    locked = {p.pk: p for p in Prisoner.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
    for record, version in ((survivor, survivor_version), (duplicate, duplicate_version)):
        if record.status == CaseStatus.MERGED:
            raise DomainError(
                format_lazy(_("Record {id} was already merged into another one."), id=record.pk),
                code="merge_target_merged",
            )
        if version is not None and record.version != version:
            raise stale_edit_error(current_version=record.version)

    taken = {name: getattr(duplicate, name) for name in sorted(take_fields)}
    final_party_id = duplicate.party_id if "party" in taken else survivor.party_id
    final_number = duplicate.service_number if "service_number" in taken else survivor.service_number
    if final_number and (final_party_id, final_number) == (duplicate.party_id, duplicate.service_number):
        # A service number is unique per party: it leaves the duplicate for the survivor.
        Prisoner.objects.filter(pk=duplicate.pk).update(service_number="", service_number_key="")
    if taken:
        prisoner_update(prisoner=survivor, version=survivor.version, actor=actor, data=taken, reason=reason)
        survivor.refresh_from_db()
        # A fact taken from the duplicate keeps the duplicate's source, where it had one.
        for fact in {FIELD_FACTS[name] for name in taken if name in FIELD_FACTS}:
            if FactSource.objects.filter(prisoner=duplicate, fact=fact).exists():
                FactSource.objects.filter(prisoner=survivor, fact=fact).delete()
                FactSource.objects.filter(prisoner=duplicate, fact=fact).update(prisoner=survivor)

    moved = {
        "evidence": Evidence.objects.filter(prisoner=duplicate).update(prisoner=survivor),
        "events": CaseEvent.objects.filter(prisoner=duplicate).update(prisoner=survivor),
        "requests": RegistrationRequest.objects.filter(prisoner=duplicate).update(prisoner=survivor),
        "submissions": OfficialSubmission.objects.filter(prisoner=duplicate).update(prisoner=survivor),
    }
    # A family member tied to both keeps one tie: the verified one, if either is.
    relationships = 0
    for tie in Relationship.objects.filter(prisoner=duplicate).select_for_update():
        kept = Relationship.objects.filter(prisoner=survivor, family_member_id=tie.family_member_id).first()
        if kept is None:
            tie.prisoner = survivor
            tie.save(update_fields=["prisoner"])
        else:
            if tie.verified_at and not kept.verified_at:
                kept.verified_at, kept.verified_by = tie.verified_at, tie.verified_by
                kept.save(update_fields=["verified_at", "verified_by"])
            tie.delete()
        relationships += 1
    moved["relationships"] = relationships
    known = set(NameVariant.objects.filter(prisoner=survivor).values_list("surname", "given_names", "patronymic"))
    spellings = [
        (v.surname, v.given_names, v.patronymic, v.script, v.source, v.note) for v in duplicate.name_variants.all()
    ]
    spellings.append(
        (duplicate.surname, duplicate.given_names, duplicate.patronymic, "", Source.CASEWORKER, _merged_note(duplicate))
    )
    for surname, given_names, patronymic, script, source, note in spellings:
        key = (surname, given_names, patronymic)
        if key in known or key == (survivor.surname, survivor.given_names, survivor.patronymic):
            continue
        script = script or name_script(" ".join(key))
        if script not in NameScript.values:
            continue
        NameVariant.objects.create(
            prisoner=survivor,
            surname=surname,
            given_names=given_names,
            patronymic=patronymic,
            script=script,
            source=source,
            note=note,
        )
        known.add(key)
    # The pair is decided: it is never proposed again.
    now = timezone.now()
    MatchCandidate.objects.filter(prisoner=duplicate, candidate=survivor).update(
        decision=MatchDecision.SAME, decided_by=actor, decided_at=now
    )
    MatchCandidate.objects.filter(prisoner=survivor, candidate=duplicate).update(
        decision=MatchDecision.SAME, decided_by=actor, decided_at=now
    )
    MatchCandidate.objects.filter(candidate=duplicate, decision="").delete()
    prisoner_set_status(
        prisoner=duplicate,
        new_status=CaseStatus.MERGED,
        actor=actor,
        source=Source.CASEWORKER,
        reason=reason,
        merged_into=survivor,
    )
    audit_record(
        actor=actor,
        action="prisoner.merged",
        target=survivor,
        reason=reason,
        changes={"duplicate": duplicate.pk, "fields_taken": sorted(taken), "moved": moved},
    )
    _matches_recompute_on_commit(survivor)
    return Prisoner.objects.get(pk=survivor.pk)


def _merged_note(duplicate: Prisoner) -> str:
    return f"#{duplicate.pk}"


SUBMISSION_FIELDS = frozenset({"authority", "channel", "reference", "submitted_on", "acknowledgement_due_on", "note"})


def _submission_dates_check(*, earliest, value, field: str, message) -> None:
    if value > timezone.localdate():
        raise DomainError(
            _("Please correct the errors below."), fields={field: [str(_("The date cannot be in the future."))]}
        )
    if earliest and value < earliest:
        raise DomainError(_("Please correct the errors below."), fields={field: [str(message)]})


@transaction.atomic
def official_submission_create(*, prisoner: Prisoner, actor, data: dict) -> OfficialSubmission:
    """Record that the case was sent to an authority or the ICRC, and by when an acknowledgement is due."""
    refuse_unknown_fields(data, SUBMISSION_FIELDS)
    prisoner = _open_record(prisoner)
    if prisoner.status not in (CaseStatus.REPORTED, CaseStatus.CAPTURE_CONFIRMED, CaseStatus.REGISTERED):
        raise DomainError(
            format_lazy(
                _("A case in status “{status}” is not submitted for registration."),
                status=prisoner.get_status_display(),
            ),
            code="not_submittable",
        )
    submission = OfficialSubmission(prisoner=prisoner, created_by=actor, **data)
    if submission.submitted_on:
        _submission_dates_check(earliest=None, value=submission.submitted_on, field="submitted_on", message="")
    due, sent = submission.acknowledgement_due_on, submission.submitted_on
    if sent and due and due < sent:
        message = _("The answer cannot be due before the case was sent.")
        raise DomainError(message, fields={"acknowledgement_due_on": [str(message)]})
    validated(submission)
    submission.save()
    audit_record(
        actor=actor,
        action="prisoner.submission_recorded",
        target=prisoner,
        changes={"submission": submission.pk, **{name: getattr(submission, name) for name in sorted(data)}},
    )
    return submission


@transaction.atomic
def official_submission_acknowledge(
    *, submission: OfficialSubmission, actor, acknowledged_on, confirmation_due_on, reference: str = "", version=None
) -> OfficialSubmission:
    """The authority acknowledged the submission; its confirmation is due by ``confirmation_due_on``."""
    submission = lock_for_update(submission, version=version)
    if submission.acknowledged_on or submission.confirmed_on:
        raise DomainError(_("This submission was already answered."), code="already_answered")
    message = _("It cannot be acknowledged before it was sent.")
    _submission_dates_check(
        earliest=submission.submitted_on, value=acknowledged_on, field="acknowledged_on", message=message
    )
    if confirmation_due_on < acknowledged_on:
        message = _("The confirmation cannot be due before the acknowledgement.")
        raise DomainError(message, fields={"confirmation_due_on": [str(message)]})
    submission.acknowledged_on = acknowledged_on
    submission.confirmation_due_on = confirmation_due_on
    if reference.strip():
        submission.reference = reference.strip()
    submission.version += 1
    validated(submission)
    submission.save()
    audit_record(
        actor=actor,
        action="prisoner.submission_acknowledged",
        target=submission.prisoner,
        changes={"submission": submission.pk, "acknowledged_on": acknowledged_on, "due": confirmation_due_on},
    )
    return submission


@transaction.atomic
def official_submission_confirm(
    *, submission: OfficialSubmission, actor, confirmed_on, reason: str = "", version=None
) -> OfficialSubmission:
    """The authority confirmed him as a prisoner of war: the case becomes ``registered``.

    A case still ``reported`` passes through ``capture_confirmed`` on the way,
    each step in the timeline with the authority as its source.
    """
    submission = lock_for_update(submission, version=version)
    if submission.confirmed_on:
        raise DomainError(_("This submission was already confirmed."), code="already_answered")
    if submission.acknowledged_on:
        earliest, message = submission.acknowledged_on, _("It cannot be confirmed before it was acknowledged.")
    else:
        earliest, message = submission.submitted_on, _("It cannot be confirmed before it was sent.")
    _submission_dates_check(earliest=earliest, value=confirmed_on, field="confirmed_on", message=message)
    prisoner = _open_record(submission.prisoner)
    source = Source.ICRC if submission.authority == "icrc" else Source.OFFICIAL_LIST
    reason = reason.strip() or str(
        format_lazy(
            _("Confirmed as a prisoner of war by {authority} on {date}."),
            authority=submission.get_authority_display(),
            date=confirmed_on.isoformat(),
        )
    )
    if prisoner.status == CaseStatus.REPORTED:
        prisoner_set_status(
            prisoner=prisoner, new_status=CaseStatus.CAPTURE_CONFIRMED, actor=actor, source=source, reason=reason
        )
        prisoner.refresh_from_db()
    if prisoner.status == CaseStatus.CAPTURE_CONFIRMED:
        prisoner_set_status(
            prisoner=prisoner, new_status=CaseStatus.REGISTERED, actor=actor, source=source, reason=reason
        )
    elif prisoner.status != CaseStatus.REGISTERED:
        raise DomainError(
            format_lazy(_("A case in status “{status}” cannot be registered."), status=prisoner.get_status_display()),
            code="not_registrable",
        )
    submission.confirmed_on = confirmed_on
    if submission.acknowledged_on is None:
        # A confirmation answers the acknowledgement too.
        submission.acknowledged_on = confirmed_on
        submission.confirmation_due_on = confirmed_on
    submission.version += 1
    submission.save()
    audit_record(
        actor=actor,
        action="prisoner.submission_confirmed",
        target=prisoner,
        changes={"submission": submission.pk, "confirmed_on": confirmed_on},
    )
    return submission
