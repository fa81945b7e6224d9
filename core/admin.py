"""Administration of accounts, roles, parties' reference data and the audit trail.

Administrators hold a role, not Django model permissions, so every admin here
asks ``user_can`` through ``RoleAdminMixin``. Domain records are read-only in
the admin: they change only through their services, which lock, validate and
audit. The few writes the admin allows are audited here.
"""

from allauth.account import admin as allauth_admin
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenProxy

from core.audit import audit_record
from core.models import AuditChainHead, AuditEvent, SignInEvent
from core.roles import Capability, Role, user_can

User = get_user_model()


class RoleAdminMixin:
    """Opens an admin (or an inline) to those who may use the administration site.

    Read-only unless a subclass sets ``admin_can_add`` or ``admin_can_change``.
    Nothing is ever deleted through the admin.
    """

    admin_can_add = False
    admin_can_change = False

    def has_module_permission(self, request):
        return user_can(request.user, Capability.USE_ADMIN)

    def has_view_permission(self, request, obj=None):
        return user_can(request.user, Capability.USE_ADMIN)

    def has_add_permission(self, request, obj=None):
        return self.admin_can_add and user_can(request.user, Capability.USE_ADMIN)

    def has_change_permission(self, request, obj=None):
        return self.admin_can_change and user_can(request.user, Capability.USE_ADMIN)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "actor_label", "actor", "action", "target_type", "target_id", "reason")
    list_filter = ("action", "target_type", "created_at")
    search_fields = ("action", "target_type", "=target_id", "=actor_label", "actor__username")
    search_help_text = _("Action, record type, record id or actor (user:17 or a user name).")
    date_hierarchy = "created_at"
    list_select_related = ("actor",)
    raw_id_fields = ("actor",)
    # The trail is append-only: no bulk actions at all, not even a harmless one.
    actions = None
    # Counting the whole trail on every page costs more than it tells.
    show_full_result_count = False
    fields = (
        "created_at",
        "actor",
        "actor_label",
        "action",
        "target_type",
        "target_id",
        "reason",
        "changes",
        "prev_hash",
        "hash",
    )


@admin.register(AuditChainHead)
class AuditChainHeadAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ("id", "length", "last_hash")
    actions = None


ACCOUNT_FLAGS = ("is_active", "is_staff", "is_superuser")


def _role_names(user) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))


admin.site.unregister(User)
admin.site.unregister(Group)
# DRF's token admin shows every API key, and a key is a password: tokens are
# issued and revoked with ``manage.py drf_create_token`` instead.
admin.site.unregister(TokenProxy)


@admin.register(User)
class AccountAdmin(RoleAdminMixin, UserAdmin):
    """Accounts and their roles (groups).

    Accounts are deactivated, never deleted here: deleting one would take a
    family member's record and relationships with it, outside their services.
    """

    admin_can_add = True
    admin_can_change = True

    # Django's sections, less the model permissions that play no part here.
    fieldsets = tuple(
        (name, {**options, "fields": tuple(field for field in options["fields"] if field != "user_permissions")})
        for name, options in UserAdmin.fieldsets
    )
    filter_horizontal = ("groups",)
    list_display = ("username", "email", "first_name", "last_name", "roles", "is_active", "last_login")
    list_filter = ("is_active", "groups", "is_superuser")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def roles(self, obj):
        names = sorted(group.name for group in obj.groups.all())
        return ", ".join(str(Role(name).label) if name in Role.values else name for name in names)

    def get_readonly_fields(self, request, obj=None):
        readonly = ["last_login", "date_joined"]
        # Only a superuser makes another: an administrator must not be able to
        # raise anyone, himself included, above his own role.
        if not request.user.is_superuser:
            readonly.append("is_superuser")
        return readonly

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def save_related(self, request, form, formsets, change):
        # Roles are saved with the many-to-many fields, after save_model, so
        # this is where the whole change is known.
        account = form.instance
        roles_before = _role_names(account) if change else []
        with transaction.atomic():
            super().save_related(request, form, formsets, change)
            roles_after = _role_names(account)
            # Field names only, and old and new values of the access flags:
            # the trail is kept for good, personal details are not.
            changes = {"fields": sorted(name for name in form.changed_data if "password" not in name)}
            for flag in ACCOUNT_FLAGS:
                if flag in form.changed_data:
                    changes[flag] = {"old": form.initial.get(flag), "new": getattr(account, flag)}
            if roles_before != roles_after:
                changes["roles"] = {"old": roles_before, "new": roles_after}
            audit_record(
                actor=request.user,
                action="account.updated" if change else "account.created",
                target=account,
                changes=changes,
            )

    def user_change_password(self, request, id, form_url=""):
        # Django saves the new password outside a transaction; the audit
        # event must be written in the same one.
        account = self.get_object(request, unquote(id))
        if account is None:
            return super().user_change_password(request, id, form_url)
        with transaction.atomic():
            password_before = account.password
            response = super().user_change_password(request, id, form_url)
            account.refresh_from_db(fields=["password"])
            if account.password != password_before:
                audit_record(actor=request.user, action="account.password_set", target=account)
        return response


@admin.register(Group)
class RoleAdmin(RoleAdminMixin, GroupAdmin):
    """Roles, read-only: the role names are what the code checks.

    Renaming one would silently take its capabilities from everyone in it, and
    Django's permissions attached to a group grant nothing here. Roles are
    given and taken on the account page.
    """

    fields = ("name",)
    list_display = ("name", "member_count")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("user"))

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, obj):
        return obj.member_count


admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class EmailAddressAdmin(RoleAdminMixin, allauth_admin.EmailAddressAdmin):
    """Sign-in addresses. Administrators may mark one confirmed for a person who cannot receive mail."""

    admin_can_change = True
    actions = None


admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(RoleAdminMixin, admin.ModelAdmin):
    """Who has which second factor. The secrets themselves are never shown."""

    list_display = ("user", "type", "created_at", "last_used_at")
    list_filter = ("type",)
    search_fields = ("user__username",)
    list_select_related = ("user",)
    fields = ("user", "type", "created_at", "last_used_at")
    actions = None


@admin.register(SignInEvent)
class SignInEventAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ("occurred_at", "user", "step", "succeeded", "ip_address")
    list_filter = ("succeeded", "step")
    search_fields = ("user__username", "=ip_address")
    list_select_related = ("user",)
    date_hierarchy = "occurred_at"
    show_full_result_count = False
    actions = None
