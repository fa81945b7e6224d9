from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.roles import Capability, user_can


class AdminLoginForm(AdminAuthenticationForm):
    """Lets in administrators by their role, not by Django's ``is_staff`` flag."""

    def confirm_login_allowed(self, user):
        AuthenticationForm.confirm_login_allowed(self, user)
        if not user_can(user, Capability.USE_ADMIN):
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class HomecomingAdminSite(admin.AdminSite):
    """The administration site, open to administrators only.

    Caseworkers and coordinators work in the staff pages, not here.
    """

    site_header = _("Homecoming administration")
    site_title = _("Homecoming administration")
    index_title = _("Records and accounts")
    login_form = AdminLoginForm

    def has_permission(self, request):
        return user_can(request.user, Capability.USE_ADMIN)
