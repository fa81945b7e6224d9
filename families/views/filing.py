"""Filing a registration request, and the page that shows its reference and code once."""

from functools import partial

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import DomainError
from core.forms import form_add_domain_error
from families.filing_forms import RegistrationRequestForm
from families.models import FAMILY_FACING_REQUEST_STATUS, FamilyMember
from families.receipts import registration_request_receipt_send
from families.selectors import family_member_who_may_file, registration_request_for_family
from families.services import registration_request_file
from prisoners.evidence import evidence_stored


def _session_code_key(reference: str) -> str:
    return f"filed-access-code:{reference}"


def _request_file(*, form: RegistrationRequestForm, member: FamilyMember, actor, lookup_url: str):
    """Store the evidence and file the request, all or nothing.

    Returns the request and its access code, or no code when the form had
    already filed it (a second submit): then nothing of this submit is kept.
    """
    with evidence_stored(actor=actor, links=form.evidence_links(), files=form.cleaned_data["files"]) as evidence:
        filed, access_code = registration_request_file(
            filed_by=member,
            actor=actor,
            data=form.request_data(),
            consent=form.cleaned_data["consent"],
            evidence=evidence,
            submission_key=form.cleaned_data["submission_key"],
        )
        if access_code is None:
            # A repeat of a submit that was filed already: keep nothing of this one.
            transaction.set_rollback(True)
        else:
            transaction.on_commit(
                partial(
                    registration_request_receipt_send, request=filed, access_code=access_code, lookup_url=lookup_url
                )
            )
    return filed, access_code


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def request_new(request):
    """The filing form.

    Never cached: going back to it gives a new form, so a second relative's
    request is not taken for a repeat of the first, and what was typed does
    not linger in the browser's cache.
    """
    member = family_member_who_may_file(request.user)
    if member is None:
        raise Http404
    if request.method == "POST":
        form = RegistrationRequestForm(request.POST, request.FILES, member=member)
        if form.is_valid():
            try:
                filed, access_code = _request_file(
                    form=form,
                    member=member,
                    actor=request.user,
                    lookup_url=request.build_absolute_uri(reverse("families:lookup")),
                )
            except DomainError as error:
                form_add_domain_error(form, error, field_names=form.FIELD_FOR_MODEL_FIELD)
            else:
                if access_code is not None:
                    # Kept for the one page that shows it, which removes it.
                    request.session[_session_code_key(filed.reference)] = access_code
                return redirect("families:request_filed", reference=filed.reference)
    else:
        form = RegistrationRequestForm(member=member)
    return render(request, "families/request_new.html", {"form": form})


@login_required
@require_GET
@never_cache
def request_filed(request, reference):
    filed = registration_request_for_family(user=request.user, reference=reference)
    access_code = request.session.pop(_session_code_key(filed.reference), None)
    _title, next_step = FAMILY_FACING_REQUEST_STATUS[filed.status]
    return render(
        request,
        "families/request_filed.html",
        {"filed": filed, "access_code": access_code, "next_step": next_step},
    )
