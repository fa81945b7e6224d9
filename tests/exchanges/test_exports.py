"""Exporting an exchange's list for the negotiating parties: CSV, XLSX and PDF."""

import codecs
import csv
import datetime
import io
import re

import openpyxl
import pytest
from django.utils import translation
from reportlab.pdfbase.pdfmetrics import stringWidth

from exchanges.exports import EXPORT_FORMATS, _wrapped, exchange_list_export
from exchanges.models import Direction, EntryOutcome
from exchanges.priority import ART_110
from prisoners.models import DateAccuracy
from prisoners.track_pdf import FONT, _fonts_registered
from tests.factories import ExchangeEntryFactory, ExchangeFactory, MediatorPartyFactory, PrisonerFactory

HEADER = [
    "No.",
    "Direction",
    "Surname",
    "Given names",
    "Patronymic",
    "Date of birth",
    "Rank",
    "Personal or serial number",
    "Unit",
    "Party served",
    "Date of capture",
    "Priority",
    "Outcome",
]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def exchange(db):
    return ExchangeFactory(title="Spring exchange 2026", planned_date=datetime.date(2026, 4, 1))


def _entry(exchange, *, position, direction=Direction.RECEIVE, **prisoner):
    return ExchangeEntryFactory(
        exchange=exchange, position=position, direction=direction, prisoner=PrisonerFactory(**prisoner)
    )


def _csv_rows(exchange) -> list[list[str]]:
    content, _, _ = exchange_list_export(exchange, "csv")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _xlsx_rows(exchange) -> list[tuple]:
    content, _, _ = exchange_list_export(exchange, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return list(sheet.iter_rows(values_only=True))


def _page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def test_it_writes_a_header_and_cyrillic_names_to_csv(exchange):
    _entry(exchange, position=1, surname="Ковальчук", given_names="Андрій", patronymic="Петрович")

    content, content_type, filename = exchange_list_export(exchange, "csv")

    assert content.startswith(codecs.BOM_UTF8)
    assert content_type == "text/csv; charset=utf-8"
    assert filename == f"exchange-{exchange.pk}-spring-exchange-2026.csv"
    header, row = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert header == HEADER
    assert row == [
        "1",
        "We receive",
        "Ковальчук",
        "Андрій",
        "Петрович",
        "1990-05-17",
        "",
        "",
        "",
        "Fictional Republic",
        "2025-03-02",
        "",
        "Pending",
    ]


def test_it_translates_the_headers_and_choices_into_the_active_language(exchange):
    _entry(exchange, position=1)

    with translation.override("uk"):
        header, row = _csv_rows(exchange)

    assert "Прізвище" in header
    assert row[1] == "Отримуємо"
    assert row[-1] == "Очікує"


def test_it_leaves_withdrawn_entries_out(exchange):
    _entry(exchange, position=1, surname="Kept")
    ExchangeEntryFactory(
        exchange=exchange,
        position=2,
        prisoner=PrisonerFactory(surname="Withdrawn"),
        outcome=EntryOutcome.WITHDRAWN,
        holds_prisoner=False,
    )

    assert [row[2] for row in _csv_rows(exchange)[1:]] == ["Kept"]
    assert [row[2] for row in _xlsx_rows(exchange)[1:]] == ["Kept"]


def test_it_lists_whom_we_receive_first_then_whom_we_hand_over_each_in_list_order(exchange):
    _entry(exchange, position=2, direction=Direction.HAND_OVER, surname="Hand over second")
    _entry(exchange, position=2, surname="Receive second")
    _entry(exchange, position=1, direction=Direction.HAND_OVER, surname="Hand over first")
    _entry(exchange, position=1, surname="Receive first")

    expected = ["Receive first", "Receive second", "Hand over first", "Hand over second"]
    assert [row[2] for row in _csv_rows(exchange)[1:]] == expected
    assert [row[2] for row in _xlsx_rows(exchange)[1:]] == expected


def test_it_leaves_out_contacts_health_notes_and_internment(exchange):
    _entry(
        exchange,
        position=1,
        person_to_inform="Mother, 1 Test Street",
        health_notes="Shrapnel wound, left leg",
        place_of_internment="Camp Test-7",
    )
    secrets = ("Mother", "Test Street", "Shrapnel", "Camp Test-7")

    csv_text = exchange_list_export(exchange, "csv")[0].decode("utf-8-sig")
    xlsx_cells = " ".join(str(value) for row in _xlsx_rows(exchange) for value in row if value is not None)

    assert _csv_rows(exchange)[0] == HEADER
    assert _xlsx_rows(exchange)[0] == tuple(HEADER)
    for secret in secrets:
        assert secret not in csv_text
        assert secret not in xlsx_cells


@pytest.mark.parametrize("text", ['=HYPERLINK("http://evil.test","x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd"])
def test_it_defuses_cells_a_spreadsheet_would_take_for_a_formula(exchange, text):
    _entry(exchange, position=1, unit=text)

    assert _csv_rows(exchange)[1][8] == f"'{text}"
    assert _xlsx_rows(exchange)[1][8] == f"'{text}"


@pytest.mark.parametrize(
    ("accuracy", "in_csv", "in_xlsx"),
    [
        (DateAccuracy.YEAR, "1990", "1990"),
        (DateAccuracy.MONTH, "1990-05", "1990-05"),
        (DateAccuracy.DAY, "1990-05-17", datetime.datetime(1990, 5, 17)),
    ],
)
def test_it_shows_a_date_of_birth_only_as_precisely_as_it_is_known(exchange, accuracy, in_csv, in_xlsx):
    _entry(exchange, position=1, date_of_birth=datetime.date(1990, 5, 17), date_of_birth_accuracy=accuracy)

    assert _csv_rows(exchange)[1][5] == in_csv
    assert _xlsx_rows(exchange)[1][5] == in_xlsx


def test_it_marks_art_110_priority(exchange):
    ExchangeEntryFactory(exchange=exchange, position=1, priority_category=ART_110)
    ExchangeEntryFactory(exchange=exchange, position=2, priority_category="")

    assert [row[11] for row in _csv_rows(exchange)[1:]] == ["Art. 110", ""]


def test_it_writes_one_sheet_named_for_the_exchange_with_a_bold_header(db):
    exchange = ExchangeFactory(title="Exchange [north]: list 3/4 * draft? with a very long name")
    _entry(exchange, position=1, capture_date=datetime.date(2025, 3, 2))

    content, content_type, filename = exchange_list_export(exchange, "xlsx")

    assert content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert filename.endswith(".xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["Exchange north list 34  draft w"]
    sheet = workbook.active
    assert all(cell.font.bold for cell in sheet[1])
    assert not sheet["A2"].font.bold
    assert sheet["K2"].value == datetime.datetime(2025, 3, 2)
    assert sheet["K2"].is_date


def test_it_names_the_file_by_number_alone_when_the_title_has_no_latin_letters(db):
    exchange = ExchangeFactory(title="Обмін весна")

    assert exchange_list_export(exchange, "pdf")[2] == f"exchange-{exchange.pk}.pdf"


def test_it_sets_the_pdf_in_dejavu_over_several_pages(exchange):
    exchange.mediator = MediatorPartyFactory()
    exchange.save()
    for position in range(1, 201):
        _entry(exchange, position=position, surname="Ковальчук-Бережной-Заріцький" * (position % 3 + 1))

    content, content_type, filename = exchange_list_export(exchange, "pdf")

    assert content.startswith(b"%PDF")
    assert content_type == "application/pdf"
    assert filename == f"exchange-{exchange.pk}-spring-exchange-2026.pdf"
    assert b"DejaVuSans" in content
    assert b"DejaVuSans-Bold" in content
    assert _page_count(content) > 1


def test_it_wraps_a_long_name_in_the_pdf_without_cutting_any_of_it():
    _fonts_registered()
    name = "Бережной-Заріцький-Ковальчук Олександр-Вольдемар Наймаксимальніший"

    lines = _wrapped(name, FONT, 60).split("\n")

    assert len(lines) > 2
    assert all(stringWidth(line, FONT, 7) <= 60 for line in lines)
    assert "".join(lines).replace(" ", "") == name.replace(" ", "")


def test_it_builds_a_pdf_for_an_empty_list(exchange):
    content, _, _ = exchange_list_export(exchange, "pdf")

    assert content.startswith(b"%PDF")
    assert _page_count(content) == 1


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_it_reads_the_list_in_a_constant_number_of_queries(exchange, fmt, django_assert_max_num_queries):
    exchange.mediator = MediatorPartyFactory()
    exchange.save()
    for position in range(1, 41):
        _entry(exchange, position=position, direction=Direction.RECEIVE if position % 2 else Direction.HAND_OVER)

    # One for the entries; the PDF's title names the two parties and the mediator.
    with django_assert_max_num_queries(4):
        exchange_list_export(exchange, fmt)


def test_it_refuses_an_unknown_format(exchange):
    with pytest.raises(ValueError, match="docx"):
        exchange_list_export(exchange, "docx")
