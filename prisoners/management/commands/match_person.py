"""``manage.py match_person``: the records most likely to be one person, best first."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.errors import DomainError
from prisoners.matching.search import candidates_find, person_query_read


class Command(BaseCommand):
    help = "Find the prisoner records most likely to be the person described, best first."

    def add_arguments(self, parser):
        parser.add_argument("--surname", required=True)
        parser.add_argument("--given-name", required=True)
        parser.add_argument("--patronymic", default="")
        parser.add_argument("--date-of-birth", default="", help="YYYY-MM-DD, YYYY-MM or YYYY")
        parser.add_argument("--service-number", default="")
        parser.add_argument("--unit", default="")
        parser.add_argument("--limit", type=int, default=10)
        parser.add_argument("--json", action="store_true", help="print a JSON array of candidates")

    def handle(self, *args, **options):
        if not 1 <= options["limit"] <= 100:
            raise CommandError(_("--limit must be between 1 and 100."))
        try:
            query = person_query_read(
                surname=options["surname"],
                given_name=options["given_name"],
                patronymic=options["patronymic"],
                date_of_birth=options["date_of_birth"],
                service_number=options["service_number"],
                unit=options["unit"],
            )
        except DomainError as error:
            details = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in error.fields.items())
            raise CommandError(f"{error.message} {details}") from None
        candidates = candidates_find(query, limit=options["limit"])
        if options["json"]:
            self.stdout.write(json.dumps([candidate.as_dict() for candidate in candidates], ensure_ascii=False))
            return
        if not candidates:
            self.stdout.write(_("No candidates."))
        for candidate in candidates:
            name = " ".join(part for part in (candidate.surname, candidate.given_name, candidate.patronymic) if part)
            self.stdout.write(
                f"{candidate.score:3d} {candidate.confidence:<6} #{candidate.prisoner_id} {name}"
                f" {candidate.date_of_birth or ''} {candidate.external_ref}".rstrip()
            )
            for reason in candidate.reasons:
                self.stdout.write(f"           {reason}")
