from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _


class FamiliesConfig(AppConfig):
    name = "families"
    verbose_name = _("Families")

    def ready(self):
        from families.page_cache import record_change

        signals = {"post_save": post_save, "post_delete": post_delete, "m2m_changed": m2m_changed}
        for name, signal in signals.items():
            signal.connect(record_change, dispatch_uid=f"family-pages:{name}")
