"""What the staff workspace reads about one prisoner record: the record, its timeline, its audit trail.

Pages and the staff API call the same functions, so a record reads the same
everywhere. Each read runs a fixed number of queries, however many events,
evidence, name variants, relatives or requests the record has.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist
from django.db.models import CharField, Prefetch, Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from core.audit import target_of
from core.models import AuditEvent
from families.models import RegistrationRequest, Relationship
from prisoners.models import (
    CaseEvent,
    CaseEventKind,
    CaseStatus,
    DateAccuracy,
    Evidence,
    Fact,
    FactSource,
    MatchCandidate,
    NameVariant,
    OfficialSubmission,
    Prisoner,
    Source,
    StatusChange,
)
from prisoners.services import FIELD_FACTS

# The record in the groups of Art. 122, in the order a caseworker reads them.
RECORD_GROUPS = (
    (
        "identity",
        _("Identity"),
        (
            "surname",
            "given_names",
            "patronymic",
            "date_of_birth",
            "date_of_birth_accuracy",
            "place_of_birth",
            "mothers_maiden_name",
            "citizenship",
            "person_to_inform",
        ),
    ),
    ("service", _("Service"), ("party", "rank", "service_number", "unit", "military_status")),
    ("capture", _("Capture and internment"), ("capture_date", "capture_place", "holding_party", "place_of_internment")),
    ("health", _("Health and repatriation"), ("health_status", "health_notes", "repatriation_consent")),
)

# The fields of the record in the order of its groups: the edit form, the merge and the API use it.
RECORD_FIELDS = tuple(name for _key, _title, names in RECORD_GROUPS for name in names)

# Each audited action in words, for the audit page and the API.
AUDIT_ACTIONS = {
    "prisoner.created": _("Record opened"),
    "prisoner.updated": _("Record edited"),
    "prisoner.viewed": _("Record read"),
    "prisoner.exported": _("Record exported"),
    "prisoner.status_changed": _("Case status changed"),
    "prisoner.name_variant_added": _("Name spelling added"),
    "prisoner.name_variant_removed": _("Name spelling removed"),
    "prisoner.event_recorded": _("Event recorded"),
    "prisoner.evidence_added": _("Evidence added"),
    "prisoner.merged": _("Duplicate record merged into this one"),
    "prisoner.submission_recorded": _("Submitted for official registration"),
    "prisoner.submission_acknowledged": _("Submission acknowledged"),
    "prisoner.submission_confirmed": _("Confirmed as a prisoner of war"),
    "evidence.file_stored": _("Evidence file stored"),
    "evidence.link_added": _("Evidence link stored"),
    "evidence.downloaded": _("Evidence file downloaded"),
}

# What the keys of an event's changes are called, where they are not fields of the record.
AUDIT_CHANGE_LABELS = {
    "variant": _("spelling"),
    "script": _("script"),
    "source": _("source"),
    "event": _("event"),
    "kind": _("kind"),
    "occurred_on": _("date"),
    "evidence": _("evidence"),
    "duplicate": _("duplicate record"),
    "fields_taken": _("fields taken from the duplicate"),
    "moved": _("moved to this record"),
    "reversal": _("moves backwards"),
    "submission": _("submission"),
    "sha256": _("SHA-256"),
    "size": _("size in bytes"),
    "type": _("type"),
}

AUDIT_PAGE_SIZE = 50


def prisoner_record(*, pk: int) -> Prisoner:
    """A record with everything its page and its API show, prefetched; 404 if there is none.

    The prefetched rows are ordered as they are shown, so that nothing reads
    the database again while the record is rendered.
    """
    records = Prisoner.objects.select_related("party", "holding_party", "merged_into").prefetch_related(
        Prefetch("fact_sources", queryset=FactSource.objects.select_related("recorded_by")),
        Prefetch("name_variants", queryset=NameVariant.objects.order_by("surname", "given_names", "patronymic", "id")),
        Prefetch("evidence", queryset=Evidence.objects.select_related("uploaded_by").order_by("-uploaded_at", "-id")),
        Prefetch("status_changes", queryset=StatusChange.objects.select_related("actor")),
        Prefetch("events", queryset=CaseEvent.objects.select_related("recorded_by")),
        Prefetch(
            "relationships",
            queryset=Relationship.objects.select_related("family_member", "verified_by").order_by("created_at", "id"),
        ),
        Prefetch(
            "registration_requests",
            queryset=RegistrationRequest.objects.select_related("assigned_to").order_by("-created_at", "-id"),
        ),
        Prefetch(
            "match_candidates",
            queryset=MatchCandidate.objects.filter(decision="")
            .select_related("candidate", "candidate__party")
            .order_by("-score", "id"),
            to_attr="open_duplicates",
        ),
        Prefetch("merged_records", queryset=Prisoner.objects.only("id", "surname", "given_names", "merged_into_id")),
        Prefetch("submissions", queryset=OfficialSubmission.objects.select_related("created_by")),
    )
    try:
        return records.get(pk=pk)
    except Prisoner.DoesNotExist:
        raise Http404 from None


def prisoner_for_staff(*, pk: int) -> Prisoner:
    """A record as an action or a page other than the record's own needs it; 404 if there is none."""
    try:
        return Prisoner.objects.select_related("party", "holding_party", "merged_into").get(pk=pk)
    except Prisoner.DoesNotExist:
        raise Http404 from None


@dataclass(frozen=True)
class RecordField:
    name: str
    label: str
    value: object


@dataclass(frozen=True)
class Provenance:
    """Where one fact came from; ``source`` is None when nobody recorded it."""

    fact: str
    label: str
    source: FactSource | None


@dataclass(frozen=True)
class RecordGroup:
    key: str
    title: str
    fields: tuple[RecordField, ...]
    provenance: tuple[Provenance, ...]


# How a date of birth known only in part is written.
BIRTH_DATE_FORMATS = {DateAccuracy.DAY: "DATE_FORMAT", DateAccuracy.MONTH: "YEAR_MONTH_FORMAT", DateAccuracy.YEAR: "Y"}


def field_display(prisoner: Prisoner, name: str):
    """A field's value as a person reads it: the label of a choice, the name of a party, a date in their format."""
    model_field = Prisoner._meta.get_field(name)
    if model_field.choices:
        return getattr(prisoner, f"get_{name}_display")()
    value = getattr(prisoner, name)
    if isinstance(value, datetime.date):
        accuracy = prisoner.date_of_birth_accuracy if name == "date_of_birth" else DateAccuracy.DAY
        return formats.date_format(value, BIRTH_DATE_FORMATS[accuracy])
    return value


def record_groups(prisoner: Prisoner) -> list[RecordGroup]:
    """The record's fields in their Art. 122 groups, each group with the sources of its facts.

    Uses the rows prefetched by ``prisoner_record``.
    """
    sources = {source.fact: source for source in prisoner.fact_sources.all()}
    groups = []
    for key, title, names in RECORD_GROUPS:
        facts = sorted({FIELD_FACTS[name] for name in names}, key=Fact.values.index)
        groups.append(
            RecordGroup(
                key=key,
                title=title,
                fields=tuple(
                    RecordField(
                        name=name,
                        label=Prisoner._meta.get_field(name).verbose_name,
                        value=field_display(prisoner, name),
                    )
                    for name in names
                ),
                provenance=tuple(
                    Provenance(fact=fact, label=Fact(fact).label, source=sources.get(fact)) for fact in facts
                ),
            )
        )
    return groups


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a case's timeline: a status change or an Art. 122(5) event."""

    kind: str  # "status" or "event"
    occurred_on: datetime.date | None
    recorded_at: datetime.datetime
    title: str
    source: str
    source_label: str
    actor: object
    reason: str = ""
    details: str = ""
    place: str = ""
    old_status: str = ""
    new_status: str = ""
    event_kind: str = ""
    cause_of_death: str = ""
    burial_place: str = ""
    is_reversal: bool = False
    # Sort key: an event's own date, else the day it was written down.
    sort_key: tuple = field(default=(), compare=False, repr=False)


def case_timeline(prisoner: Prisoner) -> list[TimelineEntry]:
    """Status changes and events on one timeline, oldest first.

    An event is placed on the day it happened, which may be long before it was
    recorded; a status change on the day it was made. Uses the rows
    prefetched by ``prisoner_record``.
    """
    entries = []
    for change in prisoner.status_changes.all():
        day = timezone.localdate(change.created_at)
        entries.append(
            TimelineEntry(
                kind="status",
                occurred_on=day,
                recorded_at=change.created_at,
                title=CaseStatus(change.new_status).label,
                source=change.source,
                source_label=Source(change.source).label,
                actor=change.actor,
                reason=change.reason,
                old_status=change.old_status,
                new_status=change.new_status,
                is_reversal=change.is_reversal,
                sort_key=(day, change.created_at),
            )
        )
    for event in prisoner.events.all():
        day = event.occurred_on or timezone.localdate(event.recorded_at)
        entries.append(
            TimelineEntry(
                kind="event",
                occurred_on=event.occurred_on,
                recorded_at=event.recorded_at,
                title=CaseEventKind(event.kind).label,
                source=event.source,
                source_label=Source(event.source).label,
                actor=event.recorded_by,
                details=event.details,
                place=event.place,
                event_kind=event.kind,
                cause_of_death=event.cause_of_death,
                burial_place=event.burial_place,
                sort_key=(day, event.recorded_at),
            )
        )
    return sorted(entries, key=lambda entry: entry.sort_key)


def prisoner_audit_events(prisoner: Prisoner) -> QuerySet:
    """The audit trail of a record and of its evidence, newest first, in one query."""
    target_type, target_id = target_of(prisoner)
    evidence_ids = Evidence.objects.filter(prisoner_id=prisoner.pk).annotate(key=Cast("pk", CharField())).values("key")
    return (
        AuditEvent.objects.filter(
            Q(target_type=target_type, target_id=target_id)
            | Q(target_type=Evidence._meta.label_lower, target_id__in=evidence_ids)
        )
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class AuditChange:
    """One line of an audit event's changes: a field that went from ``old`` to ``new``, or a noted value."""

    name: str
    label: str
    old: object = None
    new: object = None
    value: object = None
    is_change: bool = False


@dataclass(frozen=True)
class AuditEntry:
    """One event of a record's audit trail, in words."""

    at: datetime.datetime
    who: str
    action: str
    action_label: str
    evidence_id: int | None
    reason: str
    changes: tuple[AuditChange, ...]


def audit_entry(event: AuditEvent) -> AuditEntry:
    """An audit event as a person reads it.

    Who acted is the account's name while it exists, and its anonymised
    label once the account is erased.
    """
    is_evidence = event.target_type == Evidence._meta.label_lower
    return AuditEntry(
        at=event.created_at,
        who=event.actor.get_username() if event.actor is not None else event.actor_label,
        action=event.action,
        action_label=AUDIT_ACTIONS.get(event.action, event.action),
        evidence_id=int(event.target_id) if is_evidence else None,
        reason=event.reason,
        changes=_audit_changes(event),
    )


def _prisoner_field(name: str):
    try:
        field = Prisoner._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return None if field.auto_created and not field.concrete else field


def _audit_changes(event: AuditEvent) -> tuple[AuditChange, ...]:
    """An event's changes as lines: ``field: old → new`` where it records both, else the noted value."""
    lines = []
    for name, value in sorted((event.changes or {}).items()):
        # A record's own field has a verbose name; "evidence" or "events" name rows of other tables.
        field = _prisoner_field(name)
        label = field.verbose_name if field is not None else AUDIT_CHANGE_LABELS.get(name, name)
        if isinstance(value, dict) and set(value) == {"old", "new"}:
            lines.append(AuditChange(name=name, label=label, old=value["old"], new=value["new"], is_change=True))
        else:
            lines.append(AuditChange(name=name, label=label, value=value))
    return tuple(lines)
