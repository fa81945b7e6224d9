"""What the staff workspace reads across records: the search, and the registration track's overdue answers.

Pages and the staff API call the same functions, so both find the same
records in the same order. Each runs a fixed number of queries, however many
records it returns.
"""

from dataclasses import dataclass

from django import forms
from django.db.models import (
    Case,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from families.models import RegistrationRequest
from prisoners.matching.keys import service_number_key
from prisoners.matching.search import candidates_find, person_query_read
from prisoners.models import CaseStatus, Confidence, OfficialSubmission, Party, Prisoner
from prisoners.track_forms import DateInput

SEARCH_PAGE_SIZE = 25
OVERDUE_PAGE_SIZE = 50
# The most records a name search ranks; a name that matches more needs another criterion.
NAME_SEARCH_LIMIT = 200

# The date ranges of the form: (field of the form's "from" and "to" inputs, lookup on Prisoner).
DATE_RANGES = (
    ("capture_date", "capture_date"),
    ("date_of_birth", "date_of_birth"),
    ("status_changed", "status_changed_at__date"),
)


class PrisonerSearchForm(forms.Form):
    """The search's criteria, for the page's GET form and the API's query string alike.

    All criteria are combined. A name is ranked by the matching engine (any
    spelling, either alphabet); every other criterion narrows exactly.
    """

    surname = forms.CharField(label=_("Surname"), max_length=150, required=False)
    given_name = forms.CharField(label=_("Given name"), max_length=150, required=False)
    patronymic = forms.CharField(label=_("Patronymic"), max_length=150, required=False)
    born = forms.CharField(
        label=_("Date of birth, for the name search"),
        max_length=10,
        required=False,
        help_text=_("YYYY-MM-DD, YYYY-MM or YYYY"),
    )
    service_number = forms.CharField(label=_("Personal or serial number"), max_length=64, required=False)
    request_reference = forms.CharField(
        label=_("Request reference"), max_length=20, required=False, help_text=_("For example HC-2026-000123")
    )
    status = forms.MultipleChoiceField(
        label=_("Case status"), choices=CaseStatus.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    party = forms.ModelChoiceField(
        label=_("Serves in the forces of"), queryset=Party.objects.order_by("name"), required=False
    )
    holding_party = forms.ModelChoiceField(label=_("Held by"), queryset=Party.objects.order_by("name"), required=False)
    unit = forms.CharField(label=_("Unit contains"), max_length=200, required=False)
    capture_date_from = forms.DateField(label=_("Captured from"), required=False, widget=DateInput())
    capture_date_to = forms.DateField(label=_("Captured until"), required=False, widget=DateInput())
    date_of_birth_from = forms.DateField(label=_("Born from"), required=False, widget=DateInput())
    date_of_birth_to = forms.DateField(label=_("Born until"), required=False, widget=DateInput())
    status_changed_from = forms.DateField(label=_("Status changed from"), required=False, widget=DateInput())
    status_changed_to = forms.DateField(label=_("Status changed until"), required=False, widget=DateInput())

    def clean_request_reference(self) -> str:
        return self.cleaned_data["request_reference"].strip().upper()

    def clean(self):
        data = super().clean()
        for name, _lookup in DATE_RANGES:
            start, end = data.get(f"{name}_from"), data.get(f"{name}_to")
            if start and end and start > end:
                self.add_error(f"{name}_to", _("This date is before the start of the range."))
        has_name = any(data.get(name, "").strip() for name in ("surname", "given_name", "patronymic"))
        if has_name or data.get("born", "").strip():
            try:
                data["person_query"] = person_query_read(
                    surname=data.get("surname", ""),
                    given_name=data.get("given_name", ""),
                    patronymic=data.get("patronymic", ""),
                    date_of_birth=data.get("born", ""),
                )
            except DomainError as error:
                field_names = {"date_of_birth": "born"}
                for field, messages in error.fields.items():
                    for message in messages:
                        self.add_error(field_names.get(field, field), message)
        return data

    @property
    def has_criteria(self) -> bool:
        """Whether the (valid) form asks anything: an empty search lists nothing."""
        return any(value not in (None, "", []) for value in self.cleaned_data.values())

    @property
    def is_name_search(self) -> bool:
        return "person_query" in self.cleaned_data


@dataclass(frozen=True)
class PrisonerSearch:
    """The records a search finds, in the order to show them; ``ranked`` when a name decided the order."""

    records: QuerySet[Prisoner]
    ranked: bool


def prisoner_search(*, criteria: dict) -> PrisonerSearch:
    """The records matching ``criteria`` (a valid ``PrisonerSearchForm``'s cleaned data).

    A name search keeps the engine's order (best score first, then id) and
    gives each record its ``match_score`` and ``match_confidence``; otherwise
    records come by surname. The caller checks that something was asked:
    with no criteria, every record matches.
    """
    records = Prisoner.objects.select_related("party", "holding_party")
    ranked = "person_query" in criteria
    if ranked:
        candidates = candidates_find(criteria["person_query"], limit=NAME_SEARCH_LIMIT)
        scores = [When(pk=candidate.prisoner_id, then=Value(candidate.score)) for candidate in candidates]
        confidences = [When(pk=candidate.prisoner_id, then=Value(candidate.confidence)) for candidate in candidates]
        records = records.filter(pk__in=[candidate.prisoner_id for candidate in candidates]).annotate(
            match_score=Case(*scores, default=Value(0), output_field=IntegerField()),
            match_confidence=Case(*confidences, default=Value(Confidence.LOW)),
        )
    if criteria.get("service_number"):
        key = service_number_key(criteria["service_number"])
        records = records.filter(service_number_key=key) if key else records.none()
    if criteria.get("request_reference"):
        linked = RegistrationRequest.objects.filter(reference=criteria["request_reference"]).values("prisoner_id")
        records = records.filter(pk__in=linked)
    if criteria.get("status"):
        records = records.filter(status__in=criteria["status"])
    for name in ("party", "holding_party"):
        if criteria.get(name):
            records = records.filter(**{name: criteria[name]})
    if criteria.get("unit", "").strip():
        records = records.filter(unit__icontains=criteria["unit"].strip())
    for name, lookup in DATE_RANGES:
        if criteria.get(f"{name}_from"):
            records = records.filter(**{f"{lookup}__gte": criteria[f"{name}_from"]})
        if criteria.get(f"{name}_to"):
            records = records.filter(**{f"{lookup}__lte": criteria[f"{name}_to"]})
    order = ("-match_score", "id") if ranked else ("surname", "given_names", "id")
    return PrisonerSearch(records=records.order_by(*order), ranked=ranked)


def _waiting_past(today) -> Q:
    """Waiting for an acknowledgement, or for a confirmation, past its date: one partial index each."""
    return Q(confirmed_on__isnull=True) & (
        Q(acknowledged_on__isnull=True, acknowledgement_due_on__lt=today)
        | Q(acknowledged_on__isnull=False, confirmation_due_on__lt=today)
    )


def submissions_overdue() -> QuerySet[OfficialSubmission]:
    """Submissions whose answer is late, the longest overdue first.

    Each has its ``deadline`` (the date the awaited answer was due) and
    ``overdue_by``, the time since then.
    """
    today = timezone.localdate()
    deadline = Case(
        When(acknowledged_on__isnull=True, then=F("acknowledgement_due_on")), default=F("confirmation_due_on")
    )
    return (
        OfficialSubmission.objects.filter(_waiting_past(today))
        .select_related("prisoner")
        .annotate(
            deadline=deadline,
            overdue_by=ExpressionWrapper(
                Value(today, output_field=DateField()) - deadline, output_field=DurationField()
            ),
        )
        .order_by("deadline", "id")
    )


def submissions_overdue_count() -> int:
    return OfficialSubmission.objects.filter(_waiting_past(timezone.localdate())).count()
