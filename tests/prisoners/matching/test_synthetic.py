"""The fictional test data for name matching: people, namesakes and brothers, and the ways lists spell them."""

import csv
import datetime
import re
from collections import Counter

import pytest

from prisoners.matching import synthetic
from prisoners.matching.synthetic import (
    ABSENT_KINDS,
    CSV_HEADER,
    DATE_KINDS,
    VARIANT_KINDS,
    Person,
    absent_queries,
    iter_pool,
    iter_pool_with_relations,
    pool,
    transliterate,
    variant_queries,
    write_csv,
)

CHISTYAKOV = Person(
    external_ref="SYN-9000001",
    surname="Чистяков",
    given_name="Кирилл",
    patronymic="Юрьевич",
    date_of_birth=datetime.date(1990, 5, 7),
    service_number="ТЕ-0000001",
    unit="условная часть «Ясень-1»",
    language="ru",
)


@pytest.fixture(scope="module")
def people():
    return pool(6_000, seed=11)


@pytest.fixture(scope="module")
def queries(people):
    return variant_queries(people, 60, seed=5)


def _by_ref(people):
    return {person.external_ref: person for person in people}


def _osa_distance(a: str, b: str) -> int:
    """Edits (substitution, insertion, deletion, transposition of neighbours) between two words."""
    rows = [list(range(len(b) + 1))] + [[i] + [0] * len(b) for i in range(1, len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return rows[len(a)][len(b)]


# The pool


def test_it_gives_the_same_people_and_queries_for_the_same_seed(people):
    again = pool(6_000, seed=11)

    assert again == people
    assert pool(200, seed=12) != people[:200]
    assert variant_queries(again, 10, seed=3) == variant_queries(people, 10, seed=3)
    assert absent_queries(again, 30, seed=3) == absent_queries(people, 30, seed=3)
    assert variant_queries(people, 10, seed=4) != variant_queries(people, 10, seed=3)


def test_it_fills_every_field(people):
    refs = [person.external_ref for person in people]

    assert refs[:2] == ["SYN-0000000", "SYN-0000001"]
    assert len(set(refs)) == len(people)
    assert len({person.service_number for person in people}) == len(people)
    for person in people:
        assert person.language in ("ru", "uk")
        assert person.surname and person.given_name and person.patronymic
        assert re.fullmatch(r"[А-ЯЁЇІЄҐ][а-яёїієґ']+", person.surname), person
        assert re.fullmatch(r"[А-ЯЁ]{2}-\d{7}", person.service_number), person
        assert person.unit.startswith(("условная часть «", "умовна частина «"))
        assert datetime.date(1962, 1, 1) <= person.date_of_birth <= datetime.date(2006, 12, 31)


def test_it_writes_each_record_in_its_own_language(people):
    ukrainian_only = re.compile("[іїєґ']")
    russian_only = re.compile("[ёыэъ]")

    for person in people:
        name = f"{person.surname} {person.given_name} {person.patronymic}".lower()
        if person.language == "ru":
            assert not ukrainian_only.search(name), person
        else:
            assert not russian_only.search(name), person
    assert 0.4 < sum(person.language == "uk" for person in people) / len(people) < 0.6


def test_it_makes_namesakes_and_brothers_in_the_configured_shares():
    generated = list(iter_pool_with_relations(20_000, seed=2, namesake_share=0.12, brother_share=0.08))
    people = _by_ref(person for person, _relation in generated)
    shares = Counter(relation.kind for _person, relation in generated)

    assert shares["namesake"] / len(generated) == pytest.approx(0.12, abs=0.01)
    assert shares["brother"] / len(generated) == pytest.approx(0.08, abs=0.01)
    for person, relation in generated:
        if relation.kind == "fresh":
            assert relation.relative_ref is None
            continue
        relative = people[relation.relative_ref]
        assert relative.external_ref < person.external_ref
        assert (person.surname, person.language) == (relative.surname, relative.language)
        assert person.date_of_birth != relative.date_of_birth
        if relation.kind == "namesake":
            assert person.given_name == relative.given_name
            assert person.patronymic != relative.patronymic
        else:
            assert person.patronymic == relative.patronymic
            assert person.given_name != relative.given_name
            years_apart = abs((person.date_of_birth - relative.date_of_birth).days) / 365.25
            assert 1 <= years_apart <= 8.01


def test_it_makes_no_relatives_when_told_not_to():
    generated = iter_pool_with_relations(3_000, seed=2, namesake_share=0, brother_share=0)

    assert {relation.kind for _person, relation in generated} == {"fresh"}


def test_it_draws_common_names_more_often_than_rare_ones(people):
    surnames = Counter(synthetic._name_in(person, "ru")[0] for person in people)
    given_names = Counter(synthetic._name_in(person, "ru")[1] for person in people)

    assert surnames["Иванов"] > 10 * surnames["Ястребов"]
    assert given_names.most_common(1)[0][0] == "Александр"
    assert len(surnames) > 1_000


def test_some_people_are_women_with_feminine_surnames_and_patronymics(people):
    women = [person for person in people if person.patronymic.endswith("на")]

    assert 0.02 < len(women) / len(people) < 0.07
    for woman in women:
        assert not woman.surname.endswith(("ов", "ев", "ин", "ский", "ський")), woman


def test_the_name_lists_are_long_enough_and_leave_out_famous_names():
    assert len(synthetic._MALE_NAMES) >= 80
    assert len(synthetic._RUSSIAN_SURNAMES) + len(synthetic._UKRAINIAN_SURNAMES) >= 300
    catalogue = synthetic._SURNAMES_RU_ORIGIN + synthetic._SURNAMES_UK_ORIGIN
    assert len(catalogue) > 2_000
    forms = {form for surname in catalogue for form in (surname.ru, surname.uk)}
    assert not forms & set(synthetic._FAMOUS_SURNAMES)


def test_every_spelling_leads_back_to_its_name_in_the_other_language():
    for surname in synthetic._SURNAMES_RU_ORIGIN + synthetic._SURNAMES_UK_ORIGIN:
        for language in ("ru", "uk"):
            for female in (False, True):
                found, found_female = synthetic._SURNAME_BY_FORM[(language, surname.form(language, female=female))]
                for other in ("ru", "uk"):
                    assert found.form(other, female=found_female) == surname.form(other, female=female)
    for given in synthetic._MALE_GIVEN:
        for language in ("ru", "uk"):
            assert synthetic._GIVEN_BY_FORM[(language, given.form(language))] is given
            for female in (False, True):
                assert synthetic._FATHER_BY_PATRONYMIC[(language, given.patronymic(language, female=female))] is given


@pytest.mark.parametrize(
    ("father", "language", "female", "patronymic"),
    [
        ("Пётр", "ru", True, "Петровна"),
        ("Пётр", "uk", True, "Петрівна"),
        ("Юрий", "ru", False, "Юрьевич"),
        ("Юрий", "uk", False, "Юрійович"),
        ("Николай", "uk", False, "Миколайович"),
        ("Николай", "uk", True, "Миколаївна"),
        ("Алексей", "uk", False, "Олексійович"),
        ("Илья", "ru", False, "Ильич"),
        ("Илья", "ru", True, "Ильинична"),
        ("Илья", "uk", False, "Ілліч"),
        ("Никита", "ru", False, "Никитич"),
        ("Кузьма", "ru", True, "Кузьминична"),
        ("Василий", "uk", True, "Васильївна"),
    ],
)
def test_patronymics_follow_each_language(father, language, female, patronymic):
    assert synthetic._GIVEN_BY_FORM[("ru", father)].patronymic(language, female=female) == patronymic


@pytest.mark.parametrize(
    ("russian", "ukrainian"),
    [
        ("Никитин", "Нікітін"),
        ("Егоров", "Єгоров"),
        ("Ильин", "Ільїн"),
        ("Семёнов", "Семенов"),
        ("Журавлёв", "Журавльов"),
        ("Соловьёв", "Соловйов"),
        ("Афанасьев", "Афанасьєв"),
        ("Покровский", "Покровський"),
        ("Чистяков", "Чистяков"),
        ("Шишкин", "Шишкін"),
    ],
)
def test_a_russian_surname_takes_ukrainian_spelling(russian, ukrainian):
    assert synthetic._ukrainian_spelling(russian) == ukrainian


@pytest.mark.parametrize(
    ("ukrainian", "russian"),
    [
        ("Поліщук", "Полищук"),
        ("Ковальов", "Ковалёв"),
        ("Лук'яненко", "Лукьяненко"),
        ("Заїченко", "Заиченко"),
        ("Гордієнко", "Гордиенко"),
        ("Головатий", "Головатый"),
        ("Осадчий", "Осадчий"),
        ("Олійник", "Олейник"),
    ],
)
def test_a_ukrainian_surname_takes_russian_spelling(ukrainian, russian):
    assert synthetic._russian_spelling(ukrainian) == russian


def test_it_streams_a_hundred_thousand_people():
    refs = set()
    for person in iter_pool(100_000, seed=1):
        refs.add(person.external_ref)

    assert len(refs) == 100_000


# Transliteration


@pytest.mark.parametrize(
    ("scheme", "language", "cyrillic", "latin"),
    [
        ("icao_9303", "ru", "Чистяков Кирилл Юрьевич", "Chistiakov Kirill Iurevich"),
        ("gost_7_79", "ru", "Чистяков Кирилл Юрьевич", "Chistyakov Kirill Yur`evich"),
        ("bgn_pcgn", "ru", "Чистяков Кирилл Юрьевич", "Chistyakov Kirill Yurʹyevich"),
        ("scientific", "ru", "Чистяков Кирилл Юрьевич", "Čistjakov Kirill Jurʹevič"),
        ("informal", "ru", "Чистяков Кирилл Юрьевич", "Chistyakov Kirill Yurevich"),
        ("german", "ru", "Чистяков Кирилл Юрьевич", "Tschistjakow Kirill Jurjewitsch"),
        ("french", "ru", "Чистяков Кирилл Юрьевич", "Tchistiakov Kirill Iourievitch"),
        ("ukrainian_2010", "uk", "Чистяков Кирило Юрійович", "Chystiakov Kyrylo Yuriiovych"),
        ("icao_9303", "ru", "Щербаков Пётр Ильич", "Shcherbakov Petr Ilich"),
        ("icao_9303", "ru", "Подъячев", "Podieiachev"),
        ("gost_7_79", "ru", "Цыганов Цветков Щукин Йода", "Cy`ganov Czvetkov Shhukin Joda"),
        ("bgn_pcgn", "ru", "Ковалёв Алексеев Евгений Юрий", "Kovalëv Alekseyev Yevgeniy Yuriy"),
        ("scientific", "ru", "Хохлов Жуковец Щёголев", "Chochlov Žukovec Ščëgolev"),
        ("german", "ru", "Горбачёв Василий Алексеевич Фёдор", "Gorbatschow Wassili Alexejewitsch Fjodor"),
        ("german", "ru", "Андрей Ильин Журавлёв", "Andrei Iljin Schurawljow"),
        ("french", "ru", "Георгий Николай Валентин Жуков", "Gueorgui Nikolaï Valentin Joukov"),
        ("ukrainian_2010", "uk", "Згурський Єгор Їжак Йосип Юрій Яна", "Zghurskyi Yehor Yizhak Yosyp Yurii Yana"),
        ("ukrainian_2010", "uk", "В'ячеслав Ковальов Ґудзь", "Viacheslav Kovalov Gudz"),
        ("german", "uk", "Коваленко Микола Юрій Васильович", "Kowalenko Mykola Jurij Wassyljowytsch"),
        ("bgn_pcgn", "uk", "Григорій Євген Ковальчук", "Hryhoriy Yevhen Kovalʹchuk"),
    ],
)
def test_each_scheme_spells_as_it_says(scheme, language, cyrillic, latin):
    assert transliterate(cyrillic, scheme, language=language) == latin


@pytest.mark.parametrize(
    ("scheme", "surname", "latin"),
    [("french", "Шубин", "Choubine"), ("french", "Ильин", "Ilyine"), ("german", "Шубин", "Schubin")],
)
def test_some_schemes_spell_surnames_apart(scheme, surname, latin):
    assert transliterate(surname, scheme, surname=True) == latin


def test_the_loose_schemes_vary_their_habits():
    import random

    rng = random.Random(1)
    spellings = {transliterate("Юрий Хохлов Чистяков", "informal", rng=rng) for _ in range(60)}

    assert "Yuriy Khokhlov Chistyakov" in spellings
    assert len(spellings) > 5
    assert {transliterate("Жуков Ковалёв", "german", rng=rng) for _ in range(30)} == {
        "Schukow Kowaljow",
        "Shukow Kowaljow",
    }


def test_an_unknown_scheme_is_refused():
    with pytest.raises(ValueError, match="Unknown transliteration scheme"):
        transliterate("Иванов", "klingon")


# Queries for pool people


def test_it_produces_every_kind_for_pool_people(people, queries):
    refs = _by_ref(people)

    assert Counter(query.kind for query in queries) == dict.fromkeys(VARIANT_KINDS, 60)
    assert all(query.expected_ref in refs for query in queries)
    for kind in VARIANT_KINDS:
        assert len({query.expected_ref for query in queries if query.kind == kind}) == 60


def test_the_queries_for_a_known_person_are_what_the_kinds_say():
    queries = {query.kind: query for query in variant_queries([CHISTYAKOV], 1, seed=1)}

    assert set(queries) == set(VARIANT_KINDS) - {"russian_forms"}
    assert all(query.expected_ref == "SYN-9000001" for query in queries.values())

    def name(kind):
        query = queries[kind]
        return (query.surname, query.given_name, query.patronymic)

    assert name("cyrillic_exact") == ("Чистяков", "Кирилл", "Юрьевич")
    assert name("ukrainian_forms") == ("Чистяков", "Кирило", "Юрійович")
    assert name("icao_9303") == ("Chistiakov", "Kirill", "Iurevich")
    assert name("gost_7_79") == ("Chistyakov", "Kirill", "Yur`evich")
    assert name("bgn_pcgn") == ("Chistyakov", "Kirill", "Yurʹyevich")
    assert name("scientific") == ("Čistjakov", "Kirill", "Jurʹevič")
    assert name("ukrainian_2010") == ("Chystiakov", "Kyrylo", "Yuriiovych")
    assert name("german") == ("Tschistjakow", "Kirill", "Jurjewitsch")
    assert name("french") in {("Tchistiakov", "Kirill", "Iourievitch"), ("Tchistiakoff", "Kirill", "Iourievitch")}
    assert queries["swapped_date"].date_of_birth == "1990-07-05"
    assert queries["partial_date"].date_of_birth in ("1990", "1990-05")
    assert queries["missing_patronymic"].patronymic == ""


def test_a_ukrainian_record_gets_its_russian_forms(people, queries):
    refs = _by_ref(people)

    for query in queries:
        if query.kind == "russian_forms":
            person = refs[query.expected_ref]
            assert person.language == "uk"
            assert (query.surname, query.given_name, query.patronymic) == synthetic._name_in(person, "ru")
        elif query.kind == "ukrainian_forms":
            assert refs[query.expected_ref].language == "ru"


def test_a_typo_changes_one_letter_of_the_surname_or_given_name(people, queries):
    refs = _by_ref(people)

    for query in (query for query in queries if query.kind == "typo"):
        person = refs[query.expected_ref]
        clean = [synthetic._name_in(person, person.language), synthetic._passport_name(person, person.language)]
        typed = (query.surname, query.given_name, query.patronymic)
        assert any(
            typed[2] == name[2]
            and sorted(
                (_osa_distance(typed[0].lower(), name[0].lower()), _osa_distance(typed[1].lower(), name[1].lower()))
            )
            == [0, 1]
            for name in clean
        ), (typed, clean)


def test_swapped_order_exchanges_surname_and_given_name(people, queries):
    refs = _by_ref(people)

    for query in (query for query in queries if query.kind == "swapped_order"):
        person = refs[query.expected_ref]
        cyrillic = [synthetic._name_in(person, language) for language in ("ru", "uk")]
        if re.search("[а-яіїєґ]", query.surname.lower()):
            assert (query.given_name, query.surname, query.patronymic) in cyrillic
        else:
            assert query.given_name[0].lower() in "abcčdefghijklmnopqrsštuvwxyzž"


def test_dates_are_swapped_only_when_that_gives_another_valid_date(people, queries):
    refs = _by_ref(people)
    swapped = [query for query in queries if query.kind == "swapped_date"]

    assert swapped
    for query in swapped:
        born = refs[query.expected_ref].date_of_birth
        given = datetime.date.fromisoformat(query.date_of_birth)
        assert (given.year, given.month, given.day) == (born.year, born.day, born.month)
        assert given != born


def test_partial_dates_give_the_year_or_the_month(people, queries):
    refs = _by_ref(people)

    for query in (query for query in queries if query.kind == "partial_date"):
        born = refs[query.expected_ref].date_of_birth
        assert query.date_of_birth in (f"{born:%Y}", f"{born:%Y-%m}")
        assert not query.has_full_date


def test_a_configured_share_of_name_queries_carries_the_full_date(people, queries):
    refs = _by_ref(people)
    name_queries = [query for query in queries if query.kind not in DATE_KINDS]

    assert sum(query.has_full_date for query in name_queries) / len(name_queries) == pytest.approx(0.6, abs=0.05)
    for query in name_queries:
        born = refs[query.expected_ref].date_of_birth
        assert query.date_of_birth in ("", f"{born:%Y}", f"{born:%Y-%m}", born.isoformat())
    all_dated = variant_queries(people, 20, seed=5, full_date_share=1.0)
    assert all(query.has_full_date for query in all_dated if query.kind != "partial_date")


def test_a_query_with_the_full_date_points_at_one_person_only(people, queries):
    identities = Counter((synthetic._identity(person), person.date_of_birth) for person in people)
    refs = _by_ref(people)

    for query in queries:
        person = refs[query.expected_ref]
        assert identities[(synthetic._identity(person), person.date_of_birth)] == 1


def test_service_numbers_are_rare_and_right(people, queries):
    refs = _by_ref(people)
    with_number = [query for query in queries if query.service_number]

    assert 0 < len(with_number) < len(queries) * 0.1
    assert all(query.service_number == refs[query.expected_ref].service_number for query in with_number)


# Queries for people not in the pool


def test_absent_queries_come_in_every_absent_kind(people):
    absent = absent_queries(people, 90, seed=4)

    assert Counter(query.kind for query in absent) == dict.fromkeys(ABSENT_KINDS, 30)
    assert all(query.expected_ref is None and query.patronymic for query in absent)
    assert any(query.has_full_date for query in absent)
    assert any(not query.has_full_date for query in absent)
    assert any(query.surname.isascii() for query in absent)


def test_absent_people_are_really_absent(people):
    pool_names = {synthetic._name_in(person, language) for person in people for language in ("ru", "uk")}
    pool_records = {(*synthetic._identity(person), person.date_of_birth) for person in people}
    generator = synthetic._Generator(seed="test", female_share=0.04, ukrainian_share=0.5)

    absent = synthetic._absent_people(people, 300, generator)

    for _kind, person in absent:
        assert (*synthetic._identity(person), person.date_of_birth) not in pool_records
        for language in ("ru", "uk"):
            assert synthetic._name_in(person, language) not in pool_names


def test_absent_relatives_are_relatives_of_pool_people(people):
    generator = synthetic._Generator(seed="test", female_share=0.04, ukrainian_share=0.5)
    surname_and_patronymic = {(p.surname, p.patronymic, p.language) for p in people}
    surname_and_given = {(p.surname, p.given_name, p.language) for p in people}

    for kind, person in synthetic._absent_people(people, 150, generator):
        if kind == "absent_brother":
            assert (person.surname, person.patronymic, person.language) in surname_and_patronymic
        elif kind == "absent_namesake":
            assert (person.surname, person.given_name, person.language) in surname_and_given


def test_absent_cyrillic_queries_match_nobody_in_the_pool(people):
    pool_names = {synthetic._name_in(person, language) for person in people for language in ("ru", "uk")}

    for query in absent_queries(people, 300, seed=8):
        assert (query.surname, query.given_name, query.patronymic) not in pool_names


# The CSV file


def test_the_csv_has_the_import_header_and_round_trips(tmp_path, people):
    path = tmp_path / "pool.csv"

    written = write_csv(path, people[:500])

    assert written == 500
    assert path.read_text(encoding="utf-8").splitlines()[0] == (
        "external_ref,surname,given_name,patronymic,date_of_birth,service_number,unit"
    )
    with open(path, encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    assert tuple(rows[0]) == CSV_HEADER
    assert [
        Person(**{**row, "date_of_birth": datetime.date.fromisoformat(row["date_of_birth"])}, language=person.language)
        for row, person in zip(rows, people[:500], strict=True)
    ] == people[:500]


def test_the_command_line_writes_the_same_pool(tmp_path):
    by_command, by_function = tmp_path / "command.csv", tmp_path / "function.csv"

    synthetic.main([str(by_command), "--size", "300", "--seed", "9"])
    write_csv(by_function, iter_pool(300, seed=9))

    assert by_command.read_bytes() == by_function.read_bytes()
    assert len(by_command.read_text(encoding="utf-8").splitlines()) == 301
