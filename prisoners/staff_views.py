"""A prisoner record in the staff workspace: read it, edit it, move its case, record events, merge duplicates.

Every staff member reads records and their audit trail; only caseworkers
change them. Each action is a form on the record page that calls one
service: a refusal shows the record again with the form and its errors
(400), and nothing is changed; a success comes back to the record.
"""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from core.audit import audit_record
from core.errors import DomainError
from core.forms import form_add_domain_error
from core.roles import Capability, user_can
from core.staff import staff_page
from notifications.selectors import delivery_log_for_prisoner
from prisoners.evidence import evidence_stored
from prisoners.models import CaseStatus, NameVariant, Prisoner
from prisoners.selectors import (
    AUDIT_PAGE_SIZE,
    audit_entry,
    case_timeline,
    prisoner_audit_events,
    prisoner_for_staff,
    prisoner_record,
    record_groups,
)
from prisoners.services import (
    case_event_record,
    name_variant_add,
    name_variant_remove,
    prisoner_evidence_attach,
    prisoner_merge,
    prisoner_set_status,
    prisoner_update,
)
from prisoners.staff_forms import (
    CaseEventForm,
    EvidenceForm,
    MergeChooseForm,
    MergeForm,
    NameVariantForm,
    NameVariantRemoveForm,
    PrisonerEditForm,
    StatusChangeForm,
)

# The record page's forms, each with the prefix that keeps its fields apart from the others'.
STATUS_PREFIX, EVENT_PREFIX, VARIANT_PREFIX, EVIDENCE_PREFIX = "status", "event", "variant", "evidence"

MERGED_REFUSAL = _("This record was merged into another one and no longer changes: work on the surviving record.")


def _remove_prefix(variant_id: int) -> str:
    return f"remove-{variant_id}"


@staff_page(Capability.VIEW_PRISONERS)
@require_GET
def prisoner_detail(request, pk: int):
    return _render_record(request, prisoner_record(pk=pk))


def _render_record(request, prisoner: Prisoner, *, status: int = 200, bound: dict | None = None) -> HttpResponse:
    """The record page, with the forms its reader may use; ``bound`` holds a refused form to show again.

    Every rendering is a read of the record, and is in the audit trail.
    """
    bound = bound or {}
    with transaction.atomic():
        audit_record(actor=request.user, action="prisoner.viewed", target=prisoner)
    is_open = prisoner.status != CaseStatus.MERGED
    can_edit = is_open and user_can(request.user, Capability.EDIT_PRISONERS)
    can_change_status = is_open and user_can(request.user, Capability.CHANGE_PRISONER_STATUS)
    variants = [
        (variant, bound.get(_remove_prefix(variant.pk)) or NameVariantRemoveForm(prefix=_remove_prefix(variant.pk)))
        for variant in prisoner.name_variants.all()
    ]
    context = {
        "prisoner": prisoner,
        "groups": record_groups(prisoner),
        "timeline": case_timeline(prisoner),
        "variants": variants,
        "submissions": prisoner.submissions.all(),
        "delivery_log": delivery_log_for_prisoner(prisoner),
        "can_edit": can_edit,
    }
    if can_change_status:
        context["status_form"] = bound.get(STATUS_PREFIX) or StatusChangeForm(prisoner=prisoner, prefix=STATUS_PREFIX)
    if can_edit:
        context["event_form"] = bound.get(EVENT_PREFIX) or CaseEventForm(prefix=EVENT_PREFIX)
        context["variant_form"] = bound.get(VARIANT_PREFIX) or NameVariantForm(prefix=VARIANT_PREFIX)
        context["evidence_form"] = bound.get(EVIDENCE_PREFIX) or EvidenceForm(prefix=EVIDENCE_PREFIX)
    return render(request, "staff/prisoners/detail.html", context, status=status)


def _refuse_merged(request, prisoner: Prisoner) -> HttpResponse | None:
    """A merged record takes no more changes: say so on its page, which points at the survivor."""
    if prisoner.status != CaseStatus.MERGED:
        return None
    messages.error(request, MERGED_REFUSAL)
    return redirect("staff:prisoner_detail", pk=prisoner.pk)


def _record_action(
    request,
    pk: int,
    *,
    form: Callable[[Prisoner], forms.Form],
    prefix: str,
    perform: Callable[[Prisoner, forms.Form], str],
) -> HttpResponse:
    """What every action of the record page does: check the form, call the service, come back to the record.

    ``perform`` calls the service and returns the message that confirms it.
    """
    prisoner = prisoner_for_staff(pk=pk)
    if refused := _refuse_merged(request, prisoner):
        return refused
    bound = form(prisoner)
    if bound.is_valid():
        try:
            done = perform(prisoner, bound)
        except DomainError as error:
            form_add_domain_error(bound, error)
        else:
            messages.success(request, done)
            return redirect("staff:prisoner_detail", pk=prisoner.pk)
    return _render_record(request, prisoner_record(pk=pk), status=400, bound={prefix: bound})


@staff_page(Capability.CHANGE_PRISONER_STATUS)
@require_POST
def prisoner_status(request, pk: int):
    def perform(prisoner, form):
        data = form.cleaned_data
        change = prisoner_set_status(
            prisoner=prisoner,
            new_status=data["status"],
            actor=request.user,
            source=data["source"],
            reason=data["reason"],
            version=data["version"],
        )
        return format_lazy(_("The case is now “{status}”."), status=change.get_new_status_display())

    return _record_action(
        request,
        pk,
        form=lambda prisoner: StatusChangeForm(request.POST, prisoner=prisoner, prefix=STATUS_PREFIX),
        prefix=STATUS_PREFIX,
        perform=perform,
    )


@staff_page(Capability.EDIT_PRISONERS)
@require_POST
def prisoner_event_new(request, pk: int):
    def perform(prisoner, form):
        event = case_event_record(prisoner=prisoner, actor=request.user, data=form.cleaned_data)
        return format_lazy(_("“{event}” is on the timeline."), event=event.get_kind_display())

    return _record_action(
        request,
        pk,
        form=lambda prisoner: CaseEventForm(request.POST, prefix=EVENT_PREFIX),
        prefix=EVENT_PREFIX,
        perform=perform,
    )


@staff_page(Capability.EDIT_PRISONERS)
@require_POST
def prisoner_variant_add(request, pk: int):
    def perform(prisoner, form):
        variant = name_variant_add(prisoner=prisoner, actor=request.user, **form.cleaned_data)
        return format_lazy(_("The spelling “{name}” is kept with the record."), name=variant)

    return _record_action(
        request,
        pk,
        form=lambda prisoner: NameVariantForm(request.POST, prefix=VARIANT_PREFIX),
        prefix=VARIANT_PREFIX,
        perform=perform,
    )


@staff_page(Capability.EDIT_PRISONERS)
@require_POST
def prisoner_variant_remove(request, pk: int, variant_id: int):
    prefix = _remove_prefix(variant_id)
    variant = NameVariant.objects.filter(pk=variant_id, prisoner_id=pk).first()
    if variant is None:
        messages.error(request, _("This spelling is no longer kept with the record."))
        return redirect("staff:prisoner_detail", pk=prisoner_for_staff(pk=pk).pk)

    def perform(prisoner, form):
        name_variant_remove(variant=variant, actor=request.user, reason=form.cleaned_data["reason"])
        return format_lazy(_("The spelling “{name}” was removed."), name=variant)

    return _record_action(
        request,
        pk,
        form=lambda prisoner: NameVariantRemoveForm(request.POST, prefix=prefix),
        prefix=prefix,
        perform=perform,
    )


@staff_page(Capability.EDIT_PRISONERS)
@require_POST
def prisoner_evidence_add(request, pk: int):
    def perform(prisoner, form):
        data = form.cleaned_data
        details = {"description": data["description"], "source": data["source"]}
        links = [] if data["file"] else [{"url": data["url"], **details, **_identification(data)}]
        files = [data["file"]] if data["file"] else []
        with evidence_stored(actor=request.user, links=links, files=files, file_details=details) as evidence:
            prisoner_evidence_attach(prisoner=prisoner, evidence=evidence, actor=request.user)
        return _("The evidence is kept with the record.")

    return _record_action(
        request,
        pk,
        form=lambda prisoner: EvidenceForm(request.POST, request.FILES, prefix=EVIDENCE_PREFIX),
        prefix=EVIDENCE_PREFIX,
        perform=perform,
    )


def _identification(data: dict) -> dict:
    return {"identified_by": data["identified_by"], "identified_on": data["identified_on"]}


@staff_page(Capability.EDIT_PRISONERS)
def prisoner_edit(request, pk: int):
    prisoner = prisoner_for_staff(pk=pk)
    if refused := _refuse_merged(request, prisoner):
        return refused
    if request.method != "POST":
        return _render_edit(request, PrisonerEditForm(prisoner=prisoner), prisoner=prisoner)
    form = PrisonerEditForm(request.POST, prisoner=prisoner)
    if not form.is_valid():
        return _render_edit(request, form, prisoner=prisoner, status=400)
    data = form.cleaned_data
    try:
        updated = prisoner_update(
            prisoner=prisoner,
            version=data["version"],
            actor=request.user,
            data=form.record_data(),
            reason=data["reason"],
            source=data["source"],
            source_detail=data["source_detail"],
        )
    except DomainError as error:
        if error.code != "stale":
            form_add_domain_error(form, error)
            return _render_edit(request, form, prisoner=prisoner, status=400)
        return _render_stale_edit(request, form, prisoner=prisoner, error=error)
    if updated.version == prisoner.version:
        messages.info(request, _("Nothing was changed: the record already holds these values."))
    else:
        messages.success(request, _("The record is saved."))
    return redirect("staff:prisoner_detail", pk=prisoner.pk)


def _render_edit(request, form: PrisonerEditForm, *, prisoner: Prisoner, status: int = 200, changed=()):
    context = {"prisoner": prisoner, "form": form, "changed_since": changed}
    return render(request, "staff/prisoners/edit.html", context, status=status)


def _render_stale_edit(request, form: PrisonerEditForm, *, prisoner: Prisoner, error: DomainError) -> HttpResponse:
    """Someone saved the record since the form was loaded: show what they changed, and save nothing.

    ``prisoner`` is the record as it is now; the form shown again is based on it.
    """
    changed = form.changed_since_loaded(prisoner)
    rebased = form.rebased_on(prisoner)
    rebased.is_valid()
    form_add_domain_error(rebased, error)
    return _render_edit(request, rebased, prisoner=prisoner, status=409, changed=changed)


@staff_page(Capability.EDIT_PRISONERS)
def prisoner_merge_page(request, pk: int):
    """Choose the other record, compare them field by field, and join them."""
    prisoner = prisoner_for_staff(pk=pk)
    if refused := _refuse_merged(request, prisoner):
        return refused
    params = request.POST if request.method == "POST" else request.GET
    if "other" not in params:
        return _render_merge(request, prisoner, choose=MergeChooseForm())
    choose = MergeChooseForm(params)
    other = _other_record(prisoner, choose)
    if other is None:
        return _render_merge(request, prisoner, choose=choose, status=400)
    if request.method != "POST":
        return _render_merge(request, prisoner, form=MergeForm(prisoner=prisoner, other=other))
    form = MergeForm(request.POST, prisoner=prisoner, other=other)
    is_valid = form.is_valid()
    if form.is_outdated():
        return _render_outdated_merge(request, prisoner, other)
    if not is_valid:
        return _render_merge(request, prisoner, form=form, status=400)
    try:
        survivor = prisoner_merge(actor=request.user, **form.merge_arguments())
    except DomainError as error:
        if error.code == "stale":
            return _render_outdated_merge(request, prisoner, prisoner_for_staff(pk=other.pk))
        form_add_domain_error(form, error)
        return _render_merge(request, prisoner, form=form, status=400)
    messages.success(
        request,
        format_lazy(
            _("The records are one now: record {duplicate} is merged into this one."),
            duplicate=other.pk if survivor.pk == prisoner.pk else prisoner.pk,
        ),
    )
    return redirect("staff:prisoner_detail", pk=survivor.pk)


def _other_record(prisoner: Prisoner, choose: MergeChooseForm) -> Prisoner | None:
    """The record to merge with, or None with the reason on ``choose``."""
    if not choose.is_valid():
        return None
    other_id = choose.cleaned_data["other"]
    if other_id == prisoner.pk:
        choose.add_error("other", _("A record cannot be merged with itself: give the number of the other record."))
        return None
    other = Prisoner.objects.select_related("party", "holding_party").filter(pk=other_id).first()
    if other is None:
        choose.add_error("other", _("There is no record with this number."))
    elif other.status == CaseStatus.MERGED:
        choose.add_error(
            "other",
            format_lazy(
                _("Record {id} was itself merged into record {survivor}: merge with that one."),
                id=other.pk,
                survivor=other.merged_into_id,
            ),
        )
        other = None
    return other


def _render_outdated_merge(request, prisoner: Prisoner, other: Prisoner) -> HttpResponse:
    """A record changed while the caseworker compared them: merge nothing, and compare them again as they are now."""
    prisoner.refresh_from_db()
    refusal = _("One of the records changed while you compared them. Nothing was merged.")
    form = MergeForm(prisoner=prisoner, other=other)
    return _render_merge(request, prisoner, form=form, status=409, refusal=refusal)


def _render_merge(request, prisoner: Prisoner, *, choose=None, form=None, status: int = 200, refusal=None):
    context = {"prisoner": prisoner, "choose": choose, "form": form, "refusal": refusal}
    return render(request, "staff/prisoners/merge.html", context, status=status)


@staff_page(Capability.VIEW_PRISONERS)
@require_GET
def prisoner_audit(request, pk: int):
    prisoner = prisoner_for_staff(pk=pk)
    page = Paginator(prisoner_audit_events(prisoner), AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"prisoner": prisoner, "page": page, "entries": [audit_entry(event) for event in page]}
    return render(request, "staff/prisoners/audit.html", context)
