from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import RoleAdminMixin
from families.models import (
    FamilyMember,
    ReferenceCounter,
    RegistrationRequest,
    Relationship,
    RequestStatusChange,
)


class RelationshipInline(RoleAdminMixin, admin.TabularInline):
    model = Relationship
    fields = ("prisoner", "kind", "verified_at", "verified_by", "created_at")
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("prisoner", "verified_by")


@admin.register(FamilyMember)
class FamilyMemberAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = (
        "full_name",
        "user",
        "preferred_language",
        "notify_by_email",
        "notify_by_sms",
        "notify_by_telegram",
        "created_at",
    )
    list_filter = ("preferred_language", "notify_by_email", "notify_by_sms", "notify_by_telegram", "created_at")
    search_fields = ("full_name", "user__username", "user__email", "phone", "telegram_handle")
    date_hierarchy = "created_at"
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    inlines = (RelationshipInline,)


@admin.register(Relationship)
class RelationshipAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ("family_member", "kind", "prisoner", "is_verified", "verified_at", "verified_by", "created_at")
    list_filter = ("kind", ("verified_at", admin.EmptyFieldListFilter), "created_at")
    search_fields = (
        "family_member__full_name",
        "prisoner__surname",
        "prisoner__given_names",
        "=prisoner__service_number",
    )
    list_select_related = ("family_member", "prisoner", "verified_by")
    raw_id_fields = ("family_member", "prisoner", "verified_by")

    @admin.display(description=_("verified"), boolean=True, ordering="verified_at")
    def is_verified(self, obj):
        return obj.is_verified


@admin.register(ReferenceCounter)
class ReferenceCounterAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ("year", "last_number")


class RequestStatusChangeInline(RoleAdminMixin, admin.TabularInline):
    model = RequestStatusChange
    fields = ("created_at", "old_status", "new_status", "actor", "reason", "is_reversal")
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(RegistrationRequest)
class RegistrationRequestAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = (
        "reference",
        "surname",
        "given_names",
        "filer_name",
        "status",
        "assigned_to",
        "prisoner",
        "created_at",
        "status_changed_at",
    )
    list_filter = ("status", "language", "filer_relationship", "party", "created_at", "status_changed_at")
    search_fields = (
        "reference",
        "surname",
        "given_names",
        "patronymic",
        "=service_number",
        "filer_name",
        "filer_email",
    )
    search_help_text = _("Reference, the relative's name or exact service number, or the filer's name or e-mail.")
    date_hierarchy = "created_at"
    list_select_related = ("assigned_to", "prisoner")
    raw_id_fields = ("filed_by", "assigned_to", "prisoner", "evidence")
    # The access code's hash is a secret: it is never shown, not even hashed.
    fieldsets = (
        (
            _("Filer"),
            {
                "fields": (
                    "reference",
                    "filed_by",
                    "filer_name",
                    "filer_email",
                    "filer_phone",
                    "filer_relationship",
                    "language",
                    "consent_given_at",
                )
            },
        ),
        (
            _("Relative"),
            {
                "fields": (
                    ("surname", "given_names", "patronymic"),
                    ("date_of_birth", "date_of_birth_accuracy"),
                    "place_of_birth",
                    "mothers_maiden_name",
                    "citizenship",
                    "party",
                    "rank",
                    "service_number",
                    "unit",
                    "military_status",
                )
            },
        ),
        (
            _("Circumstances"),
            {"fields": ("last_contact_on", "capture_date", "capture_place", "circumstances", "evidence")},
        ),
        (
            _("Review"),
            {
                "fields": (
                    "status",
                    "status_changed_at",
                    "assigned_to",
                    "prisoner",
                    "rejection_reason",
                    "version",
                    "created_at",
                    "updated_at",
                )
            },
        ),
    )
    inlines = (RequestStatusChangeInline,)


@admin.register(RequestStatusChange)
class RequestStatusChangeAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "request",
        "old_status",
        "new_status",
        "actor",
        "is_reversal",
        "notifications_claimed_at",
    )
    list_filter = ("new_status", "old_status", "is_reversal", "created_at")
    search_fields = ("request__reference", "reason")
    date_hierarchy = "created_at"
    list_select_related = ("request", "actor")
    raw_id_fields = ("request", "actor")
