"""``manage.py import_prisoners``: a CSV list into the record, row by row, never half-written."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.audit import audit_chain_verify
from core.models import AuditEvent
from prisoners.imports import prisoners_import
from prisoners.matching.keys import surname_key
from prisoners.models import HealthStatus, MatchCandidate, MilitaryStatus, Prisoner, StatusChange
from prisoners.tasks import match_prisoners
from tests.factories import OpposingPartyFactory, PartyFactory, PrisonerFactory

HEADER = "surname,given_name,patronymic,date_of_birth,service_number,unit,external_ref"


@pytest.fixture
def party(db):
    return PartyFactory(code="fr", name="Fictional Republic")


def _csv(tmp_path, *lines: str, encoding: str = "utf-8", name: str = "list.csv"):
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def _import(path, *args: str) -> str:
    """The command's report; a ``CommandError`` carries the report written before it in ``.output``."""
    out = io.StringIO()
    try:
        call_command("import_prisoners", str(path), *args, stdout=out)
    except CommandError as error:
        error.output = out.getvalue()
        raise
    return out.getvalue()


def _reported_lines(output: str) -> dict[str, str]:
    """The report's line for each line of the file it names: {"line 3": "line 3: failed: …"}."""
    return {line.split(":", 1)[0]: line for line in output.splitlines() if line.startswith("line ")}


def _counts() -> tuple[int, int, int]:
    return Prisoner.objects.count(), StatusChange.objects.count(), AuditEvent.objects.count()


def _imported_lines(source: str = "") -> dict[int, int]:
    """{record id: line} as the audit trail names them: one event per written batch of ``source``."""
    events = AuditEvent.objects.filter(action="prisoners.imported", target_type="prisoners.import", target_id=source)
    return {int(record): line for event in events for record, line in event.changes["records"].items()}


# A file that imports


def test_it_imports_each_row_with_a_status_change_and_an_audit_event(tmp_path, party):
    path = _csv(
        tmp_path,
        HEADER,
        "Чистяков,Кирилл,Юрьевич,1990-05-17,АВ-100001,72nd brigade,R-1",
        "Zaretsky,Oleh,,1988-02,,,R-2",
        "  Melnyk , Taras  Ivan ,,1979,,,R-3",
    )

    output = _import(path, "--party", "fr", "--source", "Fictional list 7")

    assert "3 created, 0 updated, 0 skipped, 0 failed" in output
    kirill = Prisoner.objects.get(external_ref="R-1")
    assert (kirill.surname, kirill.given_names, kirill.patronymic) == ("Чистяков", "Кирилл", "Юрьевич")
    assert (kirill.date_of_birth, kirill.date_of_birth_accuracy) == (datetime.date(1990, 5, 17), "day")
    assert (kirill.service_number, kirill.unit, kirill.party) == ("АВ-100001", "72nd brigade", party)
    assert kirill.import_source == "Fictional list 7"
    oleh = Prisoner.objects.get(external_ref="R-2")
    assert (oleh.date_of_birth, oleh.date_of_birth_accuracy) == (datetime.date(1988, 2, 1), "month")
    taras = Prisoner.objects.get(external_ref="R-3")
    assert (taras.surname, taras.given_names) == ("Melnyk", "Taras Ivan")
    assert (taras.date_of_birth, taras.date_of_birth_accuracy) == (datetime.date(1979, 1, 1), "year")
    for prisoner in (kirill, oleh, taras):
        assert list(prisoner.status_changes.values_list("old_status", "new_status", "source")) == [
            ("", "reported", "official_list")
        ]
    assert _imported_lines("Fictional list 7") == {kirill.pk: 2, oleh.pk: 3, taras.pk: 4}
    assert audit_chain_verify() is None


def test_it_reads_a_utf8_file_that_excel_saved_with_a_byte_order_mark(tmp_path, party):
    path = _csv(tmp_path, "surname,given_name", "Бережной,Николай", encoding="utf-8-sig")

    output = _import(path, "--party", "fr")

    assert "1 created" in output
    assert Prisoner.objects.get().surname == "Бережной"


def test_it_sets_other_record_fields_named_in_the_header(tmp_path, party):
    holder = OpposingPartyFactory()
    path = _csv(
        tmp_path,
        "surname,given_name,rank,place_of_birth,capture_date,holding_party,military_status,"
        "health_status,person_to_inform,health_notes",
        f"Ostapenko,Yurii,sergeant,Fictionville,2025-03-02,{holder.code},{MilitaryStatus.CONTRACT},"
        f'{HealthStatus.WOUNDED},"Fictional Mother, 1 Test Street",Left arm',
    )

    _import(path, "--party", "fr")

    prisoner = Prisoner.objects.get()
    assert (prisoner.rank, prisoner.place_of_birth) == ("sergeant", "Fictionville")
    assert prisoner.capture_date == datetime.date(2025, 3, 2)
    assert prisoner.holding_party == holder
    assert (prisoner.military_status, prisoner.health_status) == (MilitaryStatus.CONTRACT, HealthStatus.WOUNDED)
    assert (prisoner.person_to_inform, prisoner.health_notes) == ("Fictional Mother, 1 Test Street", "Left arm")


def test_it_leaves_a_field_at_its_default_when_its_cell_is_empty(tmp_path, party):
    path = _csv(tmp_path, "surname,given_name,health_status,repatriation_consent,military_status", "Ostapenko,Yurii,,,")

    _import(path, "--party", "fr")

    prisoner = Prisoner.objects.get()
    assert (prisoner.health_status, prisoner.repatriation_consent) == (HealthStatus.UNKNOWN, "unknown")
    assert prisoner.military_status == MilitaryStatus.UNKNOWN


def test_it_takes_the_party_from_a_column_when_the_file_has_one(tmp_path, party):
    other = PartyFactory(code="fr2", name="Fictional Republic Two")
    path = _csv(tmp_path, "surname,given_name,party", "Zaretsky,Oleh,fr2", "Melnyk,Taras,")

    _import(path, "--party", "fr")

    assert Prisoner.objects.get(surname="Zaretsky").party == other
    assert Prisoner.objects.get(surname="Melnyk").party == party


def test_it_writes_a_long_list_in_batches_with_a_whole_audit_chain(tmp_path, party):
    # Enough rows for the COPY path of core.bulk, in more than one batch.
    rows = [f"Fictional{n:03d},Taras,,1980-01-{n % 28 + 1:02d},SN-{n:05d},,L-{n}" for n in range(130)]
    path = _csv(tmp_path, HEADER, *rows)

    report = prisoners_import(path, party=party, source="Long list", batch_size=60)

    assert report.count("created") == 130
    assert _counts()[:2] == (130, 130)
    assert sorted(_imported_lines("Long list").values()) == list(range(2, 132))
    last = Prisoner.objects.get(external_ref="L-129")
    assert (last.surname_key, last.service_number_key) == (surname_key("Fictional129"), "sn00129")
    assert audit_chain_verify() is None


# Bad rows


def test_it_reports_each_bad_row_by_line_and_field_and_imports_the_good_ones(tmp_path, party):
    path = _csv(
        tmp_path,
        HEADER,
        "Zaretsky,Oleh,,1990-05-17,,,",  # line 2: good
        ",Oleh,,,,,",  # 3: no surname
        "Melnyk,   ,,,,,",  # 4: whitespace given name
        "Ivаnov,Petro,,,,,",  # 5: a Cyrillic а in a Latin surname
        "Ostapenko,Yurii,,1850-01-01,,,",  # 6: born before 1900
        "Ostapenko,Yurii,,2999-01-01,,,",  # 7: born in the future
        "Ostapenko,Yurii,,1990-02-30,,,",  # 8: no such day
        "Ostapenko,Yurii,,17.05.1990,,,",  # 9: not the date format
        "Ostapenko,Yurii,,,",  # 10: ragged
        "Бережной,Николай,,1985,,,",  # 11: good
        "---,Yurii,,,,,",  # 12: no letters in the surname
        "Ostapenko,Yu\x00rii,,,,,",  # 13: a NUL, as a UTF-16 file has them
    )

    with pytest.raises(CommandError, match="10 rows were not imported") as refused:
        _import(path, "--party", "fr")

    assert "2 created, 0 updated, 0 skipped, 10 failed" in refused.value.output
    lines = _reported_lines(refused.value.output)
    assert "surname" in lines["line 3"] and "empty" in lines["line 3"]
    assert "given_name" in lines["line 4"] and "empty" in lines["line 4"]
    assert "surname" in lines["line 5"] and "Cyrillic and Latin" in lines["line 5"]
    assert "date_of_birth" in lines["line 6"] and "1900" in lines["line 6"]
    assert "date_of_birth" in lines["line 7"] and "future" in lines["line 7"]
    assert "date_of_birth" in lines["line 8"] and "no such day" in lines["line 8"]
    assert "date_of_birth" in lines["line 9"] and "YYYY-MM-DD" in lines["line 9"]
    assert "5 fields" in lines["line 10"] and "7" in lines["line 10"]
    assert "surname" in lines["line 12"] and "letters" in lines["line 12"]
    assert "given_name" in lines["line 13"] and "NUL" in lines["line 13"]
    assert "line 2" not in lines and "line 11" not in lines
    assert sorted(Prisoner.objects.values_list("surname", flat=True)) == ["Zaretsky", "Бережной"]
    assert _counts()[:2] == (2, 2)
    assert sorted(_imported_lines().values()) == [2, 11]
    assert audit_chain_verify() is None


def test_it_fails_a_row_with_a_value_the_field_does_not_allow(tmp_path, party):
    path = _csv(
        tmp_path,
        "surname,given_name,health_status,rank,capture_date",
        "Ostapenko,Yurii,great,,",
        f"Melnyk,Taras,,{'x' * 101},",
        "Zaretsky,Oleh,,,2999-01-01",
        "Бережной,Николай,,,",
    )

    with pytest.raises(CommandError, match="3 rows were not imported") as refused:
        _import(path, "--party", "fr")

    lines = _reported_lines(refused.value.output)
    assert "health_status" in lines["line 2"]
    assert "rank" in lines["line 3"] and "100" in lines["line 3"]
    assert "capture_date" in lines["line 4"] and "future" in lines["line 4"]
    assert list(Prisoner.objects.values_list("surname", flat=True)) == ["Бережной"]


def test_it_fails_every_row_of_a_file_without_a_party(tmp_path, party):
    path = _csv(tmp_path, "surname,given_name", "Zaretsky,Oleh", "Melnyk,Taras")

    with pytest.raises(CommandError) as refused:
        _import(path)

    lines = _reported_lines(refused.value.output)
    assert "party" in lines["line 2"] and "--party" in lines["line 3"]
    assert _counts() == (0, 0, 0)


def test_it_fails_a_row_naming_a_party_that_does_not_exist(tmp_path, party):
    path = _csv(tmp_path, "surname,given_name,party", "Zaretsky,Oleh,nowhere", "Melnyk,Taras,fr")

    with pytest.raises(CommandError) as refused:
        _import(path)

    assert "nowhere" in _reported_lines(refused.value.output)["line 2"]
    assert list(Prisoner.objects.values_list("surname", flat=True)) == ["Melnyk"]


def test_it_fails_the_row_whose_service_number_the_party_already_has(tmp_path, party):
    PrisonerFactory(party=party, surname="Ostapenko", given_names="Yurii", service_number="SN-1")
    elsewhere = PartyFactory(code="fr2", name="Fictional Republic Two")
    before = _counts()
    path = _csv(
        tmp_path,
        "surname,given_name,service_number,party",
        "Zaretsky,Oleh,SN-1,",  # line 2: taken in fr
        "Melnyk,Taras,SN-2,",
        "Бережной,Николай,SN-1,fr2",  # another party's SN-1
    )

    with pytest.raises(CommandError, match="1 rows were not imported") as refused:
        _import(path, "--party", "fr")

    line = _reported_lines(refused.value.output)["line 2"]
    assert "service_number" in line and "already recorded" in line
    assert Prisoner.objects.get(surname="Melnyk").service_number == "SN-2"
    assert Prisoner.objects.get(surname="Бережной").party == elsewhere
    assert not Prisoner.objects.filter(surname="Zaretsky").exists()
    assert _counts()[:2] == (before[0] + 2, before[1] + 2)


def test_it_fails_a_row_that_repeats_an_earlier_row_of_the_file(tmp_path, party):
    path = _csv(
        tmp_path,
        HEADER,
        "Zaretsky,Oleh,,,SN-1,,R-1",
        "Melnyk,Taras,,,SN-2,,R-1",  # line 3: R-1 again
        "Ostapenko,Yurii,,,SN-1,,R-3",  # line 4: SN-1 again
        "Бережной,Николай,,,SN-5,,R-5",
    )

    with pytest.raises(CommandError) as refused:
        _import(path, "--party", "fr", "--source", "Fictional list 7")

    lines = _reported_lines(refused.value.output)
    assert "external_ref" in lines["line 3"] and "line 2" in lines["line 3"]
    assert "service_number" in lines["line 4"] and "line 2" in lines["line 4"]
    assert sorted(Prisoner.objects.values_list("external_ref", flat=True)) == ["R-1", "R-5"]


def test_it_fails_only_the_row_the_database_refuses(tmp_path, party, monkeypatch):
    # A record written by someone else between the import's checks and its insert.
    from prisoners.imports import _Importer

    PrisonerFactory(party=party, surname="Ostapenko", given_names="Yurii", service_number="SN-7")
    before = _counts()
    monkeypatch.setattr(_Importer, "_taken_service_numbers", lambda self, rows: set())
    rows = [f"Fictional{n:03d},Taras,,,SN-{n},," for n in range(60)]
    path = _csv(tmp_path, HEADER, *rows)

    with pytest.raises(CommandError, match="1 rows were not imported") as refused:
        _import(path, "--party", "fr")

    assert "line 9" in _reported_lines(refused.value.output)  # SN-7
    assert _counts()[:2] == (before[0] + 59, before[1] + 59)
    assert not Prisoner.objects.filter(surname="Fictional007").exists()
    assert audit_chain_verify() is None


# Files refused as a whole


def test_it_refuses_a_file_that_is_not_utf8_and_writes_nothing(tmp_path, party):
    path = tmp_path / "windows.csv"
    path.write_bytes("surname,given_name\nZaretsky,Oleh\nЧистяков,Кирилл\n".encode("cp1251"))

    with pytest.raises(CommandError, match="Line 3 is not UTF-8") as refused:
        _import(path, "--party", "fr")

    assert "UTF-8" in str(refused.value)
    assert _counts() == (0, 0, 0)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("surname,given_name,nickname", "Unknown columns in the header: nickname"),
        ("Surname,Given name", "Unknown columns in the header: Surname, Given name"),
        ("surname,patronymic", "lacks required columns: given_name"),
        ("surname,given_name,surname", "named twice in the header: surname"),
        ("", "empty"),
    ],
)
def test_it_refuses_a_file_whose_header_it_cannot_read_and_writes_nothing(tmp_path, party, header, message):
    path = _csv(tmp_path, header, "Zaretsky,Oleh,Ivanovich")

    with pytest.raises(CommandError, match=message):
        _import(path, "--party", "fr")

    assert _counts() == (0, 0, 0)


def test_it_refuses_a_party_that_does_not_exist(tmp_path, party):
    path = _csv(tmp_path, "surname,given_name", "Zaretsky,Oleh")

    with pytest.raises(CommandError, match="nowhere"):
        _import(path, "--party", "nowhere")

    assert _counts() == (0, 0, 0)


def test_it_refuses_a_file_that_is_not_there(tmp_path, party):
    with pytest.raises(CommandError, match="No such file"):
        _import(tmp_path / "missing.csv", "--party", "fr")


# Importing the same list again


def test_it_skips_every_row_when_the_same_file_is_imported_again(tmp_path, party):
    path = _csv(tmp_path, HEADER, "Zaretsky,Oleh,,1990-05-17,SN-1,,R-1", "Melnyk,Taras,,,,,R-2")
    _import(path, "--party", "fr", "--source", "Fictional list 7")
    before = _counts()

    output = _import(path, "--party", "fr", "--source", "Fictional list 7")

    assert "0 created, 0 updated, 2 skipped, 0 failed" in output
    lines = _reported_lines(output)
    assert "skipped" in lines["line 2"] and "unchanged" in lines["line 2"]
    assert _counts() == before


def test_it_checks_an_unchanged_list_again_in_the_same_few_queries_however_long(tmp_path, party):
    def queries_to_import_again(rows: int) -> int:
        path = _csv(tmp_path, HEADER, *(f"Fictional,Taras,,,,,R-{n}" for n in range(rows)), name=f"{rows}.csv")
        _import(path, "--party", "fr", "--source", f"Fictional list {rows}")
        with CaptureQueriesContext(connection) as queries:
            _import(path, "--party", "fr", "--source", f"Fictional list {rows}")
        return len(queries)

    assert queries_to_import_again(40) == queries_to_import_again(5)


def test_it_skips_rows_without_an_external_ref_already_imported_from_the_source(tmp_path, party):
    path = _csv(tmp_path, "surname,given_name,date_of_birth,service_number", "Zaretsky,Oleh,1990-05-17,SN-1")
    _import(path, "--party", "fr", "--source", "Fictional list 7")
    before = _counts()

    output = _import(path, "--party", "fr", "--source", "Fictional list 7")

    assert "0 created, 0 updated, 1 skipped, 0 failed" in output
    assert "already imported" in _reported_lines(output)["line 2"]
    assert _counts() == before


def test_it_updates_a_record_whose_row_changed_and_says_what_changed(tmp_path, party):
    _import(_csv(tmp_path, HEADER, "Zaretsky,Oleh,,1990,SN-1,3rd company,R-1"), "--party", "fr", "--source", "FL")
    prisoner = Prisoner.objects.get()
    changed = _csv(tmp_path, HEADER, "Zaretsky,Oleh,,1990-05-17,SN-1,72nd brigade,R-1", name="changed.csv")

    output = _import(changed, "--party", "fr", "--source", "FL")

    assert "0 created, 1 updated, 0 skipped, 0 failed" in output
    line = _reported_lines(output)["line 2"]
    assert "updated" in line and "unit" in line and "date_of_birth" in line
    prisoner.refresh_from_db()
    assert prisoner.unit == "72nd brigade"
    assert (prisoner.date_of_birth, prisoner.date_of_birth_accuracy) == (datetime.date(1990, 5, 17), "day")
    assert prisoner.version == 2
    assert Prisoner.objects.count() == 1
    assert AuditEvent.objects.filter(action="prisoner.updated", target_id=str(prisoner.pk)).count() == 1
    assert audit_chain_verify() is None


def test_it_fails_an_update_to_a_service_number_another_record_holds(tmp_path, party):
    PrisonerFactory(party=party, surname="Ostapenko", given_names="Yurii", service_number="SN-9")
    _import(_csv(tmp_path, HEADER, "Zaretsky,Oleh,,,SN-1,,R-1"), "--party", "fr", "--source", "FL")
    changed = _csv(tmp_path, HEADER, "Zaretsky,Oleh,,,SN-9,,R-1", name="changed.csv")

    with pytest.raises(CommandError) as refused:
        _import(changed, "--party", "fr", "--source", "FL")

    line = _reported_lines(refused.value.output)["line 2"]
    assert "failed" in line and "service_number" in line and "already recorded" in line
    assert Prisoner.objects.get(external_ref="R-1").service_number == "SN-1"


def test_it_imports_the_same_external_ref_from_another_source_as_another_record(tmp_path, party):
    path = _csv(tmp_path, HEADER, "Zaretsky,Oleh,,,,,R-1")
    _import(path, "--party", "fr", "--source", "Fictional list 7")

    output = _import(path, "--party", "fr", "--source", "Fictional list 8")

    assert "1 created" in output
    assert Prisoner.objects.filter(external_ref="R-1").count() == 2


# Outside a caller's transaction, as the command runs in production, batches are written in a thread of their own.


@pytest.mark.django_db(transaction=True)
def test_it_writes_batches_in_their_own_transactions(tmp_path, monkeypatch):
    from prisoners.imports import _Importer

    party = PartyFactory(code="fr", name="Fictional Republic")
    PrisonerFactory(party=party, surname="Ostapenko", given_names="Yurii", service_number="SN-7")
    kirill = PrisonerFactory(
        party=party, surname="Chistyakov", given_names="Kirill", date_of_birth=datetime.date(1990, 5, 17)
    )
    # SN-7 is written by someone else after the import looked: the database refuses that row alone.
    monkeypatch.setattr(_Importer, "_taken_service_numbers", lambda self, rows: set())
    rows = [f"Fictional{n:03d},Taras,,,SN-{n},," for n in range(70)]
    path = _csv(tmp_path, HEADER, *rows, "Чистяков,Кирилл,,1990-05-17,,,", "Ivаnov,Petro,,,,,")

    report = prisoners_import(
        path, party=party, source="Fictional list 9", batch_size=25, on_written=match_prisoners.delay
    )

    assert report.count("created") == 70
    assert [row.line for row in report.failed] == [9, 73]
    assert Prisoner.objects.count() == 2 + 70
    assert StatusChange.objects.count() == 70
    assert sorted(_imported_lines("Fictional list 9").values()) == [line for line in range(2, 73) if line != 9]
    assert audit_chain_verify() is None
    imported = Prisoner.objects.get(surname="Чистяков")
    assert list(MatchCandidate.objects.filter(prisoner=imported).values_list("candidate_id", flat=True)) == [kirill.pk]
    assert not Prisoner.objects.filter(import_source="Fictional list 9", matched_at__isnull=True).exists()
