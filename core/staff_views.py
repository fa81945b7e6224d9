"""The staff workspace's home page: what is waiting, and where to start."""

from django.db.models import Count, Q
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.staff import staff_page
from families.models import OPEN_REQUEST_STATUSES, RegistrationRequest
from families.staff_selectors import requests_overdue_count
from prisoners.models import CaseStatus, Prisoner
from prisoners.staff_search import submissions_overdue_count


@require_GET
@staff_page()
def staff_home(request):
    """Counts of the work waiting, each linking to its list: one query per kind of record."""
    requests = RegistrationRequest.objects.filter(status__in=OPEN_REQUEST_STATUSES).aggregate(
        open=Count("pk"),
        unassigned=Count("pk", filter=Q(assigned_to__isnull=True)),
        mine=Count("pk", filter=Q(assigned_to=request.user)),
    )
    counts = dict(Prisoner.objects.order_by().values_list("status").annotate(count=Count("pk")))
    context = {
        "requests": requests,
        "requests_overdue": requests_overdue_count(),
        "submissions_overdue": submissions_overdue_count(),
        "cases": [(status, label, counts.get(status, 0)) for status, label in CaseStatus.choices],
    }
    return render(request, "staff/home.html", context)
