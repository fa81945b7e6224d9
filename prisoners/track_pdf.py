"""The printable submission: a record's GC III Art. 122 data, its evidence and its registration track, as a PDF.

Built with reportlab's platypus in the requesting user's language. The text
is set in DejaVu Sans (``core/fonts``), embedded in the file, so that
Cyrillic names print wherever the PDF is opened.
"""

import io
from pathlib import Path
from xml.sax.saxutils import escape

from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from prisoners.models import Prisoner, SubmissionStage

FONTS = Path(__file__).resolve().parent.parent / "core" / "fonts"
FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"

# The record's fields, section by section, in the order of Art. 17 and 122.
SECTIONS = (
    (
        "identity",
        (
            "surname",
            "given_names",
            "patronymic",
            "date_of_birth",
            "place_of_birth",
            "mothers_maiden_name",
            "citizenship",
            "party",
            "rank",
            "service_number",
            "unit",
            "military_status",
            "person_to_inform",
        ),
    ),
    ("capture", ("capture_date", "capture_place", "holding_party", "place_of_internment")),
    ("health", ("health_status", "health_notes", "repatriation_consent")),
    ("case", ("status", "status_changed_at")),
)


def _fonts_registered() -> None:
    """Register DejaVu Sans once per process; reportlab keeps registered fonts globally."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(TTFont(FONT, FONTS / "DejaVuSans.ttf"))
    pdfmetrics.registerFont(TTFont(BOLD, FONTS / "DejaVuSans-Bold.ttf"))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12)
    return {
        "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=15, leading=19, spaceAfter=3 * mm),
        "heading": ParagraphStyle(
            "heading", parent=body, fontName=BOLD, fontSize=11, leading=14, spaceBefore=5 * mm, spaceAfter=2 * mm
        ),
        "body": body,
        "label": ParagraphStyle("label", parent=body, textColor=colors.HexColor("#4a5160")),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8, leading=10, wordWrap="CJK"),
        "head": ParagraphStyle("head", parent=body, fontName=BOLD, fontSize=8, leading=10),
    }


def _text(value) -> str:
    """A value as the PDF shows it: dates in the reader's format, empty as a dash, markup escaped."""
    if value in (None, ""):
        return "—"
    if hasattr(value, "hour"):
        value = formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    elif hasattr(value, "year"):
        value = formats.date_format(value, "DATE_FORMAT")
    return escape(str(value))


def _field_value(prisoner: Prisoner, name: str):
    if name == "date_of_birth" and prisoner.date_of_birth:
        born = prisoner.date_of_birth
        accuracy = prisoner.date_of_birth_accuracy
        if accuracy == "year":
            return str(born.year)
        if accuracy == "month":
            return formats.date_format(born, "YEAR_MONTH_FORMAT")
        return born
    display = getattr(prisoner, f"get_{name}_display", None)
    if display is not None and getattr(prisoner, name):
        return display()
    return getattr(prisoner, name)


def _grid(rows: list[list], widths: list[float], styles, *, header: bool = True) -> Table:
    cell, head = styles["cell"], styles["head"]
    data = [
        [Paragraph(text, head if header and index == 0 else cell) for text in row] for index, row in enumerate(rows)
    ]
    table = Table(data, colWidths=widths, repeatRows=1 if header else 0)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#c8cdd6")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                *([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f6"))] if header else []),
            ]
        )
    )
    return table


def _section_titles() -> dict[str, str]:
    return {
        "identity": _("Identity (GC III Art. 17 and 122)"),
        "capture": _("Capture and internment"),
        "health": _("Health and repatriation"),
        "case": _("Case"),
    }


def submission_pdf_build(prisoner: Prisoner) -> bytes:
    """The PDF for ``prisoner``, whose name variants, evidence and submissions are prefetched."""
    _fonts_registered()
    styles = _styles()
    fields = {field.name: field for field in Prisoner._meta.fields}
    width = A4[0] - 30 * mm
    story = [
        Paragraph(_text(prisoner.full_name), styles["title"]),
        Paragraph(
            escape(_("Record no. %(id)s, prepared for submission to the authorities: %(date)s"))
            % {"id": prisoner.pk, "date": _text(timezone.localdate())},
            styles["body"],
        ),
    ]
    for section, names in SECTIONS:
        rows = [
            [escape(str(fields[name].verbose_name).capitalize()), _text(_field_value(prisoner, name))] for name in names
        ]
        story += [
            Paragraph(_section_titles()[section], styles["heading"]),
            _grid(rows, [55 * mm, width - 55 * mm], styles, header=False),
        ]

    variants = list(prisoner.name_variants.all())
    story.append(Paragraph(escape(_("Other spellings of the name")), styles["heading"]))
    if variants:
        rows = [[escape(_("Name")), escape(_("Script")), escape(_("Source")), escape(_("Note"))]]
        rows += [
            [
                _text(variant),
                _text(variant.get_script_display()),
                _text(variant.get_source_display()),
                _text(variant.note),
            ]
            for variant in variants
        ]
        story.append(_grid(rows, [60 * mm, 25 * mm, 35 * mm, width - 120 * mm], styles))
    else:
        story.append(Paragraph(escape(_("None recorded.")), styles["body"]))

    evidence = list(prisoner.evidence.all())
    story.append(Paragraph(escape(_("Evidence")), styles["heading"]))
    if evidence:
        rows = [[escape(_("Description")), escape(_("Kind")), escape(_("Link or file")), escape(_("Uploaded"))]]
        for item in evidence:
            if item.kind == "file":
                where = "<br/>".join(
                    (
                        _text(item.original_name or item.file.name),
                        escape(_("SHA-256:")),
                        # Small enough for the 64 digits to stay on one line, to be compared at a glance.
                        f'<font size="6.3">{escape(item.sha256)}</font>',
                        escape(_("Size: %(size)s") % {"size": filesizeformat(item.size)}),
                    )
                )
            else:
                where = _text(item.url)
            rows.append([_text(item.description), _text(item.get_kind_display()), where, _text(item.uploaded_at)])
        story.append(_grid(rows, [38 * mm, 12 * mm, width - 82 * mm, 32 * mm], styles))
    else:
        story.append(Paragraph(escape(_("None attached.")), styles["body"]))

    submissions = list(prisoner.submissions.all())
    story.append(Paragraph(escape(_("Submissions for registration")), styles["heading"]))
    if submissions:
        rows = [
            [
                escape(_("Sent to")),
                escape(_("Channel")),
                escape(_("Their reference")),
                escape(_("Submitted on")),
                escape(_("Stage")),
                escape(_("Answered on")),
            ]
        ]
        for submission in submissions:
            rows.append(
                [
                    _text(submission.get_authority_display()),
                    _text(submission.get_channel_display()),
                    _text(submission.reference),
                    _text(submission.submitted_on),
                    _text(SubmissionStage(submission.stage).label),
                    _text(submission.confirmed_on or submission.acknowledged_on),
                ]
            )
        story.append(_grid(rows, [38 * mm, 22 * mm, 30 * mm, 24 * mm, width - 138 * mm, 24 * mm], styles))
    else:
        story.append(Paragraph(escape(_("Not submitted yet.")), styles["body"]))
    story += [
        Spacer(1, 6 * mm),
        Paragraph(escape(_("Generated by Homecoming: %(date)s")) % {"date": _text(timezone.now())}, styles["label"]),
    ]

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=_("Prisoner record %(id)s") % {"id": prisoner.pk},
        author="Homecoming",
    )
    document.build(story)
    return buffer.getvalue()
