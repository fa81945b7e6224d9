"""Comparison keys: one person's name folds alike from every script and transliteration."""

import pytest
from rapidfuzz.distance import OSA

from prisoners.matching.keys import (
    given_name_key,
    given_name_neighbours,
    name_script,
    patronymic_key,
    service_number_key,
    surname_key,
)
from prisoners.matching.names import FEMALE_NAMES, MALE_NAMES

CHISTYAKOV = [
    "Чистяков",
    "ЧИСТЯКОВ",
    "Chistiakov",  # ICAO 9303, Ukrainian national with the Russian form
    "Chistyakov",  # BGN/PCGN, GOST 7.79 system B
    "Chystiakov",  # Ukrainian national 2010
    "Chystyakov",
    "Čistjakov",  # scholarly
    "Tschistjakow",  # German
    "Tchistiakov",  # French
    "4istyakov",  # typed in a chat
    "Chistjakov",
]


@pytest.mark.parametrize("spelling", CHISTYAKOV)
def test_it_folds_every_rendering_of_a_surname_to_one_key(spelling):
    assert surname_key(spelling) == surname_key("Чистяков") == "cistakov"


@pytest.mark.parametrize(
    "spellings",
    [
        ["Шевченко", "Shevchenko", "Chevtchenko", "Schewtschenko", "Ševčenko"],
        ["Хрущёв", "Хрущев", "Khrushchev", "Khrushchyov", "Chruščëv"],
        ["Кузнецов", "Kuznetsov", "Kusnezow", "Kuznecov", "Kuzneczov"],
        ["Вишневский", "Вишневський", "Vishnevskiy", "Vishnevskii", "Vyshnevskyi", "Vishnevsky", "Wischnewski"],
        ["Соловьёв", "Соловьев", "Solovyov", "Solovjov", "Solovev", "Solovyev"],
        ["Андреев", "Андрєєв", "Andreev", "Andreyev", "Andrieiev"],
        ["Михайлов", "Mikhailov", "Mykhailov", "Michailow", "Mikhaylov"],
        ["Исхаков", "Iskhakov", "ISKHAKOV"],
        ["Смирнов", "Smirnoff", "Smirnow"],
        ["Дьяченко", "Д'яченко", "Diachenko", "Dyachenko", "D'yachenko"],
    ],
)
def test_it_folds_transliterations_of_other_surnames_alike(spellings):
    assert {surname_key(spelling) for spelling in spellings} == {surname_key(spellings[0])}


@pytest.mark.parametrize(
    ("spelling", "cyrillic"),
    [
        ("Chruschtschow", "Хрущёв"),  # German writes ё after щ as o
        ("Oxotnikov", "Охотников"),  # GOST's x for х reads as ks
        ("Szewczenko", "Шевченко"),  # Polish cz is GOST's ц
    ],
)
def test_it_keeps_ambiguous_spellings_within_two_edits(spelling, cyrillic):
    assert OSA.distance(surname_key(spelling), surname_key(cyrillic)) <= 2


@pytest.mark.parametrize("blank", ["", "   ", "-", "'", "123"])
def test_it_gives_an_empty_key_for_nothing_to_compare(blank):
    assert surname_key(blank) == given_name_key(blank) == patronymic_key(blank) == ""


def test_it_keeps_the_words_of_a_double_surname():
    assert surname_key("Петров-Водкин") == surname_key("Petrov Vodkin") == "petrov vodkin"


@pytest.mark.parametrize(
    "spellings",
    [
        ["Кирилл", "Кирило", "Kirill", "Kiril", "Kyrylo"],
        ["Николай", "Микола", "Mykola", "Nikolay", "Nikolai", "Nicolas"],
        ["Александр", "Олександр", "Oleksandr", "Aleksandr", "Alexander"],
        ["Сергей", "Сергій", "Serhiy", "Serhii", "Sergei", "Sergey"],
        ["Дмитрий", "Дмитро", "Dmytro", "Dmitry", "Dmitriy"],
        ["Пётр", "Петр", "Петро", "Petro", "Pyotr", "Piotr"],
        ["Алексей", "Олексій", "Oleksii", "Alexey", "Aleksei"],
        ["Владимир", "Володимир", "Volodymyr", "Vladimir", "Wladimir"],
        ["Михаил", "Михайло", "Mykhailo", "Mikhail", "Mychajlo"],
        ["Юрий", "Юрій", "Yurii", "Yuriy", "Jurij", "Iouri"],
        ["Евгений", "Євген", "Yevhen", "Evgeny", "Yevgeniy"],
        ["Григорий", "Григорій", "Hryhorii", "Grigoriy"],
        ["Василий", "Василь", "Vasyl", "Vasily", "Wassili"],
        ["Фёдор", "Федір", "Fedir", "Fyodor", "Fedor", "Fjodor"],
        ["Семён", "Семен", "Semen", "Semyon"],
        ["Илья", "Ілля", "Illia", "Ilya"],
        ["Вячеслав", "В'ячеслав", "Viacheslav", "Vyacheslav"],
        ["Елена", "Олена", "Olena", "Yelena", "Elena"],
        ["Анна", "Ганна", "Hanna", "Anna"],
        ["Наталья", "Наталия", "Наталія", "Nataliia", "Natalya"],
        ["Татьяна", "Тетяна", "Tetiana", "Tatyana"],
        ["Людмила", "Liudmyla", "Lyudmila", "Ludmila"],
    ],
)
def test_it_gives_forms_of_one_given_name_one_key(spellings):
    assert {given_name_key(spelling) for spelling in spellings} == {given_name_key(spellings[0])}


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Иван", "Игорь"),
        ("Александр", "Алексей"),
        ("Сергей", "Семён"),
        ("Александр", "Александра"),
        ("Иван", "Иоанн"),
        ("Егор", "Георгий"),
        ("Юрий", "Георгий"),
        ("Елена", "Алёна"),
        ("Оксана", "Ксения"),
        ("Дарья", "Дарина"),
    ],
)
def test_it_keeps_distinct_names_apart(one, other):
    assert given_name_key(one) != given_name_key(other)


def test_it_knows_at_least_a_hundred_names():
    assert len(MALE_NAMES) + len(FEMALE_NAMES) >= 100


@pytest.mark.parametrize("group", MALE_NAMES + FEMALE_NAMES, ids=lambda group: group[0])
def test_it_gives_every_form_in_the_table_its_group_key(group):
    assert {given_name_key(form) for form in group} == {given_name_key(group[0])}


def test_it_falls_back_to_the_folded_spelling_for_an_unknown_name():
    assert given_name_key("Ильнур") == given_name_key("Ilnur") == "ilnur"


@pytest.mark.parametrize(
    "patronymic",
    [
        "Юрьевич",
        "Юрійович",
        "Yurievich",
        "Yuryevich",
        "Yuriyovych",
        "Yuriiovych",
        "Jurjewitsch",
        "Jur'evič",
        "Юрьевна",
        "Юріївна",
        "Yuriivna",
        "Юрий",
        "Yuriy",
    ],
)
def test_it_reads_the_fathers_name_from_a_patronymic(patronymic):
    assert patronymic_key(patronymic) == given_name_key("Юрий")


@pytest.mark.parametrize(
    ("patronymic", "father"),
    [
        ("Николаевич", "Николай"),
        ("Миколайович", "Микола"),
        ("Mykolaivna", "Николай"),
        ("Сергеевич", "Сергей"),
        ("Сергійович", "Сергей"),
        ("Олексійович", "Алексей"),
        ("Алексеевна", "Алексей"),
        ("Ильич", "Илья"),
        ("Ильинична", "Илья"),
        ("Іллівна", "Илья"),
        ("Никитич", "Никита"),
        ("Павлович", "Павел"),
        ("Львович", "Лев"),
        ("Яковлевич", "Яков"),
        ("Михайлович", "Михаил"),
        ("Ігорович", "Игорь"),
        ("Игоревич", "Игорь"),
        ("Григорович", "Григорий"),
        ("Васильевич", "Василь"),
    ],
)
def test_it_reads_fathers_of_regular_and_irregular_patronymics(patronymic, father):
    assert patronymic_key(patronymic) == given_name_key(father)


def test_it_gives_brothers_and_sisters_of_an_unknown_father_one_key():
    assert patronymic_key("Абдуллаевич") == patronymic_key("Абдуллаевна") == patronymic_key("Абдулла") == "abdula"


def test_it_reads_a_turkic_patronymic_as_the_fathers_name():
    assert patronymic_key("Мамед оглы") == patronymic_key("Mamed oglu") == given_name_key("Мамед")


def test_it_finds_the_name_a_typo_in_a_ukrainian_form_meant():
    assert given_name_key("Николай") in given_name_neighbours("Myktla")
    assert given_name_neighbours("Микола") == frozenset()


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("Чистяков", "cyrillic"),
        ("Дем'ян", "cyrillic"),
        ("Їжак-Ґудзь", "cyrillic"),
        ("Chistiakov", "latin"),
        ("Čistjakov", "latin"),
        ("Чистяkов", "mixed"),
        ("Петрoв", "mixed"),  # a Latin o
        ("Петров Petrov", "mixed"),
        ("", ""),
        ("  1-2 ", ""),
    ],
)
def test_it_tells_the_script_of_a_name(text, script):
    assert name_script(text) == script


def test_it_normalises_service_numbers_as_clerks_write_them():
    assert service_number_key("АВ-123 456") == service_number_key(" ab123456") == "ab123456"
