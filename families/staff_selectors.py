"""What the staff workspace reads about registration requests: the queue, one request under review.

Pages and the staff API call the same functions, so the queue shows the same
rows, filters and order in both, and a request reads the same everywhere.
Every read here runs a fixed number of queries, however many requests,
candidates, messages or evidence there are.
"""

import datetime
from dataclasses import dataclass

import django_filters
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Now
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.audit import target_of
from core.models import AuditEvent
from core.roles import Role
from families.models import (
    OPEN_REQUEST_STATUSES,
    Language,
    RegistrationRequest,
    Relationship,
    RequestMessage,
    RequestStatus,
    RequestStatusChange,
)
from prisoners.models import MatchCandidate, MatchDecision, Prisoner

User = get_user_model()

QUEUE_PAGE_SIZE = 50
# Longest waiting first; the id breaks ties, so that pages neither overlap nor skip a request.
QUEUE_ORDER = ("status_changed_at", "id")

# The fields set side by side when a caseworker compares a request with a record.
COMPARED_FIELDS = (
    "surname",
    "given_names",
    "patronymic",
    "date_of_birth",
    "place_of_birth",
    "mothers_maiden_name",
    "citizenship",
    "party",
    "rank",
    "service_number",
    "unit",
    "military_status",
    "capture_date",
    "capture_place",
)

# Audit actions on a request that the staff timeline shows; a status change
# has its own row there already.
TIMELINE_AUDIT_ACTIONS = {
    "request.assigned": _("Assigned"),
    "request.marked_duplicate": _("Marked as a duplicate"),
}


def staff_name(user) -> str:
    """How the workspace names a colleague: the full name, else the user name."""
    if user is None:
        return gettext("the system")
    return user.get_full_name() or user.get_username()


def caseworkers() -> QuerySet:
    """The accounts a request can be assigned to: those whose role reviews requests."""
    return (
        User.objects.filter(Q(groups__name=Role.CASEWORKER) | Q(is_superuser=True), is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def _overdue_condition() -> Q:
    """Waiting on staff (not on the family) for longer than ``REQUEST_REVIEW_DAYS``."""
    cutoff = timezone.now() - datetime.timedelta(days=settings.REQUEST_REVIEW_DAYS)
    return (
        Q(status__in=OPEN_REQUEST_STATUSES) & ~Q(status=RequestStatus.INFO_REQUESTED) & Q(status_changed_at__lt=cutoff)
    )


def requests_overdue() -> QuerySet[RegistrationRequest]:
    """Open requests a caseworker should have acted on by now, longest waiting first."""
    return RegistrationRequest.objects.filter(_overdue_condition()).order_by(*QUEUE_ORDER)


def requests_overdue_count() -> int:
    return requests_overdue().count()


def requests_open() -> QuerySet[RegistrationRequest]:
    """Open requests with what the queue shows of each, computed by the database.

    ``waiting`` is the time since the last status change, ``is_overdue`` says
    whether that is too long, ``evidence_count`` counts the evidence, and
    ``best_score``/``best_confidence`` describe the best candidate record
    nobody has ruled out. Longest waiting first.
    """
    best = (
        MatchCandidate.objects.filter(request=OuterRef("pk"))
        .exclude(decision=MatchDecision.DIFFERENT)
        .order_by("-score", "id")
    )
    return (
        RegistrationRequest.objects.filter(status__in=OPEN_REQUEST_STATUSES)
        .select_related("assigned_to")
        .annotate(
            evidence_count=Count("evidence", distinct=True),
            best_score=Subquery(best.values("score")[:1]),
            best_confidence=Subquery(best.values("confidence")[:1]),
            waiting=ExpressionWrapper(Now() - F("status_changed_at"), output_field=DurationField()),
            is_overdue=Case(
                When(_overdue_condition(), then=Value(True)), default=Value(False), output_field=BooleanField()
            ),
        )
        .order_by(*QUEUE_ORDER)
    )


class QueueOrder:
    LONGEST_WAITING = "longest"
    NEWEST = "newest"
    CHOICES = [(LONGEST_WAITING, _("Longest waiting first")), (NEWEST, _("Newest first"))]


class AssigneeChoice:
    ME = "me"
    NOBODY = "none"


class RequestQueueFilter(django_filters.FilterSet):
    """The queue's filters, for the page's GET form and the API's query string alike.

    Longest waiting first (``requests_open``'s order) unless ``order=newest``.
    """

    status = django_filters.MultipleChoiceFilter(
        label=_("Status"),
        choices=[(status.value, status.label) for status in OPEN_REQUEST_STATUSES],
        widget=forms.CheckboxSelectMultiple,
    )
    waiting_days = django_filters.NumberFilter(
        label=_("Waiting more than (days)"), method="filter_waiting_days", min_value=0, max_value=3650
    )
    overdue = django_filters.BooleanFilter(label=_("Overdue only"), method="filter_overdue", widget=forms.CheckboxInput)
    assignee = django_filters.ChoiceFilter(label=_("Assigned to"), method="filter_assignee", empty_label=_("Anyone"))
    has_evidence = django_filters.ChoiceFilter(
        label=_("Evidence"),
        choices=[("true", _("With evidence")), ("false", _("Without evidence"))],
        method="filter_has_evidence",
        empty_label=_("Any"),
    )
    language = django_filters.ChoiceFilter(label=_("Language"), choices=Language.choices, empty_label=_("Any"))
    order = django_filters.ChoiceFilter(
        label=_("Order"), choices=QueueOrder.CHOICES, method="filter_order", empty_label=None
    )

    class Meta:
        model = RegistrationRequest
        fields = ["status", "waiting_days", "overdue", "assignee", "has_evidence", "language", "order"]

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["assignee"].extra["choices"] = [
            (AssigneeChoice.ME, _("Me")),
            (AssigneeChoice.NOBODY, _("Nobody")),
            *((str(user.pk), staff_name(user)) for user in caseworkers()),
        ]

    def filter_waiting_days(self, queryset, name, value):
        return queryset.filter(status_changed_at__lt=timezone.now() - datetime.timedelta(days=float(value)))

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(is_overdue=True) if value else queryset

    def filter_assignee(self, queryset, name, value):
        if value == AssigneeChoice.ME:
            return queryset.filter(assigned_to=self.request.user)
        if value == AssigneeChoice.NOBODY:
            return queryset.filter(assigned_to__isnull=True)
        return queryset.filter(assigned_to_id=value)

    def filter_has_evidence(self, queryset, name, value):
        return queryset.filter(evidence_count__gt=0) if value == "true" else queryset.filter(evidence_count=0)

    def filter_order(self, queryset, name, value):
        if value == QueueOrder.NEWEST:
            return queryset.order_by("-status_changed_at", "-id")
        return queryset.order_by(*QUEUE_ORDER)


def registration_request_queue(*, params, http_request) -> RequestQueueFilter:
    """The open requests, filtered by ``params`` (a GET query), with the form that shows the filters."""
    return RequestQueueFilter(params, queryset=requests_open(), request=http_request)


def registration_request_or_404(*, reference: str) -> RegistrationRequest:
    """The request ``reference``, however the caseworker typed it, or 404."""
    return _request_or_404(RegistrationRequest.objects.all(), reference=reference)


def _request_or_404(queryset: QuerySet[RegistrationRequest], *, reference: str) -> RegistrationRequest:
    try:
        return queryset.get(reference=reference.strip().upper())
    except RegistrationRequest.DoesNotExist:
        raise Http404 from None


def registration_request_for_staff(*, reference: str) -> RegistrationRequest:
    """A request with everything the review page shows of it, or 404."""
    queryset = RegistrationRequest.objects.select_related(
        "filed_by", "assigned_to", "party", "prisoner", "duplicate_of"
    ).prefetch_related(
        "evidence",
        Prefetch(
            "status_changes",
            queryset=RequestStatusChange.objects.select_related("actor").order_by("created_at", "id"),
        ),
        Prefetch("messages", queryset=RequestMessage.objects.select_related("author").prefetch_related("evidence")),
        Prefetch(
            "match_candidates",
            queryset=MatchCandidate.objects.select_related("candidate__party").order_by("-score", "id"),
        ),
    )
    return _request_or_404(queryset, reference=reference)


@dataclass(frozen=True)
class FieldComparison:
    label: str
    request_value: object
    record_value: object

    @property
    def differs(self) -> bool:
        """Both sides say something, and not the same thing. A side left blank is not a difference."""
        if self.request_value in (None, "") or self.record_value in (None, ""):
            return False
        return str(self.request_value).strip().casefold() != str(self.record_value).strip().casefold()


@dataclass(frozen=True)
class CandidateReview:
    match: MatchCandidate
    reasons: list[str]
    comparison: list[FieldComparison]


def _shown(record, name: str):
    display = getattr(record, f"get_{name}_display", None)
    value = getattr(record, name)
    if display is not None and value:
        return display()
    return value


# What the family told of their relative, in the order the review page lists it.
REQUEST_FACT_FIELDS = (
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
)


def request_facts(registration_request: RegistrationRequest) -> list[tuple[str, object]]:
    """The request's identity and capture fields as (label, value) pairs, choices shown by their labels."""
    fields = {field.name: field for field in RegistrationRequest._meta.fields}
    return [(str(fields[name].verbose_name), _shown(registration_request, name)) for name in REQUEST_FACT_FIELDS]


def candidates_reviewed(registration_request: RegistrationRequest) -> list[CandidateReview]:
    """The request's candidate records, best first, each compared field by field with the request.

    Uses the rows ``registration_request_for_staff`` prefetched.
    """
    # The record's labels: neutral where the request's speak to the family ("date of capture, if known").
    fields = {field.name: field for field in Prisoner._meta.fields}
    reviewed = []
    for match in registration_request.match_candidates.all():
        comparison = [
            FieldComparison(
                label=str(fields[name].verbose_name),
                request_value=_shown(registration_request, name),
                record_value=_shown(match.candidate, name),
            )
            for name in COMPARED_FIELDS
        ]
        reviewed.append(
            CandidateReview(match=match, reasons=[gettext(reason) for reason in match.reasons], comparison=comparison)
        )
    return reviewed


def relationships_to_verify(registration_request: RegistrationRequest) -> list[Relationship]:
    """The filer's tie to the prisoner the request is linked to: nothing before it is linked."""
    if registration_request.prisoner_id is None or registration_request.filed_by_id is None:
        return []
    return list(
        Relationship.objects.filter(
            family_member_id=registration_request.filed_by_id, prisoner_id=registration_request.prisoner_id
        ).select_related("family_member", "prisoner", "verified_by")
    )


def request_for_relationship(relationship: Relationship) -> RegistrationRequest | None:
    """The request through which the family member's tie to the prisoner was made, newest first."""
    return (
        RegistrationRequest.objects.filter(
            filed_by_id=relationship.family_member_id, prisoner_id=relationship.prisoner_id
        )
        .order_by("-created_at")
        .first()
    )


@dataclass(frozen=True)
class StaffTimelineEntry:
    at: datetime.datetime
    kind: str  # "status", "message" or "event"
    title: str
    text: str
    actor: str
    evidence: tuple = ()


def request_staff_timeline(registration_request: RegistrationRequest) -> list[StaffTimelineEntry]:
    """Status changes, messages and the request's audit events, oldest first, with who did each.

    Status changes and messages come from the rows ``registration_request_for_staff``
    prefetched; the audit events, and the colleagues they name, take one query each.
    """
    entries = []
    for change in registration_request.status_changes.all():
        title = (
            f"{change.get_old_status_display()} → {change.get_new_status_display()}"
            if change.old_status
            else change.get_new_status_display()
        )
        entries.append(
            StaffTimelineEntry(
                at=change.created_at, kind="status", title=title, text=change.reason, actor=staff_name(change.actor)
            )
        )
    for message in registration_request.messages.all():
        entries.append(
            StaffTimelineEntry(
                at=message.created_at,
                kind="message",
                title=message.get_direction_display(),
                text=message.body,
                actor=staff_name(message.author),
                evidence=tuple(message.evidence.all()),
            )
        )
    target_type, target_id = target_of(registration_request)
    events = list(
        AuditEvent.objects.filter(
            target_type=target_type, target_id=target_id, action__in=TIMELINE_AUDIT_ACTIONS
        ).select_related("actor")
    )
    assignees = {
        event.changes.get("assigned_to", {}).get("new") for event in events if event.action == "request.assigned"
    } - {None}
    names = {user.pk: staff_name(user) for user in User.objects.filter(pk__in=assignees)} if assignees else {}
    for event in events:
        entries.append(
            StaffTimelineEntry(
                at=event.created_at,
                kind="event",
                title=str(TIMELINE_AUDIT_ACTIONS[event.action]),
                text=_event_text(event, names),
                actor=staff_name(event.actor),
            )
        )
    return sorted(entries, key=lambda entry: entry.at)


def _event_text(event: AuditEvent, names: dict) -> str:
    if event.action == "request.assigned":
        assignee = event.changes.get("assigned_to", {}).get("new")
        if assignee is None:
            return gettext("Now assigned to nobody.")
        return gettext("To %(name)s.") % {"name": names.get(assignee, gettext("a former colleague"))}
    if event.action == "request.marked_duplicate":
        return gettext("Duplicate of %(reference)s.") % {"reference": event.changes.get("duplicate_of", "")}
    return event.reason
