"""``manage.py import_prisoners FILE.csv``: a list of prisoners into the record, row by row."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from prisoners.imports import CREATED, FAILED, OUTCOME_LABELS, SKIPPED, UPDATED, ImportFileError, prisoners_import
from prisoners.models import Party
from prisoners.tasks import match_prisoners


class Command(BaseCommand):
    help = (
        "Import prisoners from a UTF-8 CSV file with a header: surname, given_name, and optionally patronymic, "
        "date_of_birth, service_number, unit, external_ref and other record fields by name."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--party", help="code of the party the prisoners serve, unless the file has a party column")
        parser.add_argument("--source", default="", help="name of the list; with external_ref, makes re-imports safe")

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        party = None
        if options["party"]:
            party = Party.objects.filter(code=options["party"]).first()
            if party is None:
                raise CommandError(_("No party has the code “%(code)s”.") % {"code": options["party"]})
        try:
            report = prisoners_import(
                path,
                party=party,
                source=options["source"].strip(),
                # Candidate matches are computed by the worker, batch by batch.
                on_written=lambda ids: match_prisoners.delay(ids),
            )
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        for row in report.rows:
            if row.outcome != CREATED:
                self.stdout.write(
                    _("line %(line)d: %(outcome)s: %(reasons)s")
                    % {
                        "line": row.line,
                        "outcome": OUTCOME_LABELS[row.outcome],
                        "reasons": "; ".join(row.reasons),
                    }
                )
        self.stdout.write(
            _("%(created)d created, %(updated)d updated, %(skipped)d skipped, %(failed)d failed")
            % {
                "created": report.count(CREATED),
                "updated": report.count(UPDATED),
                "skipped": report.count(SKIPPED),
                "failed": report.count(FAILED),
            }
        )
        if report.failed:
            raise CommandError(_("%(count)d rows were not imported; the others were.") % {"count": len(report.failed)})
