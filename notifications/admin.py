from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import RoleAdminMixin
from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "kind", "recipient", "channel", "language", "state", "attempts", "sent_at")
    list_filter = ("state", "channel", "kind", "language", "created_at")
    search_fields = ("key", "recipient__username", "request__reference")
    search_help_text = _("Key, recipient's user name or request reference.")
    date_hierarchy = "created_at"
    list_select_related = ("recipient",)
    raw_id_fields = ("recipient", "prisoner", "request")
    show_full_result_count = False
    fields = (
        "key",
        "kind",
        "recipient",
        "channel",
        "language",
        "prisoner",
        "request",
        "state",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "sent_at",
    )
