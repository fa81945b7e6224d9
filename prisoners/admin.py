from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.admin import RoleAdminMixin
from core.audit import audit_record
from prisoners.models import CaseEvent, Evidence, FactSource, NameVariant, Party, Prisoner, StatusChange

PARTY_FIELDS = ("name", "code", "kind")


@admin.register(Party)
class PartyAdmin(RoleAdminMixin, admin.ModelAdmin):
    """Reference data: administrators add and rename parties, and each save is audited."""

    admin_can_add = True
    admin_can_change = True
    list_display = ("name", "code", "kind")
    list_filter = ("kind",)
    search_fields = ("name", "code")
    fields = PARTY_FIELDS

    def save_model(self, request, obj, form, change):
        if change:
            changes = {name: {"old": form.initial.get(name), "new": getattr(obj, name)} for name in form.changed_data}
        else:
            changes = {name: getattr(obj, name) for name in PARTY_FIELDS}
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit_record(
                actor=request.user,
                action="party.updated" if change else "party.created",
                target=obj,
                changes=changes,
            )


class NameVariantInline(RoleAdminMixin, admin.TabularInline):
    model = NameVariant
    fields = ("surname", "given_names", "patronymic", "script", "source", "note", "created_at")
    extra = 0


class FactSourceInline(RoleAdminMixin, admin.TabularInline):
    model = FactSource
    fields = ("fact", "source", "detail", "recorded_at", "recorded_by")
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


class StatusChangeInline(RoleAdminMixin, admin.TabularInline):
    model = StatusChange
    fields = ("created_at", "old_status", "new_status", "source", "actor", "reason", "is_reversal")
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class CaseEventInline(RoleAdminMixin, admin.TabularInline):
    model = CaseEvent
    fields = ("occurred_on", "kind", "place", "details", "source", "recorded_at", "recorded_by")
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


class EvidenceInline(RoleAdminMixin, admin.TabularInline):
    model = Evidence
    fk_name = "prisoner"
    fields = ("kind", "description", "source", "url", "original_name", "sha256", "uploaded_at")
    extra = 0
    show_change_link = True


@admin.register(Prisoner)
class PrisonerAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = (
        "surname",
        "given_names",
        "patronymic",
        "date_of_birth",
        "service_number",
        "party",
        "holding_party",
        "status",
        "health_status",
        "capture_date",
        "status_changed_at",
    )
    list_filter = (
        "status",
        "health_status",
        "repatriation_consent",
        "military_status",
        "party",
        "holding_party",
        "capture_date",
        "status_changed_at",
    )
    search_fields = (
        "surname",
        "given_names",
        "patronymic",
        "=service_number",
        "name_variants__surname",
        "name_variants__given_names",
    )
    search_help_text = _("Surname, given names, a name variant or the exact service number.")
    date_hierarchy = "status_changed_at"
    list_select_related = ("party", "holding_party")
    raw_id_fields = ("photo", "merged_into", "created_by")
    show_full_result_count = False
    fieldsets = (
        (
            _("Identity"),
            {
                "fields": (
                    ("surname", "given_names", "patronymic"),
                    ("date_of_birth", "date_of_birth_accuracy"),
                    "place_of_birth",
                    "mothers_maiden_name",
                    "citizenship",
                    "person_to_inform",
                    "photo",
                )
            },
        ),
        (_("Service"), {"fields": ("party", "rank", "service_number", "unit", "military_status")}),
        (
            _("Capture and internment"),
            {"fields": ("capture_date", "capture_place", "holding_party", "place_of_internment")},
        ),
        (_("Health and repatriation"), {"fields": ("health_status", "health_notes", "repatriation_consent")}),
        (
            _("Case"),
            {
                "fields": (
                    "status",
                    "status_changed_at",
                    "merged_into",
                    "version",
                    "created_at",
                    "updated_at",
                    "created_by",
                )
            },
        ),
    )
    inlines = (NameVariantInline, FactSourceInline, StatusChangeInline, CaseEventInline, EvidenceInline)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Every staff read of a prisoner record goes into the audit trail,
        # whichever page it was read on.
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            with transaction.atomic():
                audit_record(
                    actor=request.user,
                    action="prisoner.viewed",
                    target=(Prisoner._meta.label_lower, unquote(object_id)),
                )
        return response


@admin.register(NameVariant)
class NameVariantAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "prisoner", "script", "source", "created_at")
    list_filter = ("script", "source")
    search_fields = ("surname", "given_names", "patronymic", "prisoner__surname", "=prisoner__service_number")
    list_select_related = ("prisoner",)
    raw_id_fields = ("prisoner",)


@admin.register(FactSource)
class FactSourceAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ("prisoner", "fact", "source", "detail", "recorded_at", "recorded_by")
    list_filter = ("fact", "source", "recorded_at")
    search_fields = ("prisoner__surname", "prisoner__given_names", "=prisoner__service_number", "detail")
    list_select_related = ("prisoner", "recorded_by")
    raw_id_fields = ("prisoner", "recorded_by")


@admin.register(StatusChange)
class StatusChangeAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "prisoner",
        "old_status",
        "new_status",
        "source",
        "actor",
        "is_reversal",
        "notifications_claimed_at",
    )
    list_filter = ("new_status", "old_status", "source", "is_reversal", "created_at")
    search_fields = ("prisoner__surname", "prisoner__given_names", "=prisoner__service_number", "reason")
    date_hierarchy = "created_at"
    list_select_related = ("prisoner", "actor")
    raw_id_fields = ("prisoner", "actor")
    show_full_result_count = False


@admin.register(CaseEvent)
class CaseEventAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ("prisoner", "kind", "occurred_on", "place", "source", "recorded_at", "recorded_by")
    list_filter = ("kind", "source", "occurred_on", "recorded_at")
    search_fields = ("prisoner__surname", "prisoner__given_names", "=prisoner__service_number", "place")
    date_hierarchy = "recorded_at"
    list_select_related = ("prisoner", "recorded_by")
    raw_id_fields = ("prisoner", "recorded_by")


@admin.register(Evidence)
class EvidenceAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "kind", "source", "prisoner", "content_type", "size", "uploaded_at", "uploaded_by")
    list_filter = ("kind", "source", "uploaded_at")
    search_fields = (
        "description",
        "original_name",
        "url",
        "identified_by",
        "=sha256",
        "prisoner__surname",
        "=prisoner__service_number",
    )
    date_hierarchy = "uploaded_at"
    list_select_related = ("prisoner", "uploaded_by")
    raw_id_fields = ("prisoner", "uploaded_by")
    # Evidence files are personal data served only through permission-checked
    # views: the admin shows what proves a file unaltered, never a link to it.
    fields = (
        "prisoner",
        "kind",
        "description",
        "source",
        "url",
        "identified_by",
        "identified_on",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_at",
        "uploaded_by",
    )
