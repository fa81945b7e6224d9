"""Reading the other side's list for an exchange from an uploaded CSV or XLSX file.

The other side sends its list as whatever its office exports: CSV in UTF-8
or in a legacy Cyrillic code page, or an Excel workbook, with a header in
English, Russian or Ukrainian. The file is read and checked whole before
anything is matched or written: a list reconciled in part would look
complete to the coordinator and is not, so one bad row refuses the file,
and every bad row found (up to ``MAX_REPORTED_ERRORS``) is named at once so
the file can be corrected in one pass.
"""

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePath

import openpyxl
from charset_normalizer import from_bytes
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError
from exchanges.models import CounterpartyRow
from prisoners.matching.keys import given_name_key, patronymic_key, service_number_key, surname_key
from prisoners.matching.search import person_query_read

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_REPORTED_ERRORS = 20
# A workbook is a zip: a few megabytes can unpack to gigabytes.
MAX_UNPACKED_XLSX_BYTES = 50 * 1024 * 1024
# Lists from the other side that are not UTF-8 come from Windows or older
# Unix offices; guessing among every code page would turn any binary file
# into some text.
LEGACY_ENCODINGS = ("cp1251", "koi8_r", "koi8_u")
# The header line is sniffed for its delimiter, no more of the file.
_SNIFF_CHARS = 4096

FIELDS = ("surname", "given_name", "patronymic", "date_of_birth", "service_number")
REQUIRED_FIELDS = ("surname", "given_name")
# Header names, as _header_key() folds them, for each field.
HEADER_NAMES = {
    "surname": ("surname", "last name", "family name", "фамилия", "прізвище"),
    "given_name": ("given name", "given names", "first name", "имя", "ім'я"),
    "patronymic": ("patronymic", "middle name", "отчество", "по батькові"),
    "date_of_birth": ("date of birth", "birth date", "дата рождения", "дата народження"),
    "service_number": ("service number", "personal number", "number", "личный номер", "особистий номер"),
}
# A running number the other side's office adds; it identifies nobody.
IGNORED_HEADER_NAMES = ("#", "no", "no.", "№", "№ п/п", "п/п")
_FIELD_BY_HEADER = {name: field for field, names in HEADER_NAMES.items() for name in names}
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "‘": "'"})
# Russian and Ukrainian offices write dates of birth day first.
_DAY_FIRST_DATE = re.compile(r"(?:(\d{1,2})\.)?(\d{1,2})\.(\d{4})")

_EMPTY_FILE = gettext_lazy("The file is empty: it needs a header row naming its columns, then one row per person.")
_UNREADABLE_TEXT = gettext_lazy(
    "The file is not text we can read. Save it as CSV UTF-8 (or Windows-1251) and upload it again."
)


@dataclass(frozen=True)
class ParsedRow:
    """One person on the other side's list, as written there; ``line`` is the row number in the file."""

    line: int
    surname: str
    given_name: str
    patronymic: str
    date_of_birth: str
    service_number: str


def _refuse(message) -> DomainError:
    return DomainError(message, code="counterparty_file_invalid", fields={"file": [str(message)]})


def _header_key(text: str) -> str:
    """A header name with case, spacing, underscores and apostrophe variants folded away."""
    return " ".join(text.translate(_APOSTROPHES).replace("_", " ").split()).casefold()


def _field_label(field: str) -> str:
    return str(CounterpartyRow._meta.get_field(field).verbose_name)


def _known_headers() -> str:
    return "; ".join(", ".join(names) for names in HEADER_NAMES.values())


def _columns(header: list[str]) -> list[str | None]:
    """The field each column of the header gives, or None for a running number."""
    while header and not header[-1]:
        header = header[:-1]
    columns: list[str | None] = []
    unknown: list[str] = []
    for number, name in enumerate(header, start=1):
        key = _header_key(name)
        if not key:
            raise _refuse(_("Column %(number)d has no name in the header.") % {"number": number})
        if key in IGNORED_HEADER_NAMES:
            columns.append(None)
        elif key in _FIELD_BY_HEADER:
            columns.append(_FIELD_BY_HEADER[key])
        else:
            unknown.append(name)
    if unknown:
        raise _refuse(
            _("Unknown columns in the header: %(unknown)s. Known columns: %(known)s.")
            % {"unknown": ", ".join(f"“{name}”" for name in unknown), "known": _known_headers()}
        )
    repeated = sorted({field for field in columns if field and columns.count(field) > 1}, key=FIELDS.index)
    if repeated:
        raise _refuse(
            _("The header has more than one column for: %(fields)s.")
            % {"fields": ", ".join(_field_label(field) for field in repeated)}
        )
    missing = [field for field in REQUIRED_FIELDS if field not in columns]
    if missing:
        raise _refuse(
            _("The header has no column for: %(fields)s. Known columns: %(known)s.")
            % {"fields": ", ".join(_field_label(field) for field in missing), "known": _known_headers()}
        )
    return columns


def _iso_date(text: str) -> str:
    """A day-first date (17.05.1990, 05.1990) as YYYY-MM-DD or YYYY-MM; anything else unchanged."""
    match = _DAY_FIRST_DATE.fullmatch(text)
    if match is None:
        return text
    day, month, year = match.groups()
    return f"{year}-{int(month):02d}" + (f"-{int(day):02d}" if day else "")


def _row_read(line: int, values: dict[str, str]) -> tuple[ParsedRow | None, list[str]]:
    """The row, or the reasons it cannot be reconciled, each naming the row."""
    values = {**values, "date_of_birth": _iso_date(values["date_of_birth"])}
    errors = []
    try:
        query = person_query_read(**values)
    except DomainError as error:
        errors = [
            _("Row %(row)d, %(field)s: %(error)s") % {"row": line, "field": _field_label(field), "error": message}
            for field in FIELDS
            for message in error.fields.get(field, [])
        ]
    else:
        if query.date_of_birth is not None:
            values["date_of_birth"] = str(query.date_of_birth)
    for field in FIELDS:
        limit = CounterpartyRow._meta.get_field(field).max_length
        if len(values[field]) > limit:
            errors.append(
                _("Row %(row)d, %(field)s: at most %(limit)d characters.")
                % {"row": line, "field": _field_label(field), "limit": limit}
            )
    if errors:
        return None, errors
    return ParsedRow(line=line, **values), []


def _repeats(row: ParsedRow, people: dict[tuple, int], numbers: dict[str, int]) -> str | None:
    """Why ``row`` repeats an earlier row of the file, if it does; remembers it otherwise."""
    person = (
        surname_key(row.surname),
        given_name_key(row.given_name),
        patronymic_key(row.patronymic),
        row.date_of_birth,
    )
    number = service_number_key(row.service_number)
    if person in people:
        return _("Row %(row)d repeats row %(first)d.") % {"row": row.line, "first": people[person]}
    if number and number in numbers:
        return _("Row %(row)d has the same personal or serial number as row %(first)d.") % {
            "row": row.line,
            "first": numbers[number],
        }
    people[person] = row.line
    if number:
        numbers[number] = row.line
    return None


def _parsed(table: Iterator[tuple[int, list[str]]]) -> list[ParsedRow]:
    """Rows from (row number, cells) pairs, the first non-blank one the header."""
    header = next((cells for _number, cells in table if any(cells)), None)
    if header is None:
        raise _refuse(_EMPTY_FILE)
    columns = _columns(header)
    parsed: list[ParsedRow] = []
    errors: list[str] = []
    people: dict[tuple, int] = {}
    numbers: dict[str, int] = {}
    count = 0
    for line, cells in table:
        if not any(cells):
            continue
        count += 1
        if count > MAX_ROWS:
            raise _refuse(
                _("The file has more than %(limit)d rows: split the list into smaller files.") % {"limit": MAX_ROWS}
            )
        if any(cells[len(columns) :]):
            errors.append(_("Row %(row)d has more cells than the header has columns.") % {"row": line})
            continue
        values = dict.fromkeys(FIELDS, "")
        values.update((field, value) for field, value in zip(columns, cells, strict=False) if field)
        row, row_errors = _row_read(line, values)
        if row is not None and (repeat := _repeats(row, people, numbers)):
            row_errors.append(repeat)
        errors += row_errors
        if not row_errors:
            parsed.append(row)
    if errors:
        shown = errors[:MAX_REPORTED_ERRORS]
        if len(errors) > len(shown):
            shown.append(_("… and %(count)d more.") % {"count": len(errors) - len(shown)})
        raise DomainError(
            _("Nothing was uploaded: correct these rows and upload the file again."),
            code="counterparty_file_invalid",
            fields={"file": shown},
        )
    if not parsed:
        raise _refuse(_("The file has a header but no rows of people."))
    return parsed


def _cells(values: Iterable) -> list[str]:
    return [" ".join(value.split()) for value in values]


def _decoded(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        guess = from_bytes(data, cp_isolation=list(LEGACY_ENCODINGS)).best()
        if guess is None:
            raise _refuse(_UNREADABLE_TEXT) from None
        text = data.decode(guess.encoding)
    # A NUL in text is a UTF-16 file's, or no text at all.
    if "\x00" in text:
        raise _refuse(_UNREADABLE_TEXT)
    return text


def _delimiter(text: str) -> str:
    lines = text[:_SNIFF_CHARS].strip().splitlines()
    try:
        return csv.Sniffer().sniff(lines[0] if lines else "", delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _csv_table(data: bytes) -> Iterator[tuple[int, list[str]]]:
    text = _decoded(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        for number, fields in enumerate(reader, start=1):
            yield number, _cells(fields)
    except csv.Error:
        raise _refuse(
            _("Row %(row)d cannot be read as CSV: check its quotation marks.") % {"row": reader.line_num}
        ) from None


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    # Excel keeps every number as a float: a personal number 123456 reads 123456.0.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_table(data: bytes) -> Iterator[tuple[int, list[str]]]:
    unreadable = _("The file is not an Excel workbook we can read. Save it as .xlsx or CSV and upload it again.")
    if not data.startswith(b"PK"):
        raise _refuse(unreadable)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
        if unpacked > MAX_UNPACKED_XLSX_BYTES:
            raise _refuse(_("The workbook is too large once unpacked. Save the list as CSV and upload it again."))
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            # Some exporters write a wrong sheet size; read what the sheet holds.
            sheet.reset_dimensions()
            rows = []
            filled = 0
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = _cells(_cell_text(value) for value in values)
                rows.append((number, cells))
                filled += any(cells)
                # The header, the most rows allowed and one more, for _parsed to refuse.
                if filled > MAX_ROWS + 1:
                    break
        finally:
            workbook.close()
    except DomainError:
        raise
    except Exception:
        # A damaged workbook fails inside zipfile, openpyxl or its XML parser
        # in many ways; to the person uploading it they are one.
        raise _refuse(unreadable) from None
    return iter(rows)


def counterparty_rows_read(upload) -> list[ParsedRow]:
    """The people on an uploaded list (a Django ``UploadedFile``), or a ``DomainError`` naming what is wrong."""
    suffix = PurePath(upload.name or "").suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise _refuse(_("Upload the list as a .csv or .xlsx file."))
    too_big = _("The file is larger than %(size)d MB: split the list into smaller files.") % {
        "size": MAX_UPLOAD_BYTES // (1024 * 1024)
    }
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise _refuse(too_big)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise _refuse(too_big)
    if not data.strip():
        raise _refuse(_EMPTY_FILE)
    return _parsed(_xlsx_table(data) if suffix == ".xlsx" else _csv_table(data))
