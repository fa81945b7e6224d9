"""Staff pages of the official-registration track, the printable submission, and the record search.

Answers to a submission are posted from the record page (``_track.html``);
they come back to it, or, when refused, to a small page of their own that
shows the form with what was wrong.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.audit import audit_record
from core.errors import DomainError
from core.forms import form_add_domain_error
from core.roles import Capability
from core.staff import staff_page
from families.staff_selectors import requests_overdue_count
from prisoners.models import Evidence, OfficialSubmission, Prisoner
from prisoners.services import (
    official_submission_acknowledge,
    official_submission_confirm,
    official_submission_create,
)
from prisoners.staff_search import (
    OVERDUE_PAGE_SIZE,
    SEARCH_PAGE_SIZE,
    PrisonerSearchForm,
    prisoner_search,
    submissions_overdue,
)
from prisoners.track_forms import AcknowledgeForm, ConfirmForm, SubmissionForm
from prisoners.track_pdf import submission_pdf_build


def _record(prisoner_id: int) -> HttpResponseRedirect:
    return redirect("staff:prisoner_detail", pk=prisoner_id)


@require_GET
@staff_page(Capability.VIEW_PRISONERS)
def prisoner_search_page(request):
    """Records by name (ranked by the matching engine), number, request or any of the filters.

    An empty form lists nothing: the search answers a question, and reading
    through the whole register is not one a caseworker needs to ask.
    """
    form = PrisonerSearchForm(request.GET or None)
    context = {"form": form, "page": None, "ranked": False}
    if form.is_bound and not form.is_valid():
        return render(request, "staff/search.html", context, status=400)
    if form.is_bound and form.has_criteria:
        search = prisoner_search(criteria=form.cleaned_data)
        query = request.GET.copy()
        query.pop("page", None)
        context.update(
            page=Paginator(search.records, SEARCH_PAGE_SIZE).get_page(request.GET.get("page")),
            ranked=search.ranked,
            query=query.urlencode(),
        )
    return render(request, "staff/search.html", context)


@require_http_methods(["GET", "POST"])
@staff_page(Capability.EDIT_PRISONERS)
def submission_new(request, pk: int):
    prisoner = get_object_or_404(Prisoner, pk=pk)
    form = SubmissionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            official_submission_create(prisoner=prisoner, actor=request.user, data=form.cleaned_data)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The submission is recorded."))
            return _record(prisoner.pk)
    status = 400 if form.errors else 200
    return render(request, "staff/track/submission_new.html", {"prisoner": prisoner, "form": form}, status=status)


def _answer(request, pk: int, form_class, answer, success_message: str, title: str):
    """Post one answer to a submission; back to the record, or the form again with what was wrong."""
    submission = get_object_or_404(OfficialSubmission.objects.select_related("prisoner"), pk=pk)
    form = form_class(request.POST, submission=submission)
    if form.is_valid():
        try:
            answer(submission, form.cleaned_data)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, success_message)
            return _record(submission.prisoner_id)
    context = {"submission": submission, "prisoner": submission.prisoner, "form": form, "title": title}
    return render(request, "staff/track/answer.html", context, status=400)


@require_POST
@staff_page(Capability.EDIT_PRISONERS)
def submission_acknowledge(request, pk: int):
    def answer(submission, data):
        official_submission_acknowledge(
            submission=submission,
            actor=request.user,
            acknowledged_on=data["acknowledged_on"],
            confirmation_due_on=data["confirmation_due_on"],
            reference=data["reference"],
            version=data["version"],
        )

    return _answer(
        request, pk, AcknowledgeForm, answer, _("The acknowledgement is recorded."), _("Record the acknowledgement")
    )


@require_POST
@staff_page(Capability.EDIT_PRISONERS)
def submission_confirm(request, pk: int):
    def answer(submission, data):
        official_submission_confirm(
            submission=submission,
            actor=request.user,
            confirmed_on=data["confirmed_on"],
            reason=data["note"],
            version=data["version"],
        )

    return _answer(
        request,
        pk,
        ConfirmForm,
        answer,
        _("The confirmation is recorded: the case is registered."),
        _("Record the confirmation"),
    )


@require_GET
@staff_page(Capability.VIEW_PRISONERS)
def submission_pdf(request, pk: int):
    """The record as an authority needs it, to print or attach; each export is audited like a reading."""
    prisoner = get_object_or_404(
        Prisoner.objects.select_related("party", "holding_party").prefetch_related(
            "name_variants",
            Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "id")),
            Prefetch("submissions", queryset=OfficialSubmission.objects.order_by("submitted_on", "id")),
        ),
        pk=pk,
    )
    document = submission_pdf_build(prisoner)
    # Audited once built, outside the build: the audit chain is locked only for the write.
    with transaction.atomic():
        audit_record(actor=request.user, action="prisoner.exported", target=prisoner, changes={"format": "pdf"})
    response = HttpResponse(document, content_type="application/pdf")
    # The record id, never the name: file names travel further than the files' contents.
    response["Content-Disposition"] = f'attachment; filename="prisoner-{prisoner.pk}-submission.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@staff_page(Capability.VIEW_PRISONERS)
def submissions_overdue_page(request):
    page = Paginator(submissions_overdue(), OVERDUE_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "requests_overdue": requests_overdue_count()}
    return render(request, "staff/track/overdue.html", context)
