"""Candidate search: the database narrows the records to a few hundred, scoring ranks them.

Blocking reads only the name keys stored on each record. On PostgreSQL it
uses the trigram indexes of migration 0003 (``%`` is pg_trgm's similarity
operator), per name part: surname and given name similar, in either order,
or the same service number. On SQLite, for ``make run``, the same question
is asked with exact keys and surname prefixes. Merged records are never
candidates: their survivor is.
"""

import calendar
import datetime
from collections.abc import Collection
from dataclasses import asdict, dataclass

from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from rapidfuzz.distance import Levenshtein

from core.errors import DomainError
from prisoners.matching.dates import PartialDate, parse_partial_date
from prisoners.matching.keys import KNOWN_GIVEN_NAME_KEYS, given_name_key, name_script, surname_key
from prisoners.matching.scoring import HIGH, MEDIUM, PersonQuery, PersonRecord, Scored, score
from prisoners.models import CaseStatus, Prisoner

# At most this many records are scored per query, the most similar first.
BLOCK_SIZE = 300
# pg_trgm's similarity threshold for the ``%`` operator (its default is 0.3).
TRIGRAM_THRESHOLD = 0.3
_PREFIX = 3

# The columns _POSTGRESQL_BLOCK selects, in its order.
_COLUMNS = (
    "id",
    "external_ref",
    "surname",
    "given_names",
    "patronymic",
    "date_of_birth",
    "date_of_birth_accuracy",
    "service_number",
    "unit",
    "surname_key",
    "given_name_key",
    "patronymic_key",
)

_POSTGRESQL_EXACT = """
SELECT id, external_ref, surname, given_names, patronymic, date_of_birth, date_of_birth_accuracy,
    service_number, unit, surname_key, given_name_key, patronymic_key
FROM prisoners_prisoner
WHERE status <> %(merged)s AND (
    (surname_key = %(surname)s AND given_name_key = ANY(%(given_forms)s))
    OR (surname_key = %(given)s AND given_name_key = ANY(%(surname_forms)s))
    OR (service_number_key = %(service)s AND service_number_key <> '')
    OR (
        given_name_key = ANY(%(given_forms)s) AND patronymic_key = %(patronymic)s AND patronymic_key <> ''
        AND date_of_birth BETWEEN %(born_from)s AND %(born_to)s
    )
)
ORDER BY
    (service_number_key = %(service)s AND service_number_key <> '') DESC,
    (patronymic_key = %(patronymic)s) DESC,
    (EXTRACT(YEAR FROM date_of_birth) = %(year)s) DESC,
    id
LIMIT %(limit)s
"""
_POSTGRESQL_BLOCK = """
SELECT id, external_ref, surname, given_names, patronymic, date_of_birth, date_of_birth_accuracy,
    service_number, unit, surname_key, given_name_key, patronymic_key
FROM prisoners_prisoner
WHERE status <> %(merged)s AND (
    (surname_key %% %(surname)s AND given_name_key = ANY(%(given_forms)s))
    OR (surname_key %% %(given)s AND given_name_key = ANY(%(surname_forms)s))
    OR (%(given_unknown)s AND surname_key %% %(surname)s AND given_name_key %% %(given)s)
    OR (service_number_key = %(service)s AND service_number_key <> '')
)
ORDER BY
    (service_number_key = %(service)s AND service_number_key <> '') DESC,
    (patronymic_key = %(patronymic)s) DESC,
    (EXTRACT(YEAR FROM date_of_birth) = %(year)s) DESC,
    GREATEST(
        similarity(surname_key, %(surname)s) + similarity(given_name_key, %(given)s),
        similarity(surname_key, %(given)s) + similarity(given_name_key, %(surname)s)
    ) DESC,
    id
LIMIT %(limit)s
"""


@dataclass(frozen=True)
class Candidate:
    """One proposed record, as ``match_person --json`` and the API print it."""

    prisoner_id: int
    external_ref: str
    surname: str
    given_name: str
    patronymic: str
    date_of_birth: str | None
    score: int
    confidence: str
    reasons: list[str]

    def as_dict(self) -> dict:
        return asdict(self)


def _record_date(row: dict) -> PartialDate | None:
    if row["date_of_birth"] is None:
        return None
    return PartialDate.from_date(row["date_of_birth"], row["date_of_birth_accuracy"])


def _given_name_forms(key: str) -> list[str]:
    """The given-name keys a record may carry for a typed ``key``: itself and the table's names a letter or two away.

    Blocking asks for these by equality, which an index answers at once even
    for the commonest names; a trigram search on given names would read a
    posting list of a sixth of the table for Александр.
    """
    cutoff = 1 if len(key) < 7 else 2
    near = (name for name in KNOWN_GIVEN_NAME_KEYS if Levenshtein.distance(key, name, score_cutoff=cutoff) <= cutoff)
    return sorted({key, *near})


def _born_between(date: PartialDate | None) -> tuple[datetime.date | None, datetime.date | None]:
    """The first and last day a partial date of birth can be; (None, None) when there is none."""
    if date is None:
        return None, None
    first = date.to_date()
    if date.day is not None:
        return first, first
    if date.month is not None:
        return first, first.replace(day=calendar.monthrange(date.year, date.month)[1])
    return first, first.replace(month=12, day=31)


def _block_postgresql(query: PersonQuery, *, fuzzy: bool) -> list[dict]:
    born_from, born_to = _born_between(query.date_of_birth)
    params = {
        "merged": CaseStatus.MERGED,
        "surname": query.surname_key,
        "given": query.given_name_key,
        "given_forms": sorted({*_given_name_forms(query.given_name_key), *query.given_name_neighbours}),
        "surname_forms": _given_name_forms(given_name_key(query.surname)),
        "given_unknown": query.given_name_key not in KNOWN_GIVEN_NAME_KEYS,
        "patronymic": query.patronymic_key,
        "year": query.date_of_birth.year if query.date_of_birth else None,
        # A surname mistyped beyond trigrams: the rest of the name and the date of birth still find him.
        "born_from": born_from,
        "born_to": born_to,
        "service": query.service_number_key,
        "limit": BLOCK_SIZE,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        if fuzzy:
            cursor.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, true)", [str(TRIGRAM_THRESHOLD)])
        cursor.execute(_POSTGRESQL_BLOCK if fuzzy else _POSTGRESQL_EXACT, params)
        return [dict(zip(_COLUMNS, row, strict=True)) for row in cursor.fetchall()]


def _block_portable(query: PersonQuery, *, fuzzy: bool) -> list[dict]:
    """SQLite's blocking: exact keys, or (``fuzzy``) keys that share their first letters."""
    surname, given = query.surname_key, query.given_name_key
    if fuzzy:
        blocks = Q(surname_key__startswith=surname[:_PREFIX], given_name_key__startswith=given[:_PREFIX]) | Q(
            surname_key__startswith=given[:_PREFIX], given_name_key__startswith=surname[:_PREFIX]
        )
    else:
        blocks = Q(surname_key=surname, given_name_key=given) | Q(surname_key=given, given_name_key=surname)
    if query.service_number_key:
        blocks |= Q(service_number_key=query.service_number_key)
    rows = Prisoner.objects.exclude(status=CaseStatus.MERGED).filter(blocks).order_by("id")
    return list(rows.values(*_COLUMNS)[:BLOCK_SIZE])


def _scored(query: PersonQuery, rows: list[dict], exclude_ids: Collection[int]) -> list[tuple[Scored, dict]]:
    scored = []
    for row in rows:
        if row["id"] in exclude_ids:
            continue
        record = PersonRecord(
            surname_key=row["surname_key"],
            given_name_key=row["given_name_key"],
            patronymic_key=row["patronymic_key"],
            date_of_birth=_record_date(row),
            service_number=row["service_number"],
            unit=row["unit"],
        )
        scored.append((score(query, record), row))
    return scored


def candidates_find(query: PersonQuery, *, limit: int = 10, exclude_ids: Collection[int] = ()) -> list[Candidate]:
    """The records most likely to be the person ``query`` describes, best first."""
    if not (query.surname_key and query.given_name_key):
        return []
    block = _block_postgresql if connection.vendor == "postgresql" else _block_portable
    scored = _scored(query, block(query, fuzzy=False), exclude_ids)
    if not any(result.confidence in (HIGH, MEDIUM) for result, _row in scored):
        # Nobody with this name as written, or nobody likely: look wider, by trigrams.
        seen = {row["id"] for _result, row in scored}
        scored += _scored(query, [row for row in block(query, fuzzy=True) if row["id"] not in seen], exclude_ids)
    scored.sort(key=lambda pair: (-pair[0].score, pair[1]["id"]))
    return [
        Candidate(
            prisoner_id=row["id"],
            external_ref=row["external_ref"],
            surname=row["surname"],
            given_name=row["given_names"],
            patronymic=row["patronymic"],
            date_of_birth=str(_record_date(row)) if row["date_of_birth"] else None,
            score=result.score,
            confidence=result.confidence,
            reasons=result.reasons,
        )
        for result, row in scored[:limit]
    ]


def person_query_read(
    *,
    surname: str,
    given_name: str,
    patronymic: str = "",
    date_of_birth: str = "",
    service_number: str = "",
    unit: str = "",
) -> PersonQuery:
    """A query from what a person typed, or a ``DomainError`` naming each field that is wrong."""
    errors: dict[str, list[str]] = {}
    names = {"surname": surname, "given_name": given_name, "patronymic": patronymic}
    for name, value in names.items():
        if name_script(value) == "mixed":
            errors[name] = [_("This name mixes Cyrillic and Latin letters; write it in one alphabet.")]
    if not surname_key(surname) and "surname" not in errors:
        errors["surname"] = [_("Enter the surname.")]
    if not given_name_key(given_name) and "given_name" not in errors:
        errors["given_name"] = [_("Enter the given name.")]
    date = None
    if date_of_birth.strip():
        try:
            date = parse_partial_date(date_of_birth)
        except ValueError as error:
            errors["date_of_birth"] = [str(error)]
    if errors:
        raise DomainError(_("Some of what you entered cannot be searched for."), code="invalid_query", fields=errors)
    return PersonQuery(
        surname=surname,
        given_name=given_name,
        patronymic=patronymic,
        date_of_birth=date,
        service_number=service_number,
        unit=unit,
    )
