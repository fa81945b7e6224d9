from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default = True
    name = "core"
    verbose_name = _("Homecoming")

    def ready(self):
        from core import security  # noqa: F401 (connects the sign-in signal receivers)


class HomecomingAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "core.admin_site.HomecomingAdminSite"
