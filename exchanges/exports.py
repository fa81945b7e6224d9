"""An exchange's list as the negotiating parties receive it: CSV, XLSX or PDF.

The file leaves our hands, so it carries only what the other side and the
mediator need to identify each person (``COLUMNS``); family contacts, health
notes and the place of internment are not even read from the database. Every
format is built from the same single query and the same columns, in the
language active when the export is made.

Spreadsheets open what they are given as formulas, so a text cell that starts
like one is defused with a leading apostrophe (OWASP's advice on CSV
injection): a name or unit typed as ``=HYPERLINK(…)`` stays text.
"""

import csv
import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import NamedTuple
from xml.sax.saxutils import escape

from django.db.models import Case, IntegerField, Value, When
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from exchanges.models import Direction, EntryOutcome, Exchange, ExchangeEntry
from exchanges.priority import ART_110
from prisoners.models import DateAccuracy
from prisoners.track_pdf import BOLD, FONT, _fonts_registered

EXPORT_FORMATS = ("csv", "xlsx", "pdf")

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"


class PartialDate(NamedTuple):
    """A date of birth known only to the year, or to the month: never shown as a full date."""

    year: int
    month: int | None = None

    def iso(self) -> str:
        return str(self.year) if self.month is None else f"{self.year:04d}-{self.month:02d}"


def _date_of_birth(entry: ExchangeEntry) -> datetime.date | PartialDate | None:
    born = entry.prisoner.date_of_birth
    if born is None:
        return None
    accuracy = entry.prisoner.date_of_birth_accuracy
    if accuracy == DateAccuracy.YEAR:
        return PartialDate(born.year)
    if accuracy == DateAccuracy.MONTH:
        return PartialDate(born.year, born.month)
    return born


# The choices' labels rather than ``get_<field>_display()``, which rebuilds its
# dict of choices on every call: a thousand rows notice it.
def _direction(entry: ExchangeEntry) -> str:
    return str(Direction(entry.direction).label)


def _outcome(entry: ExchangeEntry) -> str:
    return str(EntryOutcome(entry.outcome).label)


def _priority(entry: ExchangeEntry) -> str:
    return _("Art. 110") if entry.priority_category == ART_110 else ""


@dataclass(frozen=True)
class Column:
    label: Promise
    value: Callable[[ExchangeEntry], object]
    # Width in the PDF's table, in millimetres; the columns fill a landscape A4 page.
    pdf_width: float


COLUMNS = (
    Column(gettext_lazy("No."), attrgetter("position"), 9),
    Column(gettext_lazy("Direction"), _direction, 17),
    Column(gettext_lazy("Surname"), attrgetter("prisoner.surname"), 27),
    Column(gettext_lazy("Given names"), attrgetter("prisoner.given_names"), 24),
    Column(gettext_lazy("Patronymic"), attrgetter("prisoner.patronymic"), 24),
    Column(gettext_lazy("Date of birth"), _date_of_birth, 20),
    Column(gettext_lazy("Rank"), attrgetter("prisoner.rank"), 19),
    Column(gettext_lazy("Personal or serial number"), attrgetter("prisoner.service_number"), 22),
    Column(gettext_lazy("Unit"), attrgetter("prisoner.unit"), 32),
    Column(gettext_lazy("Party served"), attrgetter("prisoner.party.name"), 24),
    Column(gettext_lazy("Date of capture"), attrgetter("prisoner.capture_date"), 18),
    Column(gettext_lazy("Priority"), _priority, 13),
    Column(gettext_lazy("Outcome"), _outcome, 20),
)

# The fields ``COLUMNS`` read, and nothing more: a column that needs another
# field must add it here, or every row would cost a query of its own. The
# exchange is one too: the related manager hands each entry its exchange.
_ENTRY_FIELDS = (
    "exchange",
    "direction",
    "position",
    "priority_category",
    "outcome",
    "prisoner__surname",
    "prisoner__given_names",
    "prisoner__patronymic",
    "prisoner__date_of_birth",
    "prisoner__date_of_birth_accuracy",
    "prisoner__rank",
    "prisoner__service_number",
    "prisoner__unit",
    "prisoner__capture_date",
    "prisoner__party__name",
)

_DIRECTIONS = (Direction.RECEIVE, Direction.HAND_OVER)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _entries(exchange: Exchange) -> list[ExchangeEntry]:
    """The entries on the list, ours to receive first, each direction in list order, in one query."""
    direction_order = Case(
        *(When(direction=direction, then=Value(rank)) for rank, direction in enumerate(_DIRECTIONS)),
        output_field=IntegerField(),
    )
    return list(
        exchange.entries.exclude(outcome=EntryOutcome.WITHDRAWN)
        .select_related("prisoner", "prisoner__party")
        .only(*_ENTRY_FIELDS)
        .order_by(direction_order, "position", "pk")
    )


def _defused(text: str) -> str:
    """The text, with an apostrophe before it if a spreadsheet would take it for a formula."""
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def _csv_cell(value) -> str | int:
    if value is None:
        return ""
    if isinstance(value, int):
        return value
    if isinstance(value, PartialDate):
        return value.iso()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return _defused(str(value))


def _xlsx_value(value):
    """Full dates stay dates for sorting and filtering; a partial one is text, so it cannot pass for a day."""
    if value is None or isinstance(value, int | datetime.date):
        return value
    if isinstance(value, PartialDate):
        return value.iso()
    # openpyxl refuses control characters outright; a stray one must not cost the whole export.
    return _defused(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def _pdf_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, PartialDate):
        if value.month is None:
            return str(value.year)
        return formats.date_format(datetime.date(value.year, value.month, 1), "YEAR_MONTH_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def _filename(exchange: Exchange, extension: str) -> str:
    slug = slugify(exchange.title)[:80].strip("-")
    stem = f"exchange-{exchange.pk}-{slug}" if slug else f"exchange-{exchange.pk}"
    return f"{stem}.{extension}"


def _export_csv(exchange: Exchange, entries: list[ExchangeEntry]) -> bytes:
    """UTF-8 with a byte order mark: without it Excel reads the file in the local code page and garbles Cyrillic."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(column.label) for column in COLUMNS])
    writer.writerows([_csv_cell(column.value(entry)) for column in COLUMNS] for entry in entries)
    return buffer.getvalue().encode("utf-8-sig")


def _sheet_title(exchange: Exchange) -> str:
    # Excel's limits on a sheet's name; a leading or trailing apostrophe is refused too.
    title = _SHEET_TITLE_FORBIDDEN.sub("", exchange.title).strip().strip("'")[:31].strip()
    return title or _("Exchange %(id)s") % {"id": exchange.pk}


def _export_xlsx(exchange: Exchange, entries: list[ExchangeEntry]) -> bytes:
    """A write-only workbook, streamed row by row, so that a long list costs little memory or time."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(exchange))
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = round(column.pdf_width * 0.6, 1)
    bold = Font(bold=True)
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=str(column.label))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for entry in entries:
        sheet.append([_xlsx_value(column.value(entry)) for column in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_PDF_SIZE, _PDF_LEADING, _PDF_PADDING = 7, 8.5, 2
_PDF_MARGIN = 14 * mm


def _wrapped(text: str, font: str, width: float) -> str:
    """The text broken into lines that fit the cell, whole: the parties identify people by it, so nothing is cut.

    Plain strings, not a Paragraph per cell: a thousand rows of Paragraphs take
    seconds to lay out, and the list has nothing to style within a cell.
    """
    if stringWidth(text, font, _PDF_SIZE) <= width:
        return text
    lines = []
    for line in simpleSplit(text, font, _PDF_SIZE, width):
        # simpleSplit breaks at spaces only; a word wider than the cell is broken too, after a hyphen if it has one.
        while stringWidth(line, font, _PDF_SIZE) > width:
            fits = _fitting_length(line, font, width)
            hyphen = line.rfind("-", 0, fits)
            cut = hyphen + 1 if hyphen > 0 else fits
            lines.append(line[:cut])
            line = line[cut:]
        lines.append(line)
    return "\n".join(lines)


def _fitting_length(text: str, font: str, width: float) -> int:
    """How many of the text's first characters fit the width; at least one, so that breaking always advances."""
    used = 0.0
    for length, character in enumerate(text):
        used += stringWidth(character, font, _PDF_SIZE)
        if used > width:
            return max(length, 1)
    return len(text)


def _cut(text: str, font: str, width: float) -> str:
    """The text, shortened with an ellipsis if wider than ``width``: the running title, which page 1 gives in full."""
    if stringWidth(text, font, _PDF_SIZE) <= width:
        return text
    return f"{text[: _fitting_length(text, font, width - stringWidth('…', font, _PDF_SIZE))].rstrip()}…"


def _pdf_table(entries: list[ExchangeEntry]) -> Table:
    widths = [column.pdf_width * mm for column in COLUMNS]
    inner = [width - 2 * _PDF_PADDING for width in widths]
    rows = [[_wrapped(str(column.label), BOLD, room) for column, room in zip(COLUMNS, inner, strict=True)]]
    # Directions, outcomes, parties, ranks and dates repeat down the list: each is measured once.
    # The memo lives for one table, as the texts depend on the language of the export.
    wrapped: dict[tuple, str] = {}

    def cell(index: int, value) -> str:
        key = (index, value)
        if key not in wrapped:
            wrapped[key] = _wrapped(_pdf_text(value), FONT, inner[index])
        return wrapped[key]

    rows += [[cell(index, column.value(entry)) for index, column in enumerate(COLUMNS)] for entry in entries]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTNAME", (0, 0), (-1, 0), BOLD),
                ("FONTSIZE", (0, 0), (-1, -1), _PDF_SIZE),
                ("LEADING", (0, 0), (-1, -1), _PDF_LEADING),
                ("LEFTPADDING", (0, 0), (-1, -1), _PDF_PADDING),
                ("RIGHTPADDING", (0, 0), (-1, -1), _PDF_PADDING),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#c8cdd6")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f6")),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f7f8fa")]),
            ]
        )
    )
    return table


def _export_pdf(exchange: Exchange, entries: list[ExchangeEntry]) -> bytes:
    _fonts_registered()
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12)
    title = ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=15, leading=19, spaceAfter=2 * mm)
    heading = ParagraphStyle(
        "heading", parent=body, fontName=BOLD, fontSize=11, leading=14, spaceBefore=5 * mm, spaceAfter=2 * mm
    )
    by_direction = {
        direction: [entry for entry in entries if entry.direction == direction] for direction in _DIRECTIONS
    }

    story = [
        Paragraph(escape(exchange.title), title),
        Paragraph(escape(f"{exchange.our_party} — {exchange.other_party}"), body),
    ]
    if exchange.mediator_id:
        story.append(Paragraph(escape(_("Mediator: %(party)s") % {"party": exchange.mediator}), body))
    if exchange.planned_date:
        planned = formats.date_format(exchange.planned_date, "DATE_FORMAT")
        story.append(Paragraph(escape(_("Planned date: %(date)s") % {"date": planned}), body))
    counts = " · ".join(f"{direction.label}: {len(by_direction[direction])}" for direction in _DIRECTIONS)
    story.append(Paragraph(escape(counts), body))
    for direction in _DIRECTIONS:
        story.append(Paragraph(escape(str(direction.label)), heading))
        if by_direction[direction]:
            story.append(_pdf_table(by_direction[direction]))
        else:
            story.append(Paragraph(escape(_("None recorded.")), body))
    generated = formats.date_format(timezone.localtime(timezone.now()), "DATETIME_FORMAT")
    story += [Spacer(1, 4 * mm), Paragraph(escape(_("Generated by Homecoming: %(date)s") % {"date": generated}), body)]

    # Translated once here rather than on every page.
    confidential, running_title, page_label = _("Confidential"), exchange.title, _("Page %(number)s")
    page_width, page_height = landscape(A4)

    def decorate(canvas, document) -> None:
        """Each page says whose list it is and that it is confidential, should it be separated from the rest."""
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.drawString(_PDF_MARGIN, page_height - 9 * mm, _cut(running_title, FONT, page_width / 2))
        canvas.drawCentredString(page_width / 2, 7 * mm, page_label % {"number": document.page})
        canvas.setFont(BOLD, 8)
        canvas.setFillColor(colors.HexColor("#a31515"))
        canvas.drawRightString(page_width - _PDF_MARGIN, page_height - 9 * mm, confidential.upper())
        canvas.restoreState()

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=(page_width, page_height),
        leftMargin=_PDF_MARGIN,
        rightMargin=_PDF_MARGIN,
        topMargin=13 * mm,
        bottomMargin=12 * mm,
        title=exchange.title,
        author="Homecoming",
    )
    document.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


_BUILDERS = {
    "csv": (_export_csv, CSV_TYPE),
    "xlsx": (_export_xlsx, XLSX_TYPE),
    "pdf": (_export_pdf, PDF_TYPE),
}


def exchange_list_export(exchange: Exchange, fmt: str) -> tuple[bytes, str, str]:
    """The exchange's list in ``fmt`` (one of ``EXPORT_FORMATS``): the file's bytes, content type and name."""
    if fmt not in _BUILDERS:
        raise ValueError(f"Unknown export format {fmt!r}; expected one of {', '.join(EXPORT_FORMATS)}.")
    build, content_type = _BUILDERS[fmt]
    return build(exchange, _entries(exchange)), content_type, _filename(exchange, fmt)
