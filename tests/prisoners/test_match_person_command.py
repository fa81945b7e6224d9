"""``manage.py match_person``: the likeliest records of one person, best first, through the trigram index."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from prisoners.models import CaseStatus
from tests.factories import PrisonerFactory

KEYS = {
    "prisoner_id",
    "external_ref",
    "surname",
    "given_name",
    "patronymic",
    "date_of_birth",
    "score",
    "confidence",
    "reasons",
}


def _match(*args: str) -> list[dict]:
    out = io.StringIO()
    call_command("match_person", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def _kirill(**overrides):
    fields = {
        "surname": "Chistyakov",
        "given_names": "Kirill",
        "patronymic": "Yurievich",
        "date_of_birth": datetime.date(1990, 5, 17),
        "external_ref": "FL-17",
    }
    return PrisonerFactory(**{**fields, **overrides})


def test_it_finds_a_latin_record_from_a_cyrillic_query(db):
    kirill = _kirill()
    PrisonerFactory(surname="Zaretsky", given_names="Oleh")

    found = _match(
        "--surname", "Чистяков", "--given-name", "Кирилл", "--patronymic", "Юрьевич", "--date-of-birth", "1990-05-17"
    )

    assert [candidate["prisoner_id"] for candidate in found] == [kirill.pk]
    [best] = found
    assert set(best) == KEYS
    assert best["external_ref"] == "FL-17"
    assert (best["surname"], best["given_name"], best["patronymic"]) == ("Chistyakov", "Kirill", "Yurievich")
    assert best["date_of_birth"] == "1990-05-17"
    assert best["confidence"] == "high"
    assert 80 <= best["score"] <= 100
    assert "date of birth: same" in best["reasons"]


def test_it_finds_a_cyrillic_record_from_a_latin_query(db):
    record = PrisonerFactory(
        surname="Ковальчук",
        given_names="Андрей",
        date_of_birth=datetime.date(1995, 1, 9),
        date_of_birth_accuracy="month",
    )

    [best] = _match("--surname", "Kovalchuk", "--given-name", "Andriy", "--date-of-birth", "1995-01")

    assert best["prisoner_id"] == record.pk
    assert best["confidence"] == "medium"
    assert best["date_of_birth"] == "1995-01"


def test_it_ranks_the_namesake_born_on_another_day_below_the_person(db):
    namesake = _kirill(date_of_birth=datetime.date(1984, 11, 2), external_ref="FL-1")
    kirill = _kirill(external_ref="FL-2")

    found = _match("--surname", "Chistyakov", "--given-name", "Kirill", "--date-of-birth", "1990-05-17")

    assert [candidate["prisoner_id"] for candidate in found] == [kirill.pk, namesake.pk]
    assert [candidate["confidence"] for candidate in found] == ["high", "low"]
    assert found[0]["score"] > found[1]["score"]


def test_it_confirms_a_misspelt_name_by_its_service_number(db):
    record = PrisonerFactory(surname="Ostapenko", given_names="Yurii", service_number="АВ 123456", date_of_birth=None)

    [best] = _match("--surname", "Ostapenco", "--given-name", "Yuri", "--service-number", "ab-123456")

    assert best["prisoner_id"] == record.pk
    assert best["confidence"] == "high"
    assert "service number: same" in best["reasons"]


def test_it_never_proposes_a_merged_record(db):
    survivor = _kirill(external_ref="FL-2")
    _kirill(external_ref="FL-1", status=CaseStatus.MERGED, merged_into=survivor)

    found = _match("--surname", "Chistyakov", "--given-name", "Kirill")

    assert [candidate["prisoner_id"] for candidate in found] == [survivor.pk]


def test_it_returns_at_most_limit_candidates(db):
    for number in range(4):
        _kirill(external_ref=f"FL-{number}")

    assert len(_match("--surname", "Chistyakov", "--given-name", "Kirill", "--limit", "2")) == 2


def test_it_prints_an_empty_list_when_nothing_is_alike(db):
    _kirill()

    assert _match("--surname", "Melnyk", "--given-name", "Taras") == []


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        (["--surname", "", "--given-name", "Kirill"], "surname", "Enter the surname"),
        (["--surname", "   ", "--given-name", "Kirill"], "surname", "Enter the surname"),
        (["--surname", "Chistyakov", "--given-name", " "], "given_name", "Enter the given name"),
        (["--surname", "Ivаnov", "--given-name", "Petro"], "surname", "mixes Cyrillic and Latin"),
        (["--surname", "Ivanov", "--given-name", "Petro", "--patronymic", "Petrоvich"], "patronymic", "mixes"),
        (["--surname", "Ivanov", "--given-name", "Petro", "--date-of-birth", "1850-01-01"], "date_of_birth", "1900"),
        (["--surname", "Ivanov", "--given-name", "Petro", "--date-of-birth", "2999"], "date_of_birth", "future"),
        (["--surname", "Ivanov", "--given-name", "Petro", "--date-of-birth", "1990-13"], "date_of_birth", "month"),
        (["--surname", "Ivanov", "--given-name", "Petro", "--date-of-birth", "yesterday"], "date_of_birth", "YYYY"),
    ],
)
def test_it_refuses_a_query_it_cannot_search_for_naming_the_field(db, args, field, message):
    with pytest.raises(CommandError) as refused:
        _match(*args)

    assert f"{field}:" in str(refused.value)
    assert message in str(refused.value)


@pytest.mark.parametrize("limit", ["0", "101"])
def test_it_refuses_a_limit_out_of_range(db, limit):
    with pytest.raises(CommandError, match="--limit"):
        _match("--surname", "Chistyakov", "--given-name", "Kirill", "--limit", limit)


def test_it_prints_one_line_per_candidate_without_json(db):
    kirill = _kirill()
    out = io.StringIO()

    call_command("match_person", "--surname", "Чистяков", "--given-name", "Кирилл", stdout=out)

    first = out.getvalue().splitlines()[0]
    assert f"#{kirill.pk}" in first
    assert "Chistyakov Kirill Yurievich" in first
