"""My cases: the requests a family member filed, their timeline, answering a caseworker, withdrawing.

A request that does not exist and one filed by another family give the same
404 (``registration_request_for_family``); so does every page for an account
that is not a family member's.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.errors import DomainError
from core.forms import form_add_domain_error
from families.case_forms import AnswerForm, WithdrawForm
from families.models import FAMILY_FACING_REQUEST_STATUS, MessageDirection, RegistrationRequest, RequestStatus
from families.page_cache import cached_page
from families.selectors import (
    family_member_of,
    family_member_or_404,
    registration_request_for_family,
    relative_status,
    request_timeline,
    requests_filed_by,
)
from families.services import registration_request_answer, registration_request_withdraw
from prisoners.evidence import evidence_stored

LIST_FIELDS = ("reference", "surname", "given_names", "patronymic", "status", "created_at", "status_changed_at")


def request_status_context(registration_request: RegistrationRequest) -> dict:
    """What the status block (``families/_request_status.html``) shows, signed in or with a code."""
    label, explanation = FAMILY_FACING_REQUEST_STATUS[registration_request.status]
    return {
        "registration_request": registration_request,
        "status_label": label,
        "status_explanation": explanation,
        "timeline": request_timeline(registration_request),
    }


@login_required
@require_GET
def request_list(request):
    member = family_member_or_404(request.user)
    rows = [
        (registration_request, FAMILY_FACING_REQUEST_STATUS[registration_request.status][0])
        for registration_request in requests_filed_by(member).only(*LIST_FIELDS)
    ]
    return render(request, "families/request_list.html", {"rows": rows})


def _render_detail(request, registration_request: RegistrationRequest, *, answer_form: AnswerForm | None = None):
    question = None
    if registration_request.status == RequestStatus.INFO_REQUESTED:
        answer_form = AnswerForm() if answer_form is None else answer_form
        # The newest question, from the prefetched thread.
        asked = [m for m in registration_request.messages.all() if m.direction == MessageDirection.TO_FAMILY]
        question = asked[-1] if asked else None
    context = {
        **request_status_context(registration_request),
        "relative": relative_status(member=family_member_of(request.user), request=registration_request),
        "answer_form": answer_form,
        "question": question,
    }
    return render(request, "families/request_detail.html", context)


@cached_page
@login_required
@never_cache
@require_GET
def request_detail(request, reference):
    registration_request = registration_request_for_family(user=request.user, reference=reference)
    return _render_detail(request, registration_request)


def _answer_with_evidence(*, registration_request: RegistrationRequest, actor, form: AnswerForm) -> None:
    """Store the evidence and record the answer, all or nothing.

    Files are written to storage before the transaction commits; when it
    rolls back, ``evidence_stored`` deletes them again.
    """
    links = [{"url": url} for url in form.cleaned_data["links"]]
    with evidence_stored(actor=actor, links=links, files=form.cleaned_data["files"]) as evidence:
        registration_request_answer(
            request=registration_request, actor=actor, body=form.cleaned_data["body"], evidence=evidence
        )


@login_required
@never_cache
def request_answer(request, reference):
    registration_request = registration_request_for_family(user=request.user, reference=reference)
    if request.method != "POST":
        return redirect("families:request_detail", reference=registration_request.reference)
    if registration_request.status != RequestStatus.INFO_REQUESTED:
        messages.error(request, _("No question is waiting for an answer on this request."))
        return redirect("families:request_detail", reference=registration_request.reference)
    form = AnswerForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            _answer_with_evidence(registration_request=registration_request, actor=request.user, form=form)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Thank you. Your answer is with the caseworker, and the review goes on."))
            return redirect("families:request_detail", reference=registration_request.reference)
    return _render_detail(request, registration_request, answer_form=form)


@login_required
@never_cache
def request_withdraw(request, reference):
    registration_request = registration_request_for_family(user=request.user, reference=reference)
    detail = redirect("families:request_detail", reference=registration_request.reference)
    if registration_request.status == RequestStatus.WITHDRAWN:
        messages.info(request, _("This request is already withdrawn."))
        return detail
    if not registration_request.is_open:
        messages.error(request, _("This request is closed: it can no longer be withdrawn."))
        return detail
    if request.method != "POST":
        form = WithdrawForm()
    else:
        form = WithdrawForm(request.POST)
        if form.is_valid():
            try:
                registration_request_withdraw(
                    request=registration_request, actor=request.user, reason=form.cleaned_data["reason"]
                )
            except DomainError as error:
                form_add_domain_error(form, error)
            else:
                messages.success(request, _("Your request is withdrawn. Nothing more will be done with it."))
                return detail
    return render(
        request, "families/request_withdraw.html", {"registration_request": registration_request, "form": form}
    )
