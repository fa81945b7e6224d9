from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from core.roles import Capability, user_can
from core.security import second_factor_passed
from core.staff import second_factor_setup


class HomecomingAdminSite(admin.AdminSite):
    """The administration site, open to administrators only.

    Caseworkers and coordinators work in the staff pages, not here. Signing in
    happens on the site's own sign-in page, which asks for the second factor:
    the admin's password-only form is never shown.
    """

    site_header = _("Homecoming administration")
    site_title = _("Homecoming administration")
    index_title = _("Records and accounts")

    def has_permission(self, request):
        return user_can(request.user, Capability.USE_ADMIN) and second_factor_passed(request)

    def login(self, request, extra_context=None):
        if request.user.is_authenticated:
            if self.has_permission(request):
                return redirect("admin:index")
            if user_can(request.user, Capability.USE_ADMIN):
                return second_factor_setup(request)
            raise PermissionDenied
        # allauth checks that ``next`` stays on this site.
        next_url = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")
