"""The coordinators' overview of cases and exchanges, /staff/exchanges/overview/: figures as charts and tables.

Every figure is counted by the database, a fixed handful of queries whatever
the number of records, on PostgreSQL and SQLite alike. The labels are
translated here, in the reader's language, so that the page's script draws
its charts without a word of its own.
"""

import calendar
import datetime

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from core.roles import Capability
from core.staff import staff_page
from exchanges.models import EntryOutcome, Exchange, ExchangeStatus
from prisoners.models import CaseStatus, Prisoner

# The cases still waiting for a prisoner to come home.
WAITING_STATUSES = (CaseStatus.REGISTERED, CaseStatus.CAPTURE_CONFIRMED)

# Time in captivity: (key, label, at least, less than so many months); None is open-ended.
WAITING_BUCKETS = (
    ("under_3", gettext_lazy("Less than 3 months"), None, 3),
    ("3_to_6", gettext_lazy("3 to 6 months"), 3, 6),
    ("6_to_12", gettext_lazy("6 to 12 months"), 6, 12),
    ("12_to_24", gettext_lazy("12 to 24 months"), 12, 24),
    ("over_24", gettext_lazy("More than 24 months"), 24, None),
)

MONTHS_SHOWN = 12


def _months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` calendar months earlier, or the month's last day if it is shorter."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def _whole_months_between(earlier: datetime.date, later: datetime.date) -> int:
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - 1 if later.day < earlier.day else months


def _case_statuses() -> dict:
    counts = dict(
        Prisoner.objects.exclude(status=CaseStatus.MERGED).order_by().values_list("status").annotate(n=Count("pk"))
    )
    return {
        "series": _("Records"),
        "rows": [
            {"key": status, "label": str(label), "count": counts.get(status, 0)}
            for status, label in CaseStatus.choices
            if status != CaseStatus.MERGED
        ],
    }


def _waiting_time(today: datetime.date) -> dict:
    """Buckets of time in captivity since the date of capture, the median, and the cases with no date."""
    waiting = Prisoner.objects.filter(status__in=WAITING_STATUSES)
    buckets = {}
    for key, _label, low, high in WAITING_BUCKETS:
        # Captured more than ``low`` months ago and at most ``high``: a capture
        # exactly three months ago counts in "3 to 6 months".
        condition = Q(capture_date__isnull=False)
        if low is not None:
            condition &= Q(capture_date__lte=_months_before(today, low))
        if high is not None:
            condition &= Q(capture_date__gt=_months_before(today, high))
        buckets[key] = Count("pk", filter=condition)
    counts = waiting.aggregate(
        **buckets,
        known=Count("pk", filter=Q(capture_date__isnull=False)),
        unknown=Count("pk", filter=Q(capture_date__isnull=True)),
    )
    return {
        "series": _("Prisoners"),
        "rows": [
            {"key": key, "label": str(label), "count": counts[key]} for key, label, _low, _high in WAITING_BUCKETS
        ],
        "unknown": counts["unknown"],
        "median_months": _median_months(waiting, known=counts["known"], today=today),
    }


def _median_months(waiting, *, known: int, today: datetime.date) -> int | None:
    """The median time in captivity in whole months: one query for the one or two middle dates."""
    if not known:
        return None
    middle = known // 2
    start = middle if known % 2 else middle - 1
    dates = list(
        waiting.filter(capture_date__isnull=False)
        .order_by("capture_date")
        .values_list("capture_date", flat=True)[start : middle + 1]
    )
    median = datetime.date.fromordinal(sum(day.toordinal() for day in dates) // len(dates))
    return _whole_months_between(median, today)


def _completed_by_month(now: datetime.datetime) -> dict:
    """Completed exchanges and the people they brought home, per month, over the last twelve months."""
    today = timezone.localdate(now)
    first = _months_before(today.replace(day=1), MONTHS_SHOWN - 1)
    since = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    rows = (
        Exchange.objects.filter(status=ExchangeStatus.COMPLETED, status_changed_at__gte=since)
        .annotate(month=TruncMonth("status_changed_at"))
        .order_by()
        .values("month")
        # Joined with the entries, an exchange appears once per entry: count it once.
        .annotate(
            exchanges=Count("pk", distinct=True),
            returned=Count("entries", filter=Q(entries__outcome=EntryOutcome.RETURNED)),
        )
    )
    by_month = {}
    for row in rows:
        month = timezone.localtime(row["month"]) if timezone.is_aware(row["month"]) else row["month"]
        by_month[(month.year, month.month)] = row
    months = []
    for offset in range(MONTHS_SHOWN - 1, -1, -1):
        month = _months_before(today.replace(day=1), offset)
        row = by_month.get((month.year, month.month), {})
        months.append(
            {
                "key": month.strftime("%Y-%m"),
                "label": formats.date_format(month, "YEAR_MONTH_FORMAT"),
                "exchanges": row.get("exchanges", 0),
                "returned": row.get("returned", 0),
            }
        )
    return {"series": {"exchanges": _("Completed exchanges"), "returned": _("People returned")}, "rows": months}


def _exchange_statuses() -> dict:
    counts = dict(Exchange.objects.order_by().values_list("status").annotate(n=Count("pk")))
    return {
        "series": _("Exchanges"),
        "rows": [
            {"key": status, "label": str(label), "count": counts.get(status, 0)}
            for status, label in ExchangeStatus.choices
        ],
    }


def exchange_overview_figures(*, now: datetime.datetime | None = None) -> dict:
    """The overview's figures, labelled in the active language and ready for ``json_script``: five queries."""
    now = now or timezone.now()
    return {
        "case_statuses": _case_statuses(),
        "waiting": _waiting_time(timezone.localdate(now)),
        "completed_by_month": _completed_by_month(now),
        "exchange_statuses": _exchange_statuses(),
    }


@staff_page(Capability.VIEW_EXCHANGES)
@require_GET
def exchange_overview(request):
    return render(request, "staff/exchanges/overview.html", {"figures": exchange_overview_figures()})
