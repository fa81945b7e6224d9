"""``manage.py apply_retention [--dry-run]``: erase the personal data past its retention period."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from families.retention import retention_apply, retention_due


class Command(BaseCommand):
    help = (
        "Erase personal data past its retention period (RETENTION_CLOSED_REQUEST_DAYS, "
        "RETENTION_RETURNED_CONTACT_DAYS). With --dry-run, list what would be erased and change nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list what is due, erase nothing")

    def handle(self, *args, **options):
        # Records by reference or id and kinds of data only: never the data itself.
        if options["dry_run"]:
            due = retention_due()
            for item in due:
                self.stdout.write(_("would erase %(item)s") % {"item": item.describe()})
            summary = ngettext(
                "%(count)d record would be erased; nothing was changed.",
                "%(count)d records would be erased; nothing was changed.",
                len(due),
            )
            self.stdout.write(summary % {"count": len(due)})
            return
        erased = retention_apply()
        for item in erased:
            self.stdout.write(_("erased %(item)s") % {"item": item.describe()})
        summary = ngettext("%(count)d record erased.", "%(count)d records erased.", len(erased))
        self.stdout.write(summary % {"count": len(erased)})
