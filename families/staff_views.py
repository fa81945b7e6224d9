"""The caseworkers' request pages: the queue of open requests and the review of one.

Every staff member reads them; only caseworkers act. Each action is a POST of
its own small form: on success it redirects back with a message, on a refusal
the review page comes back with the form's errors and status 400, and nothing
has changed.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.forms import Form
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.audit import audit_record
from core.errors import DomainError
from core.forms import form_add_domain_error
from core.roles import Capability, user_can
from core.staff import staff_page
from families.models import RegistrationRequest, Relationship, RequestStatus
from families.services import (
    registration_request_assign,
    registration_request_create_prisoner,
    registration_request_link,
    registration_request_mark_duplicate,
    registration_request_set_status,
    relationship_verify,
)
from families.staff_forms import (
    AskForm,
    AssignForm,
    CreatePrisonerForm,
    DuplicateForm,
    LinkForm,
    RejectForm,
    StartReviewForm,
    VerifyRelationshipForm,
    family_question_default,
)
from families.staff_selectors import (
    QUEUE_PAGE_SIZE,
    candidates_reviewed,
    caseworkers,
    registration_request_for_staff,
    registration_request_or_404,
    registration_request_queue,
    relationships_to_verify,
    request_facts,
    request_for_relationship,
    request_staff_timeline,
    staff_name,
)
from notifications.selectors import delivery_log_for_request


@staff_page(Capability.VIEW_PRISONERS)
@never_cache
@require_GET
def request_queue(request):
    queue = registration_request_queue(params=request.GET, http_request=request)
    page = Paginator(queue.qs, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    may_review = user_can(request.user, Capability.REVIEW_REQUESTS)
    context = {
        "queue": queue,
        "page": page,
        "may_review": may_review,
        "caseworkers": list(caseworkers()) if may_review else [],
    }
    # A filter the form refuses is shown with its error; the others still apply.
    return render(request, "staff/requests/queue.html", context, status=400 if queue.form.errors else 200)


def _action_forms(registration_request: RegistrationRequest) -> dict:
    """A fresh form for each action, at the version of the request on the page."""
    version = {"version": registration_request.version}
    return {
        "assign": AssignForm(initial={"assignee": registration_request.assigned_to_id}),
        "start_review": StartReviewForm(initial=version),
        "link": LinkForm(initial=version),
        "create_prisoner": CreatePrisonerForm(initial=version),
        "ask": AskForm(initial={**version, "reason": family_question_default(registration_request)}),
        "reject": RejectForm(initial=version),
        "duplicate": DuplicateForm(initial=version),
    }


def _render_review(request, registration_request: RegistrationRequest, *, refused: tuple[str, Form] | None = None):
    """The review page. ``refused`` is the name and form of an action just refused: shown with its errors, as 400.

    Every rendering is a read of a family's request, and is in the audit trail.
    """
    refused_name, refused_form = refused or ("", None)
    with transaction.atomic():
        audit_record(actor=request.user, action="request.viewed", target=registration_request)
    may_verify = user_can(request.user, Capability.VERIFY_RELATIONSHIPS)
    forms = {}
    if user_can(request.user, Capability.REVIEW_REQUESTS):
        forms = {
            name: refused_form if name == refused_name else form
            for name, form in _action_forms(registration_request).items()
        }
    relationships = [
        (
            relationship,
            (refused_form if refused_name == f"verify-{relationship.pk}" else VerifyRelationshipForm())
            if may_verify
            else None,
        )
        for relationship in relationships_to_verify(registration_request)
    ]
    status_now = registration_request.status
    context = {
        "registration_request": registration_request,
        "facts": request_facts(registration_request),
        "candidates": candidates_reviewed(registration_request),
        "timeline": request_staff_timeline(registration_request),
        "delivery_log": delivery_log_for_request(registration_request),
        "relationships": relationships,
        "forms": forms,
        # Summarised at the top too: the refused action may be one the request no longer offers.
        "refused": refused_form,
        "can_start_review": status_now == RequestStatus.SUBMITTED,
        "can_accept": registration_request.is_open and registration_request.prisoner_id is None,
        "can_ask": status_now == RequestStatus.IN_REVIEW,
        "can_reject": status_now in (RequestStatus.IN_REVIEW, RequestStatus.INFO_REQUESTED),
    }
    return render(request, "staff/requests/review.html", context, status=400 if refused else 200)


@staff_page(Capability.VIEW_PRISONERS)
@never_cache
@require_GET
def request_review(request, reference):
    return _render_review(request, registration_request_for_staff(reference=reference))


def _act(request, reference, *, name: str, form_class, perform, success):
    """Run one action from its form: redirect with ``success`` when done, else the review with the errors."""
    registration_request = registration_request_or_404(reference=reference)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            perform(registration_request, form.cleaned_data)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, success)
            return redirect("staff:request_review", reference=registration_request.reference)
    return _refused(request, registration_request, name=name, form=form)


def _refused(request, registration_request: RegistrationRequest, *, name: str, form: Form):
    """The review page again, as it stands, with the refused form and its errors."""
    full = registration_request_for_staff(reference=registration_request.reference)
    return _render_review(request, full, refused=(name, form))


@staff_page(Capability.REVIEW_REQUESTS)
@require_POST
def request_assign(request, reference):
    """Assign from the queue or from the review page, and go back where the caseworker was."""
    registration_request = registration_request_or_404(reference=reference)
    form = AssignForm(request.POST)
    if form.is_valid():
        assignee = form.cleaned_data["assignee"]
        try:
            registration_request_assign(request=registration_request, assignee=assignee, actor=request.user)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            done = (
                _("Request %(reference)s is assigned to %(name)s.")
                if assignee
                else _("Request %(reference)s is now assigned to nobody.")
            )
            messages.success(
                request, done % {"reference": registration_request.reference, "name": staff_name(assignee)}
            )
            back = form.cleaned_data["next"]
            if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
                return redirect(back)
            return redirect("staff:request_review", reference=registration_request.reference)
    return _refused(request, registration_request, name="assign", form=form)


@staff_page(Capability.REVIEW_REQUESTS)
@require_POST
def request_start_review(request, reference):
    return _act(
        request,
        reference,
        name="start_review",
        form_class=StartReviewForm,
        perform=lambda registration_request, data: registration_request_set_status(
            request=registration_request,
            new_status=RequestStatus.IN_REVIEW,
            actor=request.user,
            version=data["version"],
        ),
        success=_("The review has started."),
    )


@staff_page(Capability.REVIEW_REQUESTS)
@require_POST
def request_link(request, reference):
    return _act(
        request,
        reference,
        name="link",
        form_class=LinkForm,
        perform=lambda registration_request, data: registration_request_link(
            request=registration_request,
            prisoner=data["prisoner"],
            actor=request.user,
            reason=data["reason"],
            version=data["version"],
        ),
        success=_("The request is accepted and linked to the record. Verify the family's relationship next."),
    )


@staff_page(Capability.REVIEW_REQUESTS)
@require_POST
def request_create_prisoner(request, reference):
    return _act(
        request,
        reference,
        name="create_prisoner",
        form_class=CreatePrisonerForm,
        perform=lambda registration_request, data: registration_request_create_prisoner(
            request=registration_request,
            actor=request.user,
            party=data["party"],
            reason=data["reason"],
            version=data["version"],
        ),
        success=_("A new record is opened from the request, and the request is accepted."),
    )


@staff_page(Capability.REVIEW_REQUESTS)
@require_POST
def request_ask(request, reference):
    return _act(
        request,
        reference,
        name="ask",
        form_class=AskForm,
        perform=lambda registration_request, data: registration_request_set_status(
            request=registration_request,
            new_status=RequestStatus.INFO_REQUESTED,
            actor=request.user,
            reason=data["reason"],
            version=data["version"],
        ),
        success=_("Your question is sent to the family."),
    )


@staff_page(Capability.REVIEW_REQUESTS)
@require_POST
def request_reject(request, reference):
    return _act(
        request,
        reference,
        name="reject",
        form_class=RejectForm,
        perform=lambda registration_request, data: registration_request_set_status(
            request=registration_request,
            new_status=RequestStatus.REJECTED,
            actor=request.user,
            reason=data["reason"],
            version=data["version"],
        ),
        success=_("The request is rejected; the family is told why."),
    )


@staff_page(Capability.REVIEW_REQUESTS)
@require_POST
def request_duplicate(request, reference):
    return _act(
        request,
        reference,
        name="duplicate",
        form_class=DuplicateForm,
        perform=lambda registration_request, data: registration_request_mark_duplicate(
            request=registration_request, original=data["original"], actor=request.user, version=data["version"]
        ),
        success=_("The request is closed as a duplicate; the family is told which request continues."),
    )


@staff_page(Capability.VERIFY_RELATIONSHIPS)
@require_POST
def relationship_verify_view(request, pk):
    """Verify a family member's tie to a prisoner, from the review of the request that made it."""
    relationship = get_object_or_404(Relationship, pk=pk)
    registration_request = request_for_relationship(relationship)
    form = VerifyRelationshipForm(request.POST)
    if form.is_valid():
        try:
            relationship_verify(relationship=relationship, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The relationship is verified: the family now sees his status."))
            if registration_request is None:
                return redirect("staff:prisoner_detail", pk=relationship.prisoner_id)
            return redirect("staff:request_review", reference=registration_request.reference)
    if registration_request is None:
        # A tie made without a request has no review page to show the errors on.
        for error in [*form.non_field_errors(), *form.errors.get("reason", [])]:
            messages.error(request, error)
        return redirect("staff:prisoner_detail", pk=relationship.prisoner_id)
    return _refused(request, registration_request, name=f"verify-{relationship.pk}", form=form)
