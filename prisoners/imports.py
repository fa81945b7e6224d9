"""Importing a list of prisoners from a CSV file (``manage.py import_prisoners``).

The whole file is refused, before anything is written, when it cannot be
read as UTF-8 or its header names a column we do not know. After that each
row stands alone: a bad row is reported with its line and field and skipped,
and never stops the good ones. Rows are written in batches, each batch in
one transaction with its status changes and audit events; a batch that the
database refuses as a whole is written again row by row, so one row's
conflict costs only that row.

A row whose ``external_ref`` was already imported from the same ``source``
updates that record, or is skipped when nothing in it changed. Without an
``external_ref``, a row that repeats a record of the same source (same name,
date of birth and service number) is skipped.
"""

import codecs
import csv
import datetime
import functools
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DataError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import audit_record
from core.bulk import bulk_insert_values
from core.errors import DomainError
from prisoners.matching.dates import parse_partial_date
from prisoners.matching.keys import name_script
from prisoners.models import CaseStatus, Party, Prisoner, Source, StatusChange, name_keys, prisoner_facts_errors
from prisoners.services import prisoner_update

REQUIRED_COLUMNS = ("surname", "given_name")
# CSV column → Prisoner field, where the names differ.
RENAMED_COLUMNS = {"given_name": "given_names"}
TEXT_COLUMNS = (
    "surname",
    "given_name",
    "patronymic",
    "service_number",
    "unit",
    "place_of_birth",
    "mothers_maiden_name",
    "citizenship",
    "rank",
    "military_status",
    "person_to_inform",
    "capture_place",
    "place_of_internment",
    "health_status",
    "health_notes",
    "repatriation_consent",
)
NAME_COLUMNS = ("surname", "given_name", "patronymic")
# Text columns whose field defaults to something other than a blank ("unknown").
_DEFAULTED_COLUMNS = frozenset(
    column for column in TEXT_COLUMNS if Prisoner._meta.get_field(RENAMED_COLUMNS.get(column, column)).get_default()
)
PARTY_COLUMNS = ("party", "holding_party")
KNOWN_COLUMNS = frozenset({*TEXT_COLUMNS, *PARTY_COLUMNS, "date_of_birth", "capture_date", "external_ref"})
BATCH_SIZE = 1000
# Rows imported before the table's statistics are first refreshed (see _Writer).
ANALYZE_AFTER = 20_000
_READ_CHUNK = 1 << 20


class ImportFileError(Exception):
    """The file as a whole cannot be imported; nothing was written."""


CREATED = "created"
UPDATED = "updated"
SKIPPED = "skipped"
FAILED = "failed"
OUTCOME_LABELS = {
    CREATED: gettext_lazy("created"),
    UPDATED: gettext_lazy("updated"),
    SKIPPED: gettext_lazy("skipped"),
    FAILED: gettext_lazy("failed"),
}


@dataclass(frozen=True)
class RowResult:
    line: int
    outcome: str  # CREATED, UPDATED, SKIPPED or FAILED
    prisoner_id: int | None = None
    reasons: tuple[str, ...] = ()


@dataclass
class ImportReport:
    rows: list[RowResult] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def failed(self) -> list[RowResult]:
        return [row for row in self.rows if row.outcome == FAILED]


@dataclass
class _Row:
    line: int
    data: dict
    external_ref: str


@dataclass
class _Plan:
    """What one batch will write: new records, and changes to records imported before."""

    new: list[tuple[_Row, dict]] = field(default_factory=list)
    updates: list[tuple[_Row, Prisoner, dict]] = field(default_factory=list)


class _RowError(Exception):
    def __init__(self, errors: list[str]):
        super().__init__(errors)
        self.errors = errors


def _encoding_check(path: Path) -> None:
    """Refuse a file that is not UTF-8, naming the first line that is not."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with path.open("rb") as stream:
        while chunk := stream.read(_READ_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                line += chunk[: error.start].count(b"\n")
                raise ImportFileError(
                    _("Line %(line)d is not UTF-8 text. Save the file as UTF-8 (CSV UTF-8) and import it again.")
                    % {"line": line}
                ) from None
            line += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise ImportFileError(_("The file ends in the middle of a character: it is not UTF-8 text.")) from None


def _header_check(header: list[str] | None) -> list[str]:
    if not header:
        raise ImportFileError(_("The file is empty: it needs a header line naming its columns."))
    columns = [name.strip() for name in header]
    unknown = [name for name in columns if name not in KNOWN_COLUMNS]
    if unknown:
        raise ImportFileError(
            _("Unknown columns in the header: %(unknown)s. Known columns: %(known)s.")
            % {"unknown": ", ".join(unknown), "known": ", ".join(sorted(KNOWN_COLUMNS))}
        )
    repeated = sorted({name for name in columns if columns.count(name) > 1})
    if repeated:
        raise ImportFileError(_("Columns named twice in the header: %(columns)s.") % {"columns": ", ".join(repeated)})
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise ImportFileError(_("The header lacks required columns: %(columns)s.") % {"columns": ", ".join(missing)})
    return columns


def _rows(path: Path) -> Iterator[tuple[int, list[str], dict[str, str] | None, list[str]]]:
    """(line, columns, values by column or None when ragged, raw fields) for each data row."""
    with path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.reader(stream)
        columns = _header_check(next(reader, None))
        for fields in reader:
            if not any(value.strip() for value in fields):
                continue
            values = dict(zip(columns, fields, strict=True)) if len(fields) == len(columns) else None
            yield reader.line_num, columns, values, fields


def _query(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# Lists repeat names and dates; an import reads them once each.
_name_script = functools.lru_cache(maxsize=65536)(name_script)
_parse_partial_date = functools.lru_cache(maxsize=65536)(parse_partial_date)


class _RowReader:
    """Turns one CSV row into Prisoner field values, or the reasons it cannot be."""

    def __init__(self, *, party: Party | None):
        self.default_party = party
        self.parties = {party.code: party for party in Party.objects.all()}

    def _party(self, code: str, column: str, errors: list[str]) -> Party | None:
        party = self.parties.get(code)
        if party is None:
            errors.append(_("%(column)s: no party has the code “%(code)s”.") % {"column": column, "code": code})
        return party

    def read(self, values: dict[str, str]) -> tuple[dict, str]:
        # PostgreSQL cannot store a NUL; a cell holding one is most often a UTF-16 file's.
        damaged = [column for column, value in values.items() if "\x00" in value]
        if damaged:
            message = _("%(column)s: holds a NUL character; save the file as UTF-8 text.")
            raise _RowError([message % {"column": column} for column in damaged])
        errors: list[str] = []
        data: dict = {}
        for column in TEXT_COLUMNS:
            if column in values:
                value = " ".join(values[column].split())
                # An empty cell is "not known": the field's default, not a blank it cannot hold.
                if value or column not in _DEFAULTED_COLUMNS:
                    data[RENAMED_COLUMNS.get(column, column)] = value
        for column in REQUIRED_COLUMNS:
            if not values[column].strip():
                errors.append(_("%(column)s: this column cannot be empty.") % {"column": column})
            elif not any(char.isalpha() for char in values[column]):
                errors.append(_("%(column)s: a name is written in letters.") % {"column": column})
        for column in NAME_COLUMNS:
            if column in values and _name_script(values[column]) == "mixed":
                errors.append(
                    _("%(column)s: mixes Cyrillic and Latin letters; write it in one alphabet.") % {"column": column}
                )
        if values.get("date_of_birth", "").strip():
            try:
                date = _parse_partial_date(values["date_of_birth"])
            except ValueError as error:
                errors.append(f"date_of_birth: {error}")
            else:
                data["date_of_birth"], data["date_of_birth_accuracy"] = date.to_date(), date.accuracy
        if values.get("capture_date", "").strip():
            try:
                data["capture_date"] = datetime.date.fromisoformat(values["capture_date"].strip())
            except ValueError:
                errors.append(_("capture_date: write the date as YYYY-MM-DD."))
        party_code = values.get("party", "").strip()
        if party_code:
            data["party"] = self._party(party_code, "party", errors)
        elif self.default_party is not None:
            data["party"] = self.default_party
        else:
            errors.append(_("party: name the party in this column or with --party."))
        if values.get("holding_party", "").strip():
            data["holding_party"] = self._party(values["holding_party"].strip(), "holding_party", errors)
        if errors:
            raise _RowError(errors)
        return data, values.get("external_ref", "").strip()


# How each column a row can set is checked: (field, max_length, allowed choices or None).
_FIELD_CHECKS = {
    name: (field, field.max_length, {value for value, _label in field.choices} if field.choices else None)
    for name in (*(RENAMED_COLUMNS.get(column, column) for column in TEXT_COLUMNS), "import_source", "external_ref")
    for field in [Prisoner._meta.get_field(name)]
}
# A repeated row without external_ref: these agree with a record already imported.
_SAME_RECORD_EMPTY = {"surname": "", "given_names": "", "patronymic": "", "date_of_birth": None, "service_number": ""}


def _new_record(data: dict, *, source: str, external_ref: str) -> dict:
    """A new record's column values (by attribute name), checked as ``full_clean`` would where a row can be wrong.

    Builds no model instance: at thousands of rows a second, that costs more
    than the checks. A value that passes the quick test (length, choices) is
    good; one that fails it goes through the field's own ``clean`` for the
    message.
    """
    values = {"import_source": source, "external_ref": external_ref, "status": CaseStatus.REPORTED}
    errors: dict[str, list[str]] = {}
    for name, value in data.items():
        if name in PARTY_COLUMNS:
            values[f"{name}_id"] = value.pk
            continue
        values[name] = value
    for name in (*data.keys() - PARTY_COLUMNS, "import_source", "external_ref"):
        if name not in _FIELD_CHECKS:
            continue
        field, max_length, choices = _FIELD_CHECKS[name]
        value = values[name]
        if (max_length is None or len(value) <= max_length) and (choices is None or value in choices):
            continue
        try:
            field.clean(value, None)
        except ValidationError as error:
            errors[name] = error.messages
    if not errors:
        errors = {name: [message] for name, message in prisoner_facts_errors(values).items()}
    if errors:
        raise _RowError([f"{name}: {message}" for name, messages in errors.items() for message in messages])
    values.update(
        name_keys(
            surname=values["surname"],
            given_names=values["given_names"],
            patronymic=values.get("patronymic", ""),
            service_number=values.get("service_number", ""),
        )
    )
    return values


def _stored_value(prisoner: Prisoner, name: str):
    """The record's value of a field a row sets; a party by its id, without reading the party (a query a row)."""
    if name in PARTY_COLUMNS:
        party_id = getattr(prisoner, f"{name}_id")
        return party_id and Party(pk=party_id)
    return getattr(prisoner, name)


def _same_record(values: dict) -> tuple:
    return tuple(values.get(name, empty) for name, empty in _SAME_RECORD_EMPTY.items())


class _Importer:
    def __init__(self, *, party: Party | None, source: str, actor, on_written: Callable[[list[int]], None] | None):
        self.reader = _RowReader(party=party)
        self.source = source
        self.actor = actor
        self.on_written = on_written
        self.report = ImportReport()
        self.seen_refs: dict[str, int] = {}
        self.seen_numbers: dict[tuple[int, str], int] = {}
        self.seen_plain: dict[tuple, int] = {}
        self.analysed = Prisoner.objects.count()
        self.source_imported_before = Prisoner.objects.filter(import_source=source).exclude(external_ref="").exists()
        self.unanalysed = 0

    def _fail(self, line: int, errors: list[str]) -> None:
        self.report.rows.append(RowResult(line=line, outcome=FAILED, reasons=tuple(errors)))

    def prepare(self, rows: list[_Row]) -> _Plan:
        """Check a batch against the file so far and the database; nothing is written here."""
        existing = self._imported_before(rows)
        taken_numbers = self._taken_service_numbers(rows)
        plan = _Plan()
        new: list[tuple[_Row, dict]] = []
        for row in rows:
            try:
                self._in_file_duplicates_check(row)
                prisoner = existing.get(row.external_ref) if row.external_ref else None
                if prisoner is not None:
                    # A service number another record of the party holds is refused, as for a new row.
                    number = (row.data["party"].pk, row.data.get("service_number", prisoner.service_number))
                    if number != (prisoner.party_id, prisoner.service_number):
                        self._service_number_check(row, taken_numbers)
                    self._update_plan(row, prisoner, plan)
                    continue
                candidate = _new_record(row.data, source=self.source, external_ref=row.external_ref)
            except _RowError as error:
                self._fail(row.line, error.errors)
                continue
            plan.new.append((row, candidate))
        # A repeat of a record of this source is skipped, not failed for the service number it already holds.
        for row, candidate in self._without_repeats(plan.new):
            try:
                self._service_number_check(row, taken_numbers)
            except _RowError as error:
                self._fail(row.line, error.errors)
                continue
            new.append((row, candidate))
        plan.new = new
        return plan

    def write(self, plan: _Plan) -> None:
        written: list[int] = []
        for row, prisoner, changes in plan.updates:
            try:
                written.append(self._update(row, prisoner, changes))
            except _RowError as error:
                self._fail(row.line, error.errors)
        written.extend(self._create(plan.new))
        self._statistics_refresh(len(plan.new))
        if written and self.on_written is not None:
            self.on_written(written)

    def _statistics_refresh(self, written: int) -> None:
        """ANALYZE the table each time the import has doubled it (PostgreSQL).

        The planner's statistics otherwise still describe the table as it was,
        and the next batch's lookups by external_ref and service number, and
        the candidate searches that follow, scan everything imported so far.
        """
        self.unanalysed += written
        if connection.vendor == "postgresql" and self.unanalysed >= max(ANALYZE_AFTER, self.analysed):
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE prisoners_prisoner")
            self.analysed += self.unanalysed
            self.unanalysed = 0

    def _in_file_duplicates_check(self, row: _Row) -> None:
        if row.external_ref:
            first = self.seen_refs.setdefault(row.external_ref, row.line)
            if first != row.line:
                raise _RowError(
                    [
                        _("external_ref: “%(ref)s” is already on line %(line)d of this file.")
                        % {"ref": row.external_ref, "line": first}
                    ]
                )
        number = row.data.get("service_number")
        if number:
            first = self.seen_numbers.setdefault((row.data["party"].pk, number), row.line)
            if first != row.line:
                raise _RowError(
                    [
                        _("service_number: “%(number)s” is already on line %(line)d of this file.")
                        % {"number": number, "line": first}
                    ]
                )

    def _imported_before(self, rows: list[_Row]) -> dict[str, Prisoner]:
        """The records this source's earlier imports made for the batch's external_refs."""
        refs = [row.external_ref for row in rows if row.external_ref]
        if not refs or not self.source_imported_before:
            # A list never imported before: its own repeats are caught in
            # memory (seen_refs), and a concurrent import of the same list by
            # the unique constraint.
            return {}
        if connection.vendor == "postgresql":
            # One array parameter (a thousand-item IN list costs more to plan
            # than to run); "<> ''" lets PostgreSQL use the partial unique index.
            found = _query(
                "SELECT id FROM prisoners_prisoner WHERE import_source = %s AND external_ref = ANY(%s)"
                " AND external_ref <> ''",
                [self.source, refs],
            )
            if not found:
                return {}
            records = Prisoner.objects.filter(pk__in=[pk for (pk,) in found])
        else:
            records = Prisoner.objects.filter(import_source=self.source, external_ref__in=refs)
        return {prisoner.external_ref: prisoner for prisoner in records}

    def _taken_service_numbers(self, rows: list[_Row]) -> set[tuple[int, str]]:
        numbers = sorted({row.data["service_number"] for row in rows if row.data.get("service_number")})
        if not numbers:
            return set()
        if connection.vendor == "postgresql":
            found = _query(
                "SELECT party_id, service_number FROM prisoners_prisoner WHERE service_number = ANY(%s)", [numbers]
            )
            return set(map(tuple, found))
        return set(Prisoner.objects.filter(service_number__in=numbers).values_list("party_id", "service_number"))

    @staticmethod
    def _service_number_check(row: _Row, taken: set[tuple[int, str]]) -> None:
        number = row.data.get("service_number")
        if number and (row.data["party"].pk, number) in taken:
            raise _RowError([_("service_number: a prisoner with this number is already recorded for this party.")])

    def _without_repeats(self, new: list[tuple[_Row, dict]]) -> list[tuple[_Row, dict]]:
        """Skip rows without an external_ref that repeat a record of this source, or an earlier row."""
        plain = [values for row, values in new if not row.external_ref]
        if not plain:
            return new
        stored = set(
            Prisoner.objects.filter(
                import_source=self.source, external_ref="", surname__in={values["surname"] for values in plain}
            ).values_list(*_SAME_RECORD_EMPTY)
        )
        kept = []
        for row, values in new:
            identity = _same_record(values)
            if row.external_ref:
                kept.append((row, values))
            elif identity in stored:
                self.report.rows.append(
                    RowResult(line=row.line, outcome=SKIPPED, reasons=(_("already imported from this source"),))
                )
            elif identity in self.seen_plain:
                self._fail(
                    row.line,
                    [_("repeats line %(line)d of this file.") % {"line": self.seen_plain[identity]}],
                )
            else:
                self.seen_plain[identity] = row.line
                kept.append((row, values))
        return kept

    def _update_plan(self, row: _Row, prisoner: Prisoner, plan: _Plan) -> None:
        changes = {name: value for name, value in row.data.items() if _stored_value(prisoner, name) != value}
        if changes:
            plan.updates.append((row, prisoner, changes))
            return
        self.report.rows.append(
            RowResult(
                line=row.line,
                outcome=SKIPPED,
                prisoner_id=prisoner.pk,
                reasons=(_("already imported with this external_ref, unchanged"),),
            )
        )

    def _update(self, row: _Row, prisoner: Prisoner, changes: dict) -> int:
        try:
            prisoner_update(
                prisoner=prisoner,
                version=prisoner.version,
                actor=self.actor,
                data=changes,
                reason=_("Imported again from %(source)s, line %(line)d") % {"source": self.source, "line": row.line},
            )
        except DomainError as error:
            details = [
                message if name == NON_FIELD_ERRORS else f"{name}: {message}"
                for name, messages in error.fields.items()
                for message in messages
            ]
            raise _RowError(details or [str(error.message)]) from None
        self.report.rows.append(
            RowResult(
                line=row.line,
                outcome=UPDATED,
                prisoner_id=prisoner.pk,
                reasons=(_("changed: %(fields)s") % {"fields": ", ".join(sorted(changes))},),
            )
        )
        return prisoner.pk

    def _create(self, new: list[tuple[_Row, dict]]) -> list[int]:
        if not new:
            return []
        try:
            with transaction.atomic():
                return self._insert(new)
        except (IntegrityError, DataError):
            # Something the checks above could not see (a record written
            # meanwhile): write the rows one by one, so that only the
            # offending ones fail.
            created = []
            for row, values in new:
                try:
                    with transaction.atomic():
                        created.extend(self._insert([(row, values)]))
                except (IntegrityError, DataError) as error:
                    self._fail(row.line, [_("The database refused this row: %(error)s") % {"error": error}])
            return created

    def _insert(self, new: list[tuple[_Row, dict]]) -> list[int]:
        ids = bulk_insert_values(Prisoner, [values for _row, values in new])
        reason = _("Imported from %(source)s") % {"source": self.source} if self.source else ""
        actor_id = self.actor.pk if self.actor is not None else None
        opened_at = timezone.now()
        bulk_insert_values(
            StatusChange,
            [
                {
                    "prisoner_id": prisoner_id,
                    "new_status": CaseStatus.REPORTED,
                    "actor_id": actor_id,
                    "source": Source.OFFICIAL_LIST,
                    "reason": reason,
                    # A record being opened is news to nobody (notifications.rules).
                    "notifications_claimed_at": opened_at,
                }
                for prisoner_id in ids
            ],
        )
        # One event per batch, naming each record and its line: an event
        # per row would double what the import writes.
        audit_record(
            actor=self.actor,
            action="prisoners.imported",
            target=("prisoners.import", self.source),
            changes={"records": {prisoner_id: row.line for prisoner_id, (row, _values) in zip(ids, new, strict=True)}},
        )
        for prisoner_id, (row, _values) in zip(ids, new, strict=True):
            self.report.rows.append(RowResult(line=row.line, outcome=CREATED, prisoner_id=prisoner_id))
        return ids


class _Writer:
    """Writes the batches in a thread of its own, so that the database works while the next batch is read.

    Only where the import owns its transactions: inside a caller's
    transaction (a test, say) another connection would not see the caller's
    rows, so the batches are written in the caller's thread instead.
    """

    def __init__(self, importer: _Importer):
        self.importer = importer
        self.queue: queue.Queue[_Plan | None] = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="import-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            while (plan := self.queue.get()) is not None:
                if self.error is None:
                    try:
                        self.importer.write(plan)
                    except BaseException as error:  # handed to the reading thread by close()
                        self.error = error
        finally:
            connection.close()

    def put(self, plan: _Plan) -> None:
        if self.error is not None:
            self.close()
        self.queue.put(plan)

    def close(self) -> None:
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()
        if self.error is not None:
            raise self.error


def prisoners_import(
    path: Path,
    *,
    party: Party | None = None,
    source: str = "",
    actor=None,
    batch_size: int = BATCH_SIZE,
    on_written: Callable[[list[int]], None] | None = None,
) -> ImportReport:
    """Import ``path``; ``on_written`` is called with the ids of each batch's new and changed records.

    Raises ``ImportFileError`` when the file as a whole cannot be imported.
    """
    _encoding_check(path)
    importer = _Importer(party=party, source=source, actor=actor, on_written=on_written)
    in_callers_transaction = connection.in_atomic_block or connection.vendor != "postgresql"
    writer = None if in_callers_transaction else _Writer(importer)
    write = importer.write if writer is None else writer.put
    batch: list[_Row] = []
    try:
        for line, columns, values, fields in _rows(path):
            if values is None:
                importer._fail(
                    line,
                    [
                        _("The row has %(found)d fields where the header has %(expected)d.")
                        % {"found": len(fields), "expected": len(columns)}
                    ],
                )
                continue
            try:
                data, external_ref = importer.reader.read(values)
            except _RowError as error:
                importer._fail(line, error.errors)
                continue
            batch.append(_Row(line=line, data=data, external_ref=external_ref))
            if len(batch) >= batch_size:
                write(importer.prepare(batch))
                batch = []
        if batch:
            write(importer.prepare(batch))
    finally:
        if writer is not None:
            writer.close()
    importer.report.rows.sort(key=lambda row: row.line)
    return importer.report
