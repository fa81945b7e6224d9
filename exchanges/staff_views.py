"""Exchanges in the staff workspace: the list of exchanges, one exchange's page with its list builder, reconciliation.

Every staff member reads exchanges; only coordinators change them. Each
action is a small form that calls one service: a refusal shows the page
again with the form's errors (400) and changes nothing; a success comes
back to the page with a message.
"""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.audit import audit_record
from core.errors import DomainError
from core.forms import form_add_domain_error
from core.roles import Capability, user_can
from core.staff import staff_page
from exchanges import priority
from exchanges.exports import EXPORT_FORMATS, exchange_list_export
from exchanges.models import Direction, Exchange, ExchangeStatus
from exchanges.reconcile import counterparty_list_upload, counterparty_row_decide, reconcile_summary
from exchanges.selectors import (
    counterparty_list_of_exchange,
    counterparty_row_of_exchange,
    entry_of_exchange,
    exchange_for_staff,
    exchange_list_view,
    exchanges_for_staff,
    pool_preview,
)
from exchanges.services import (
    exchange_assemble,
    exchange_create,
    exchange_entry_add,
    exchange_entry_move,
    exchange_entry_pin,
    exchange_entry_remove,
    exchange_entry_set_outcome,
    exchange_inclusion_release,
    exchange_rerank,
    exchange_set_status,
)
from exchanges.staff_forms import (
    AssembleForm,
    EntryAddForm,
    EntryMoveForm,
    EntryOutcomeForm,
    EntryPinForm,
    EntryRemoveForm,
    ExchangeForm,
    ReleaseForm,
    RowDecisionForm,
    StatusForm,
    UploadForm,
    WeightsForm,
)
from exchanges.transitions import ALLOWED


@staff_page(Capability.VIEW_EXCHANGES)
@require_GET
def exchange_list(request):
    return render(
        request,
        "staff/exchanges/list.html",
        {"exchanges": exchanges_for_staff(), "can_manage": user_can(request.user, Capability.MANAGE_EXCHANGES)},
    )


@staff_page(Capability.MANAGE_EXCHANGES)
@require_http_methods(["GET", "POST"])
def exchange_new(request):
    form = ExchangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            exchange = exchange_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The exchange is created as a draft. Assemble its list."))
            return redirect("staff:exchange_detail", pk=exchange.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "staff/exchanges/new.html", {"form": form}, status=status)


@staff_page(Capability.VIEW_EXCHANGES)
@require_GET
def exchange_detail(request, pk: int):
    return _render_exchange(request, exchange_for_staff(pk=pk))


def _render_exchange(request, exchange: Exchange, *, status: int = 200, bound: dict | None = None) -> HttpResponse:
    bound = bound or {}
    can_manage = exchange.is_open and user_can(request.user, Capability.MANAGE_EXCHANGES)
    context = {
        "exchange": exchange,
        "list": exchange_list_view(exchange),
        "weights": [(priority.RULES[rule], value) for rule, value in priority.weights_of(exchange).items()],
        "counterparty_lists": [
            (item, reconcile_summary(item)) for item in exchange.counterparty_lists.order_by("-uploaded_at", "-id")
        ],
        "export_formats": EXPORT_FORMATS,
        "can_manage": can_manage,
        "bound": bound,
    }
    if can_manage:
        next_statuses = [(value, label) for value, label in ExchangeStatus.choices if value in ALLOWED[exchange.status]]
        status_form = bound.get("status") or StatusForm(initial={"version": exchange.version})
        status_form.fields["status"].choices = next_statuses
        context.update(
            status_form=status_form,
            assemble_form=bound.get("assemble") or AssembleForm(initial={"direction": Direction.RECEIVE, "count": 10}),
            add_form=bound.get("add") or EntryAddForm(initial={"direction": Direction.RECEIVE}),
            weights_form=bound.get("weights") or WeightsForm(weights=priority.weights_of(exchange)),
            upload_form=bound.get("upload") or UploadForm(),
            release_form=ReleaseForm(),
            outcome_choices=EntryOutcomeForm.base_fields["outcome"].choices,
            pools=[(label, pool_preview(exchange, direction)) for direction, label in Direction.choices],
        )
    return render(request, "staff/exchanges/detail.html", context, status=status)


def _action(
    request,
    pk: int,
    *,
    form: Callable[[Exchange], forms.Form],
    key: str,
    perform: Callable[[Exchange, forms.Form], str],
    back: Callable[[Exchange], HttpResponse] | None = None,
) -> HttpResponse:
    """What every action of the exchange page does: check the form, call the service, come back with a message."""
    exchange = exchange_for_staff(pk=pk)
    bound = form(exchange)
    if bound.is_valid():
        try:
            done = perform(exchange, bound)
        except DomainError as error:
            form_add_domain_error(bound, error)
        else:
            messages.success(request, done)
            return back(exchange) if back else redirect("staff:exchange_detail", pk=exchange.pk)
    if key.startswith("row-"):
        messages.error(request, " ".join(str(e) for errors in bound.errors.values() for e in errors))
        return back(exchange)
    if key.startswith("entry-"):
        # An entry's small forms live in the list's rows; their refusal is said at the top of the page.
        messages.error(request, " ".join(str(e) for errors in bound.errors.values() for e in errors))
        return _render_exchange(request, exchange_for_staff(pk=pk), status=400)
    return _render_exchange(request, exchange_for_staff(pk=pk), status=400, bound={key: bound})


@staff_page(Capability.MANAGE_EXCHANGES)
@require_POST
def exchange_status(request, pk: int):
    def perform(exchange, form):
        data = form.cleaned_data
        change = exchange_set_status(
            exchange=exchange,
            new_status=data["status"],
            actor=request.user,
            reason=data["reason"],
            version=data["version"],
        )
        return _("The exchange is now “%(status)s”.") % {"status": change.get_new_status_display()}

    return _action(request, pk, form=lambda exchange: StatusForm(request.POST), key="status", perform=perform)


@staff_page(Capability.MANAGE_EXCHANGES)
@require_POST
def exchange_assemble_view(request, pk: int):
    def perform(exchange, form):
        added = exchange_assemble(exchange=exchange, actor=request.user, **form.cleaned_data)
        return ngettext(
            "%(count)d person was added by priority.", "%(count)d people were added by priority.", len(added)
        ) % {"count": len(added)}

    return _action(request, pk, form=lambda exchange: AssembleForm(request.POST), key="assemble", perform=perform)


@staff_page(Capability.MANAGE_EXCHANGES)
@require_POST
def exchange_entry_add_view(request, pk: int):
    def perform(exchange, form):
        entry = exchange_entry_add(exchange=exchange, actor=request.user, **form.cleaned_data)
        return _("%(prisoner)s is on the list.") % {"prisoner": entry.prisoner.full_name}

    return _action(request, pk, form=lambda exchange: EntryAddForm(request.POST), key="add", perform=perform)


@staff_page(Capability.MANAGE_EXCHANGES)
@require_POST
def exchange_rerank_view(request, pk: int):
    def perform(exchange, form):
        exchange_rerank(exchange=exchange, weights=priority.weights_read(form.cleaned_data), actor=request.user)
        return _("The list is ranked again by the new weights; pinned people kept their places.")

    return _action(
        request,
        pk,
        form=lambda exchange: WeightsForm(request.POST, weights=priority.weights_of(exchange)),
        key="weights",
        perform=perform,
    )


@staff_page(Capability.MANAGE_EXCHANGES)
@require_POST
def exchange_release(request, pk: int):
    def perform(exchange, form):
        exchange_inclusion_release(exchange=exchange, actor=request.user, reason=form.cleaned_data["reason"])
        return _("Families of the people we receive are told that they are on the list.")

    return _action(request, pk, form=lambda exchange: ReleaseForm(request.POST), key="release", perform=perform)


def _entry_action(request, pk: int, entry_id: int, *, form_class, perform) -> HttpResponse:
    def run(exchange, form):
        return perform(entry_of_exchange(exchange=exchange, entry_id=entry_id), form)

    return _action(request, pk, form=lambda exchange: form_class(request.POST), key=f"entry-{entry_id}", perform=run)


@staff_page(Capability.MANAGE_EXCHANGES)
@require_POST
def exchange_entry_move_view(request, pk: int, entry_id: int):
    def perform(entry, form):
        exchange_entry_move(entry=entry, position=form.cleaned_data["position"], actor=request.user)
        return _("%(prisoner)s is now at place %(position)d.") % {
            "prisoner": entry.prisoner.full_name,
            "position": form.cleaned_data["position"],
        }

    return _entry_action(request, pk, entry_id, form_class=EntryMoveForm, perform=perform)


@staff_page(Capability.MANAGE_EXCHANGES)
@require_POST
def exchange_entry_pin_view(request, pk: int, entry_id: int):
    def perform(entry, form):
        pinned = form.cleaned_data["pinned"]
        exchange_entry_pin(entry=entry, pinned=pinned, actor=request.user)
        message = _("%(prisoner)s is pinned to his place.") if pinned else _("%(prisoner)s is no longer pinned.")
        return message % {"prisoner": entry.prisoner.full_name}

    return _entry_action(request, pk, entry_id, form_class=EntryPinForm, perform=perform)


@staff_page(Capability.MANAGE_EXCHANGES)
@require_POST
def exchange_entry_remove_view(request, pk: int, entry_id: int):
    def perform(entry, form):
        exchange_entry_remove(entry=entry, actor=request.user, reason=form.cleaned_data["reason"])
        return _("%(prisoner)s was taken off the list.") % {"prisoner": entry.prisoner.full_name}

    return _entry_action(request, pk, entry_id, form_class=EntryRemoveForm, perform=perform)


@staff_page(Capability.MANAGE_EXCHANGES)
@require_POST
def exchange_entry_outcome_view(request, pk: int, entry_id: int):
    def perform(entry, form):
        entry = exchange_entry_set_outcome(entry=entry, actor=request.user, **form.cleaned_data)
        return _("%(prisoner)s: %(outcome)s.") % {
            "prisoner": entry.prisoner.full_name,
            "outcome": entry.get_outcome_display(),
        }

    return _entry_action(request, pk, entry_id, form_class=EntryOutcomeForm, perform=perform)


@staff_page(Capability.MANAGE_EXCHANGES)
@require_POST
def exchange_upload(request, pk: int):
    def perform(exchange, form):
        uploaded = counterparty_list_upload(
            exchange=exchange,
            upload=form.cleaned_data["file"],
            direction=form.cleaned_data["direction"],
            actor=request.user,
        )
        summary = reconcile_summary(uploaded)
        return _("%(rows)d rows read: %(matched)d matched, %(uncertain)d uncertain, %(not_found)d not found.") % {
            "rows": summary["total"],
            **summary["states"],
        }

    def back(exchange):
        latest = exchange.counterparty_lists.order_by("-uploaded_at", "-id").first()
        return redirect("staff:exchange_reconcile", pk=exchange.pk, list_id=latest.pk)

    return _action(
        request,
        pk,
        form=lambda exchange: UploadForm(request.POST, request.FILES),
        key="upload",
        perform=perform,
        back=back,
    )


@staff_page(Capability.VIEW_EXCHANGES)
@require_GET
def exchange_reconcile(request, pk: int, list_id: int):
    exchange = exchange_for_staff(pk=pk)
    counterparty_list = counterparty_list_of_exchange(exchange=exchange, list_id=list_id)
    rows = counterparty_list.rows.select_related("candidate", "prisoner").order_by("line")
    context = {
        "exchange": exchange,
        "counterparty_list": counterparty_list,
        "rows": rows,
        "summary": reconcile_summary(counterparty_list),
        "can_manage": exchange.is_open and user_can(request.user, Capability.MANAGE_EXCHANGES),
    }
    return render(request, "staff/exchanges/reconcile.html", context)


@staff_page(Capability.MANAGE_EXCHANGES)
@require_POST
def exchange_row_decide(request, pk: int, row_id: int):
    exchange = exchange_for_staff(pk=pk)
    row = counterparty_row_of_exchange(exchange=exchange, row_id=row_id)

    def perform(exchange, form):
        decided = counterparty_row_decide(row=row, actor=request.user, **form.cleaned_data)
        return _("Row %(line)d: %(decision)s.") % {"line": decided.line, "decision": decided.get_decision_display()}

    def back(exchange):
        return redirect("staff:exchange_reconcile", pk=exchange.pk, list_id=row.counterparty_list_id)

    return _action(
        request,
        pk,
        form=lambda exchange: RowDecisionForm(request.POST),
        key=f"row-{row_id}",
        perform=perform,
        back=back,
    )


@staff_page(Capability.VIEW_EXCHANGES)
@require_GET
def exchange_export(request, pk: int, fmt: str):
    if fmt not in EXPORT_FORMATS:
        raise Http404
    return export_response(request, exchange_for_staff(pk=pk), fmt)


def export_response(request, exchange: Exchange, fmt: str) -> HttpResponse:
    """The list as a download, for the page and the API alike; every export is in the audit trail."""
    content, content_type, filename = exchange_list_export(exchange, fmt)
    with transaction.atomic():
        audit_record(actor=request.user, action="exchange.exported", target=exchange, changes={"format": fmt})
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
