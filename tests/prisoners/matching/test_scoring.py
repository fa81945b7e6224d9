"""Scoring a stored person against a query: the right person high, brothers and namesakes not."""

import pytest

from prisoners.matching.dates import PartialDate
from prisoners.matching.keys import given_name_key, patronymic_key, surname_key
from prisoners.matching.scoring import PersonQuery, PersonRecord, score

KIRILL = {"surname": "Чистяков", "given_name": "Кирилл", "patronymic": "Юрьевич", "date_of_birth": "1990-03-05"}
# Same surname and father, born three years later.
BROTHER = {"surname": "Чистяков", "given_name": "Олег", "patronymic": "Юрьевич", "date_of_birth": "1993-07-21"}
# Same surname and given name, another father and birthday.
NAMESAKE = {"surname": "Чистяков", "given_name": "Кирилл", "patronymic": "Андреевич", "date_of_birth": "1987-11-02"}
STRANGER = {"surname": "Коваленко", "given_name": "Тарас", "patronymic": "Іванович", "date_of_birth": "1990-03-05"}


def _date(text: str) -> PartialDate | None:
    return PartialDate(*map(int, text.split("-"))) if text else None


def record(person: dict, *, service_number: str = "", unit: str = "") -> PersonRecord:
    return PersonRecord(
        surname_key=surname_key(person["surname"]),
        given_name_key=given_name_key(person["given_name"]),
        patronymic_key=patronymic_key(person["patronymic"]),
        date_of_birth=_date(person["date_of_birth"]),
        service_number=service_number,
        unit=unit,
    )


def query(surname, given_name, patronymic="", date_of_birth="", **more) -> PersonQuery:
    return PersonQuery(surname, given_name, patronymic, _date(date_of_birth), **more)


def assert_in_band(scored):
    low, high = {"high": (80, 100), "medium": (50, 79), "low": (0, 49)}[scored.confidence]
    assert low <= scored.score <= high


@pytest.mark.parametrize(
    ("surname", "given_name", "patronymic"),
    [
        ("Чистяков", "Кирилл", "Юрьевич"),
        ("Чистяков", "Кирило", "Юрійович"),
        ("Chistiakov", "Kirill", "Iurevich"),
        ("Chystiakov", "Kyrylo", "Yuriiovych"),
        ("Tschistjakow", "Kirill", "Jurjewitsch"),
        ("Chistyakov", "Kiril", "Yurievich"),
    ],
)
def test_it_rates_the_same_person_high_in_any_spelling(surname, given_name, patronymic):
    scored = score(query(surname, given_name, patronymic, "1990-03-05"), record(KIRILL))

    assert scored.confidence == "high"
    assert scored.score >= 90
    assert_in_band(scored)


def test_it_says_why():
    scored = score(query("Chystiakov", "Kyrylo", "Yuriiovych", "1990-03-05"), record(KIRILL))

    assert scored.reasons == [
        "surname: same after transliteration",
        "given name: another form of the same name (Russian, Ukrainian or Latin)",
        "patronymic: same father's name",
        "date of birth: same",
    ]


def test_it_rates_a_brother_low():
    scored = score(query("Чистяков", "Кирилл", "Юрьевич", "1990-03-05"), record(BROTHER))

    assert scored.confidence == "low"
    assert "given name: different" in scored.reasons
    assert "date of birth: different" in scored.reasons


def test_it_rates_a_namesake_low_when_the_dates_differ():
    scored = score(query("Чистяков", "Кирилл", "Юрьевич", "1990-03-05"), record(NAMESAKE))

    assert scored.confidence == "low"
    assert "patronymic: different" in scored.reasons


def test_it_pulls_identical_names_down_when_the_year_of_birth_conflicts():
    scored = score(query("Чистяков", "Кирилл", "Юрьевич", "1979-03-05"), record(KIRILL))

    assert scored.confidence == "low"
    assert scored.score < 50


def test_it_ranks_the_right_person_above_relatives_and_strangers_without_a_date():
    people = {"kirill": KIRILL, "brother": BROTHER, "namesake": NAMESAKE, "stranger": STRANGER}
    searched = query("Chistyakov", "Kirill", "Yurievich")

    scores = {name: score(searched, record(person)) for name, person in people.items()}

    assert max(scores, key=lambda name: scores[name].score) == "kirill"
    assert scores["kirill"].confidence == "medium"
    assert scores["namesake"].score < scores["kirill"].score
    assert scores["stranger"].confidence == "low"


def test_it_never_rates_a_name_alone_high():
    scored = score(query("Чистяков", "Кирилл", "Юрьевич"), record(KIRILL))

    assert scored.confidence == "medium"
    assert "date of birth: missing in the query" in scored.reasons


def test_it_finds_surname_and_given_name_swapped():
    scored = score(query("Kirill", "Chistiakov", "Yurievich", "1990-03-05"), record(KIRILL))

    assert scored.confidence == "high"
    assert scored.reasons[0] == "surname and given name swapped"


def test_it_does_without_a_patronymic_on_either_side():
    without_in_query = score(query("Chistiakov", "Kirill", "", "1990-03-05"), record(KIRILL))
    without_in_record = score(
        query("Chistiakov", "Kirill", "Yurievich", "1990-03-05"), record(KIRILL | {"patronymic": ""})
    )

    assert without_in_query.confidence == without_in_record.confidence == "high"
    assert "patronymic: missing in the query" in without_in_query.reasons
    assert "patronymic: not recorded" in without_in_record.reasons


@pytest.mark.parametrize(
    ("surname", "given_name", "reason"),
    [
        ("Chistiakiv", "Kirill", "surname: one letter different"),
        ("Cistiakov", "Kirill", "surname: one letter different"),
        ("Chistiakov", "Kirull", "given name: one letter different"),
        ("Chistiakov", "Kyrylp", "given name: one letter different"),  # a typo in the Ukrainian form
    ],
)
def test_it_forgives_a_typo_when_the_date_confirms(surname, given_name, reason):
    scored = score(query(surname, given_name, "Yurievich", "1990-03-05"), record(KIRILL))

    assert scored.confidence == "high"
    assert reason in scored.reasons


@pytest.mark.parametrize(
    ("date_of_birth", "confidence", "reason"),
    [
        ("1990-03-05", "high", "date of birth: same"),
        ("1990-05-03", "high", "date of birth: day and month swapped"),
        ("1990-03", "medium", "date of birth: same year and month"),
        ("1990", "medium", "date of birth: same year only"),
        ("1990-03-07", "medium", "date of birth: same year and month, different day"),
        ("1980-03-05", "medium", "date of birth: same day and month, one digit of the year different"),
        ("1990-08-17", "low", "date of birth: different"),
        ("1991-03-05", "medium", "date of birth: same day and month, one digit of the year different"),
        ("1993-07-21", "low", "date of birth: different"),
    ],
)
def test_it_weighs_full_partial_and_swapped_dates(date_of_birth, confidence, reason):
    scored = score(query("Chistiakov", "Kirill", "Yurievich", date_of_birth), record(KIRILL))

    assert scored.confidence == confidence
    assert reason in scored.reasons
    assert_in_band(scored)


def test_it_allows_a_year_one_apart_when_only_the_year_is_known():
    scored = score(query("Chistiakov", "Kirill", "Yurievich", "1991"), record(KIRILL))

    assert scored.confidence == "medium"
    assert "date of birth: years one apart" in scored.reasons


def test_it_takes_the_same_service_number_as_confirmation():
    scored = score(
        query("Chistiakov", "Kirill", "Yurievich", service_number="ab 123-456"),
        record(KIRILL, service_number="АВ-123456"),
    )

    assert scored.confidence == "high"
    assert "service number: same" in scored.reasons


def test_it_does_not_rate_high_against_a_different_service_number():
    scored = score(
        query("Chistiakov", "Kirill", "Yurievich", "1990-03-05", service_number="AB-999111"),
        record(KIRILL, service_number="AB-123456"),
    )

    assert scored.confidence == "low"
    assert "service number: different" in scored.reasons


def test_it_counts_the_unit_as_weak_evidence():
    searched = query("Chistiakov", "Kirill", "Yurievich", unit="в/ч 12345")
    with_unit = score(searched, record(KIRILL, unit="В/Ч-12345"))
    without_unit = score(searched, record(KIRILL))

    assert "unit: same or similar" in with_unit.reasons
    assert with_unit.score > without_unit.score
    assert with_unit.confidence == "medium"


def test_it_rates_a_stranger_with_the_same_birthday_low():
    scored = score(query("Chistiakov", "Kirill", "Yurievich", "1990-03-05"), record(STRANGER))

    assert scored.confidence == "low"
    assert "surname: different" in scored.reasons
