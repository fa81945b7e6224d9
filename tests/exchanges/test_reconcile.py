"""Reconciling the other side's list: reading the file, matching its rows, the coordinator's decisions."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import DomainError
from core.models import AuditEvent
from exchanges.counterparty import MAX_ROWS, MAX_UPLOAD_BYTES, counterparty_rows_read
from exchanges.models import (
    CounterpartyList,
    CounterpartyRow,
    Direction,
    ExchangeEntry,
    ExchangeStatus,
    MatchState,
    RowDecision,
)
from exchanges.reconcile import (
    counterparty_list_upload,
    counterparty_row_decide,
    reconcile_summary,
)
from exchanges.selectors import exchange_reconcile_pending
from prisoners.models import CaseStatus
from tests.factories import ExchangeEntryFactory, ExchangeFactory, PrisonerFactory


@pytest.fixture
def exchange(db):
    return ExchangeFactory()


@pytest.fixture
def chistiakov(exchange):
    """One of ours, held by the other side: the list of people we receive names him in Latin letters."""
    return _ours(exchange, "Чистяков", "Николай", "Петрович", datetime.date(1990, 5, 17))


def _ours(exchange, surname, given_names, patronymic="", date_of_birth=None, **fields):
    return PrisonerFactory(
        surname=surname,
        given_names=given_names,
        patronymic=patronymic,
        date_of_birth=date_of_birth,
        status=CaseStatus.REGISTERED,
        holding_party=exchange.other_party,
        **fields,
    )


def _csv(text: str, *, encoding: str = "utf-8", name: str = "list.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def _xlsx(rows: list[list]) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("list.xlsx", buffer.getvalue())


def _upload(exchange, upload, actor, direction=Direction.RECEIVE):
    return counterparty_list_upload(exchange=exchange, upload=upload, direction=direction, actor=actor)


def _refusal(upload) -> list[str]:
    with pytest.raises(DomainError) as caught:
        counterparty_rows_read(upload)
    assert caught.value.code == "counterparty_file_invalid"
    return caught.value.fields["file"]


# Reading the file


def test_it_reads_a_utf8_csv_with_a_bom_and_day_first_dates(db):
    rows = counterparty_rows_read(
        _csv("\ufeffSurname , Given Name,Date_of_Birth,Number\nChistiakov,  Mykola ,17.05.1990,AB 123456\n")
    )

    assert [(r.line, r.surname, r.given_name, r.date_of_birth, r.service_number) for r in rows] == [
        (2, "Chistiakov", "Mykola", "1990-05-17", "AB 123456")
    ]


@pytest.mark.parametrize("encoding", ["cp1251", "koi8_r"])
def test_it_reads_a_legacy_csv_with_a_russian_header(db, encoding):
    rows = counterparty_rows_read(
        _csv(
            "#;Фамилия;Имя;Отчество;Дата рождения;Личный номер\n1;Чистяков;Николай;Петрович;1990-05-17;АВ-1234\n",
            encoding=encoding,
        )
    )

    assert [(r.surname, r.given_name, r.patronymic, r.service_number) for r in rows] == [
        ("Чистяков", "Николай", "Петрович", "АВ-1234")
    ]


def test_it_reads_a_tab_separated_csv_with_a_ukrainian_header(db):
    rows = counterparty_rows_read(_csv("Прізвище\tІм’я\tПо батькові\nКовальчук\tАндрій\tІванович\n", encoding="cp1251"))

    assert [(r.surname, r.given_name, r.patronymic) for r in rows] == [("Ковальчук", "Андрій", "Іванович")]


def test_it_reads_an_xlsx_with_date_and_number_cells(db):
    rows = counterparty_rows_read(
        _xlsx(
            [
                ["№", "прізвище", "ім'я", "дата народження", "особистий номер"],
                [1, "Chistiakov", "Mykola", datetime.datetime(1990, 5, 17), 123456],
                [None, None, None, None, None],
                [2, "Kovalchuk", "Andrii", "1995", None],
            ]
        )
    )

    assert [(r.line, r.surname, r.date_of_birth, r.service_number) for r in rows] == [
        (2, "Chistiakov", "1990-05-17", "123456"),
        (4, "Kovalchuk", "1995", ""),
    ]


def test_it_refuses_an_unknown_column_and_lists_the_known_ones(db):
    (message,) = _refusal(_csv("surname,given_name,rank\nChistiakov,Mykola,private\n"))

    assert "“rank”" in message
    assert "прізвище" in message and "date of birth" in message


def test_it_refuses_a_header_without_a_given_name(db):
    (message,) = _refusal(_csv("surname,date of birth\nChistiakov,1990\n"))

    assert "given name" in message


def test_it_refuses_a_header_naming_a_field_twice(db):
    (message,) = _refusal(_csv("surname,фамилия,given name\nChistiakov,Чистяков,Mykola\n"))

    assert "surname" in message


def test_it_refuses_an_empty_file(db):
    assert "empty" in _refusal(_csv(""))[0]
    assert "no rows" in _refusal(_csv("surname,given_name\n\n"))[0]


@pytest.mark.parametrize(
    "data",
    [
        "surname,given_name\nЧистяков,Николай\n".encode("utf-16"),
        bytes(range(128, 256)) * 4,
    ],
    ids=["utf-16", "binary"],
)
def test_it_refuses_bytes_it_cannot_decode(db, data):
    (message,) = _refusal(SimpleUploadedFile("list.csv", data))

    assert "CSV UTF-8" in message


def test_it_refuses_a_file_that_is_not_csv_or_xlsx(db):
    assert ".xlsx" in _refusal(_csv("surname,given_name\nA,B\n", name="list.txt"))[0]


def test_it_refuses_an_xlsx_that_is_not_a_workbook(db):
    assert "Excel" in _refusal(SimpleUploadedFile("list.xlsx", b"surname,given_name\nA,B\n"))[0]
    assert "Excel" in _refusal(SimpleUploadedFile("list.xlsx", b"PK\x03\x04 not really a zip"))[0]


def test_it_refuses_a_file_too_big(db):
    upload = _csv("surname,given_name\n" + "Chistiakov,Mykola\n" * (MAX_UPLOAD_BYTES // 18 + 1))

    assert "5 MB" in _refusal(upload)[0]


def test_it_refuses_too_many_rows(db):
    upload = _csv("surname,given_name,number\n" + "".join(f"Chistiakov,Mykola,{n}\n" for n in range(MAX_ROWS + 1)))

    assert "5000" in _refusal(upload)[0]


def test_it_names_both_rows_of_a_repeated_person(db):
    messages = _refusal(
        _csv(
            "surname,given_name,patronymic,date_of_birth,service_number\n"
            "Chistiakov,Mykola,Petrovych,1990-05-17,\n"
            "Kovalchuk,Andrii,,,AB1\n"
            "  CHISTIAKOV ,Mykola,Petrovych,17.05.1990,\n"
            "Melnyk,Taras,,,ab-1\n"
        )
    )

    assert messages == [
        "Row 4 repeats row 2.",
        "Row 5 has the same personal or serial number as row 3.",
    ]


def test_it_names_every_bad_row_and_writes_nothing(exchange, cole):
    upload = _csv(
        "surname,given_name,date_of_birth\n"
        ",Mykola,\n"
        "Chistiakov,Mykola,1990-13-01\n"
        "Чиstяков,Николай,\n"
        "Kovalchuk,Andrii,\n"
    )

    with pytest.raises(DomainError) as caught:
        _upload(exchange, upload, cole)

    messages = caught.value.fields["file"]
    assert len(messages) == 3
    assert messages[0].startswith("Row 2, surname:")
    assert messages[1].startswith("Row 3, date of birth:")
    assert messages[2].startswith("Row 4, surname:") and "Cyrillic and Latin" in messages[2]
    assert (CounterpartyList.objects.count(), CounterpartyRow.objects.count(), AuditEvent.objects.count()) == (0, 0, 0)


def test_it_reports_at_most_twenty_errors(db):
    messages = _refusal(_csv("surname,given_name\n" + ",Mykola\n" * 30))

    assert len(messages) == 21
    assert messages[-1] == "… and 10 more."


# Uploading and matching


def test_it_matches_a_latin_transliteration_of_our_record(exchange, chistiakov, cole):
    counterparty_list = _upload(
        exchange, _csv("surname,given name,date of birth\nChistiakov,Mykola,17.05.1990\nDoe,John,1980-01-01\n"), cole
    )

    matched, unknown = counterparty_list.rows.order_by("line")
    assert (matched.line, matched.state, matched.candidate, matched.decision) == (
        2,
        MatchState.MATCHED,
        chistiakov,
        RowDecision.UNDECIDED,
    )
    assert matched.score >= 80 and "date of birth: same" in matched.reasons
    assert (unknown.state, unknown.candidate, unknown.score, unknown.reasons) == (MatchState.NOT_FOUND, None, 0, [])
    assert (counterparty_list.direction, counterparty_list.uploaded_by, counterparty_list.original_name) == (
        Direction.RECEIVE,
        cole,
        "list.csv",
    )
    assert not ExchangeEntry.objects.exists()
    event = AuditEvent.objects.get(action="exchange.counterparty_list_uploaded")
    assert event.changes == {
        "list": counterparty_list.pk,
        "direction": "receive",
        "rows": 2,
        "matched": 1,
        "uncertain": 0,
        "not_found": 1,
    }


def test_it_is_uncertain_without_a_confirming_date(exchange, chistiakov, cole):
    counterparty_list = _upload(exchange, _csv("surname,given_name\nChistiakov,Mykola\n"), cole)

    row = counterparty_list.rows.get()
    assert (row.state, row.candidate) == (MatchState.UNCERTAIN, chistiakov)


def test_it_is_uncertain_between_two_records_that_both_fit(exchange, chistiakov, cole):
    _ours(exchange, "Чистяков", "Николай", "Петрович", datetime.date(1990, 5, 17))

    row = _upload(exchange, _csv("surname,given_name,date_of_birth\nChistiakov,Mykola,1990-05-17\n"), cole).rows.get()

    assert row.state == MatchState.UNCERTAIN


def test_it_is_uncertain_when_two_rows_match_one_record(exchange, chistiakov, cole):
    counterparty_list = _upload(
        exchange,
        _csv(
            "surname,given_name,patronymic,date_of_birth\n"
            "Chistiakov,Mykola,,1990-05-17\n"
            "Chistyakov,Nikolai,Petrovich,1990-05-17\n"
        ),
        cole,
    )

    assert {(row.state, row.candidate) for row in counterparty_list.rows.all()} == {(MatchState.UNCERTAIN, chistiakov)}


def test_it_reads_an_xlsx_upload_in_the_hand_over_direction(exchange, cole):
    theirs = PrisonerFactory(
        surname="Бережной",
        given_names="Николай",
        date_of_birth=datetime.date(1988, 2, 3),
        status=CaseStatus.REGISTERED,
        party=exchange.other_party,
        holding_party=exchange.our_party,
    )

    counterparty_list = _upload(
        exchange,
        _xlsx([["Фамилия", "Имя", "Дата рождения"], ["Berezhnoi", "Nikolai", datetime.datetime(1988, 2, 3)]]),
        cole,
        direction=Direction.HAND_OVER,
    )

    row = counterparty_list.rows.get()
    assert (counterparty_list.direction, row.state, row.candidate) == (
        Direction.HAND_OVER,
        MatchState.MATCHED,
        theirs,
    )


def test_it_refuses_a_list_for_a_closed_exchange(cole):
    exchange = ExchangeFactory(status=ExchangeStatus.COMPLETED)

    with pytest.raises(DomainError) as caught:
        _upload(exchange, _csv("surname,given_name\nChistiakov,Mykola\n"), cole)

    assert caught.value.code == "exchange_closed"
    assert not CounterpartyList.objects.exists()


def test_it_refuses_an_unknown_direction(exchange, cole):
    with pytest.raises(DomainError):
        _upload(exchange, _csv("surname,given_name\nChistiakov,Mykola\n"), cole, direction="sideways")

    assert not CounterpartyList.objects.exists()


def test_it_runs_a_bounded_number_of_queries_per_row(exchange, cole, django_assert_max_num_queries):
    people = [("Чистяков", "Николай"), ("Ковальчук", "Андрей"), ("Мельник", "Тарас"), ("Остапенко", "Юрий")]
    for number, (surname, given) in enumerate(people):
        _ours(exchange, surname, given, date_of_birth=datetime.date(1980 + number, 1, 2))
    latin = ["Chistiakov,Mykola", "Kovalchuk,Andrii", "Melnyk,Taras", "Ostapenko,Yurii", "Doe,John"]
    rows = [f"{name},{1980 + n}-01-02" for n, name in enumerate(latin * 4)]
    # Every row a different person to the file, by date of birth.
    rows = [f"{row[:-2]}{n + 10:02d}" for n, row in enumerate(rows)]

    # A search asks at most two questions, each in a savepoint of its own and
    # the wider one after setting its trigram threshold: seven statements.
    with django_assert_max_num_queries(len(rows) * 7 + 10) as captured:
        counterparty_list = _upload(exchange, _csv("surname,given_name,date_of_birth\n" + "\n".join(rows)), cole)

    searching = ("SAVEPOINT", "RELEASE SAVEPOINT", "SELECT set_config", "SELECT id, external_ref")
    own = [query["sql"] for query in captured.captured_queries if not query["sql"].lstrip().startswith(searching)]
    assert len(own) <= 10
    assert counterparty_list.rows.count() == len(rows)


# Deciding the rows


def _matched_row(exchange, actor):
    upload = _csv("surname,given_name,date_of_birth\nChistiakov,Mykola,1990-05-17\nMelnyk,Taras,1985-03-04\n")
    return _upload(exchange, upload, actor).rows.get(line=2)


def test_it_confirms_a_match_and_puts_him_on_the_list(exchange, chistiakov, cole):
    row = counterparty_row_decide(row=_matched_row(exchange, cole), decision=RowDecision.CONFIRMED, actor=cole)

    row.refresh_from_db()
    assert (row.decision, row.prisoner, row.decided_by) == (RowDecision.CONFIRMED, chistiakov, cole)
    assert row.decided_at is not None
    entry = ExchangeEntry.objects.get()
    assert (entry.exchange, entry.prisoner, entry.direction) == (exchange, chistiakov, Direction.RECEIVE)
    event = AuditEvent.objects.get(action="exchange.counterparty_row_decided")
    assert event.changes == {
        "list": row.counterparty_list_id,
        "row": 2,
        "decision": {"old": "", "new": "confirmed"},
        "prisoner": {"old": None, "new": chistiakov.pk},
        "entry_added": True,
    }


def test_it_confirms_someone_already_on_the_list_without_adding_him_again(exchange, chistiakov, cole):
    ExchangeEntryFactory(exchange=exchange, prisoner=chistiakov, direction=Direction.RECEIVE)

    counterparty_row_decide(row=_matched_row(exchange, cole), decision=RowDecision.CONFIRMED, actor=cole)

    assert ExchangeEntry.objects.count() == 1


def test_it_refuses_someone_on_the_list_in_the_other_direction(exchange, chistiakov, cole):
    ExchangeEntryFactory(exchange=exchange, prisoner=chistiakov, direction=Direction.HAND_OVER)
    row = _matched_row(exchange, cole)

    with pytest.raises(DomainError) as caught:
        counterparty_row_decide(row=row, decision=RowDecision.CONFIRMED, actor=cole)

    assert caught.value.code == "direction_conflict"
    row.refresh_from_db()
    assert row.decision == RowDecision.UNDECIDED


def test_it_refuses_to_confirm_a_row_without_a_match(exchange, chistiakov, cole):
    row = _matched_row(exchange, cole).counterparty_list.rows.get(line=3)

    with pytest.raises(DomainError) as caught:
        counterparty_row_decide(row=row, decision=RowDecision.CONFIRMED, actor=cole)

    assert caught.value.code == "no_candidate"


def test_it_corrects_a_row_to_the_person_the_coordinator_chose(exchange, chistiakov, cole):
    melnyk = _ours(exchange, "Мельник", "Тарас", date_of_birth=datetime.date(1985, 4, 3))
    row = _matched_row(exchange, cole).counterparty_list.rows.get(line=3)

    counterparty_row_decide(row=row, decision=RowDecision.CORRECTED, actor=cole, prisoner=melnyk)

    row.refresh_from_db()
    assert (row.decision, row.prisoner) == (RowDecision.CORRECTED, melnyk)
    assert ExchangeEntry.objects.get().prisoner == melnyk


def test_it_refuses_a_correction_without_a_person(exchange, chistiakov, cole):
    with pytest.raises(DomainError) as caught:
        counterparty_row_decide(row=_matched_row(exchange, cole), decision=RowDecision.CORRECTED, actor=cole)

    assert caught.value.code == "prisoner_required"


def test_it_refuses_a_person_another_row_already_names(exchange, chistiakov, cole):
    first = _matched_row(exchange, cole)
    counterparty_row_decide(row=first, decision=RowDecision.CONFIRMED, actor=cole)
    second = first.counterparty_list.rows.get(line=3)
    events = AuditEvent.objects.count()

    with pytest.raises(DomainError) as caught:
        counterparty_row_decide(row=second, decision=RowDecision.CORRECTED, actor=cole, prisoner=chistiakov)

    assert caught.value.code == "prisoner_named_twice"
    assert "Row 2" in caught.value.message
    second.refresh_from_db()
    assert (second.decision, second.prisoner) == (RowDecision.UNDECIDED, None)
    assert AuditEvent.objects.count() == events


def test_it_passes_on_the_exchanges_refusal_and_records_nothing(exchange, chistiakov, cole):
    # He is on another open exchange's list: this one cannot take him.
    ExchangeEntryFactory(exchange=ExchangeFactory(), prisoner=chistiakov)
    row = _matched_row(exchange, cole)
    events = AuditEvent.objects.count()

    with pytest.raises(DomainError) as caught:
        counterparty_row_decide(row=row, decision=RowDecision.CONFIRMED, actor=cole)

    assert caught.value.code == "already_in_open_exchange"
    row.refresh_from_db()
    assert (row.decision, row.prisoner, row.decided_by) == (RowDecision.UNDECIDED, None, None)
    assert not ExchangeEntry.objects.filter(exchange=exchange).exists()
    assert AuditEvent.objects.count() == events


def test_it_keeps_the_entry_when_a_confirmed_row_is_re_decided_as_not_ours(exchange, chistiakov, cole):
    row = _matched_row(exchange, cole)
    counterparty_row_decide(row=row, decision=RowDecision.CONFIRMED, actor=cole)

    row = counterparty_row_decide(row=row, decision=RowDecision.NOT_OURS, actor=cole)

    row.refresh_from_db()
    assert (row.decision, row.prisoner) == (RowDecision.NOT_OURS, None)
    assert ExchangeEntry.objects.get().prisoner == chistiakov


@pytest.mark.parametrize("decision", [RowDecision.UNDECIDED, "maybe"])
def test_it_refuses_an_unknown_or_empty_decision(exchange, chistiakov, cole, decision):
    with pytest.raises(DomainError) as caught:
        counterparty_row_decide(row=_matched_row(exchange, cole), decision=decision, actor=cole)

    assert caught.value.code == "invalid_decision"


def test_it_refuses_decisions_once_the_exchange_is_closed(exchange, chistiakov, cole):
    row = _matched_row(exchange, cole)
    type(exchange).objects.filter(pk=exchange.pk).update(status=ExchangeStatus.CANCELLED)

    with pytest.raises(DomainError) as caught:
        counterparty_row_decide(row=row, decision=RowDecision.NOT_OURS, actor=cole)

    assert caught.value.code == "exchange_closed"


# Summary and what is left to decide


def test_it_sums_up_a_list_in_one_query(exchange, chistiakov, cole, django_assert_num_queries):
    row = _matched_row(exchange, cole)
    counterparty_row_decide(row=row, decision=RowDecision.CONFIRMED, actor=cole)

    with django_assert_num_queries(1):
        summary = reconcile_summary(row.counterparty_list)

    assert summary == {
        "total": 2,
        "states": {"matched": 1, "uncertain": 0, "not_found": 1},
        "decisions": {"confirmed": 1, "corrected": 0, "not_ours": 0},
        "undecided": 1,
    }


def test_it_counts_the_undecided_rows_of_the_latest_list(exchange, chistiakov, cole):
    assert exchange_reconcile_pending(exchange) == 0
    older = _matched_row(exchange, cole)
    assert exchange_reconcile_pending(exchange) == 2

    latest = _upload(exchange, _csv("surname,given_name\nMelnyk,Taras\n"), cole)
    assert exchange_reconcile_pending(exchange) == 1

    counterparty_row_decide(row=latest.rows.get(), decision=RowDecision.NOT_OURS, actor=cole)
    assert exchange_reconcile_pending(exchange) == 0
    assert older.counterparty_list.rows.filter(decision="").count() == 2
