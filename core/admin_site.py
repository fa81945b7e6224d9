from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.roles import Capability, user_can


class HomecomingAdminSite(admin.AdminSite):
    """The administration site, open to administrators only.

    Caseworkers and coordinators work in the staff pages, not here.
    """

    site_header = _("Homecoming administration")
    site_title = _("Homecoming administration")
    index_title = _("Records and accounts")

    def has_permission(self, request):
        return user_can(request.user, Capability.USE_ADMIN)
