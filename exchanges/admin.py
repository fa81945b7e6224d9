from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from core.admin import RoleAdminMixin
from exchanges.models import Exchange, ExchangeEntry, ExchangeStatusChange


class ExchangeEntryInline(RoleAdminMixin, admin.TabularInline):
    model = ExchangeEntry
    fields = (
        "direction",
        "position",
        "prisoner",
        "priority_category",
        "priority_score",
        "pinned",
        "outcome",
        "holds_prisoner",
        "added_at",
    )
    readonly_fields = ("holds_prisoner",)
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("prisoner")


class ExchangeStatusChangeInline(RoleAdminMixin, admin.TabularInline):
    model = ExchangeStatusChange
    fields = ("created_at", "old_status", "new_status", "actor", "reason", "is_reversal")
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Exchange)
class ExchangeAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = (
        "title",
        "our_party",
        "other_party",
        "mediator",
        "status",
        "planned_date",
        "entry_count",
        "inclusion_released_at",
    )
    list_filter = ("status", "our_party", "other_party", "mediator", "planned_date")
    search_fields = ("title",)
    date_hierarchy = "planned_date"
    list_select_related = ("our_party", "other_party", "mediator")
    raw_id_fields = ("created_by",)
    inlines = (ExchangeEntryInline, ExchangeStatusChangeInline)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(entry_count=Count("entries"))

    @admin.display(description=_("people on the list"), ordering="entry_count")
    def entry_count(self, obj):
        return obj.entry_count


@admin.register(ExchangeEntry)
class ExchangeEntryAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = (
        "exchange",
        "direction",
        "position",
        "prisoner",
        "priority_category",
        "priority_score",
        "outcome",
        "holds_prisoner",
        "added_at",
    )
    list_filter = ("outcome", "direction", "holds_prisoner", "pinned", "exchange__status")
    search_fields = ("exchange__title", "prisoner__surname", "prisoner__given_names", "=prisoner__service_number")
    list_select_related = ("exchange", "prisoner")
    raw_id_fields = ("exchange", "prisoner", "added_by")
    readonly_fields = ("holds_prisoner",)


@admin.register(ExchangeStatusChange)
class ExchangeStatusChangeAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "exchange", "old_status", "new_status", "actor", "is_reversal")
    list_filter = ("new_status", "old_status", "is_reversal", "created_at")
    search_fields = ("exchange__title", "reason")
    date_hierarchy = "created_at"
    list_select_related = ("exchange", "actor")
    raw_id_fields = ("exchange", "actor")
