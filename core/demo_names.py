"""Name material for the fictional demo data (``manage.py seed_demo``).

Nobody here is a real person: ``seed_demo`` combines common given names and
surnames at random (with a fixed seed), adds an invented date of birth, unit
and story, and never takes a whole name from anywhere. Surnames that are best
known as part of one famous person's name are left out of the lists, so that
a random combination does not call a public figure to mind.

Each given name comes in its Russian and Ukrainian forms, with the matching
patronymics, so that a record can carry the "other" form as a name variant
(Николай / Микола), as lists from different sources do.
"""

from dataclasses import dataclass

# (Russian form, Russian patronymic, Ukrainian form, Ukrainian patronymic)
GIVEN_NAMES: tuple[tuple[str, str, str, str], ...] = (
    ("Николай", "Николаевич", "Микола", "Миколайович"),
    ("Андрей", "Андреевич", "Андрій", "Андрійович"),
    ("Александр", "Александрович", "Олександр", "Олександрович"),
    ("Сергей", "Сергеевич", "Сергій", "Сергійович"),
    ("Дмитрий", "Дмитриевич", "Дмитро", "Дмитрович"),
    ("Владимир", "Владимирович", "Володимир", "Володимирович"),
    ("Алексей", "Алексеевич", "Олексій", "Олексійович"),
    ("Иван", "Иванович", "Іван", "Іванович"),
    ("Михаил", "Михайлович", "Михайло", "Михайлович"),
    ("Юрий", "Юрьевич", "Юрій", "Юрійович"),
    ("Виктор", "Викторович", "Віктор", "Вікторович"),
    ("Павел", "Павлович", "Павло", "Павлович"),
    ("Петр", "Петрович", "Петро", "Петрович"),
    ("Василий", "Васильевич", "Василь", "Васильович"),
    ("Евгений", "Евгеньевич", "Євген", "Євгенович"),
    ("Олег", "Олегович", "Олег", "Олегович"),
    ("Игорь", "Игоревич", "Ігор", "Ігорович"),
    ("Роман", "Романович", "Роман", "Романович"),
    ("Богдан", "Богданович", "Богдан", "Богданович"),
    ("Тарас", "Тарасович", "Тарас", "Тарасович"),
    ("Григорий", "Григорьевич", "Григорій", "Григорович"),
    ("Максим", "Максимович", "Максим", "Максимович"),
    ("Артем", "Артемович", "Артем", "Артемович"),
    ("Денис", "Денисович", "Денис", "Денисович"),
    ("Виталий", "Витальевич", "Віталій", "Віталійович"),
    ("Анатолий", "Анатольевич", "Анатолій", "Анатолійович"),
    ("Степан", "Степанович", "Степан", "Степанович"),
    ("Федор", "Федорович", "Федір", "Федорович"),
    ("Илья", "Ильич", "Ілля", "Ілліч"),
    ("Константин", "Константинович", "Костянтин", "Костянтинович"),
    ("Ярослав", "Ярославович", "Ярослав", "Ярославович"),
    ("Вадим", "Вадимович", "Вадим", "Вадимович"),
    ("Руслан", "Русланович", "Руслан", "Русланович"),
    ("Кирилл", "Кириллович", "Кирило", "Кирилович"),
    ("Антон", "Антонович", "Антон", "Антонович"),
    ("Остап", "Остапович", "Остап", "Остапович"),
)

# (Russian form, Ukrainian form) of given names of relatives filing requests.
FEMALE_GIVEN_NAMES: tuple[tuple[str, str], ...] = (
    ("Елена", "Олена"),
    ("Наталья", "Наталія"),
    ("Татьяна", "Тетяна"),
    ("Ирина", "Ірина"),
    ("Оксана", "Оксана"),
    ("Светлана", "Світлана"),
    ("Людмила", "Людмила"),
    ("Анна", "Ганна"),
    ("Мария", "Марія"),
    ("Юлия", "Юлія"),
    ("Валентина", "Валентина"),
    ("Галина", "Галина"),
    ("Надежда", "Надія"),
    ("Вера", "Віра"),
    ("Екатерина", "Катерина"),
)

RUSSIAN_SURNAMES: tuple[str, ...] = (
    "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
    "Новиков", "Федоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семенов", "Егоров",
    "Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин",
    "Захаров", "Зайцев", "Соловьев", "Борисов", "Яковлев", "Григорьев", "Воробьев", "Сергеев",
    "Кузьмин", "Фролов", "Дмитриев", "Гусев", "Киселев", "Ильин", "Максимов", "Поляков",
    "Сорокин", "Виноградов", "Белов", "Антонов", "Тарасов", "Баранов", "Филиппов", "Комаров",
    "Давыдов", "Беляев", "Герасимов", "Осипов", "Сидоров", "Матвеев", "Титов", "Марков",
    "Миронов", "Крылов", "Куликов", "Карпов", "Власов", "Мельников", "Денисов", "Гаврилов",
    "Тихонов", "Казаков", "Афанасьев", "Данилов", "Савельев", "Тимофеев", "Фомин", "Чистяков",
    "Журавлев", "Ершов", "Зуев", "Панов", "Рябов", "Голубев", "Виноградский", "Покровский",
)  # fmt: skip

# (Ukrainian form, Russian form): lists from the other side often respell them.
UKRAINIAN_SURNAMES: tuple[tuple[str, str], ...] = (
    ("Коваленко", "Коваленко"), ("Бондаренко", "Бондаренко"), ("Ткаченко", "Ткаченко"),
    ("Кравченко", "Кравченко"), ("Шевчук", "Шевчук"), ("Бойко", "Бойко"), ("Ковальчук", "Ковальчук"),
    ("Марченко", "Марченко"), ("Руденко", "Руденко"), ("Петренко", "Петренко"), ("Клименко", "Клименко"),
    ("Павленко", "Павленко"), ("Кузьменко", "Кузьменко"), ("Гончаренко", "Гончаренко"),
    ("Левченко", "Левченко"), ("Мороз", "Мороз"), ("Романенко", "Романенко"), ("Сидоренко", "Сидоренко"),
    ("Ткачук", "Ткачук"), ("Литвиненко", "Литвиненко"), ("Нестеренко", "Нестеренко"),
    ("Гаврилюк", "Гаврилюк"), ("Данилюк", "Данилюк"), ("Марчук", "Марчук"), ("Симоненко", "Симоненко"),
    ("Карпенко", "Карпенко"), ("Приходько", "Приходько"), ("Остапенко", "Остапенко"), ("Яценко", "Яценко"),
    ("Онищенко", "Онищенко"), ("Дорошенко", "Дорошенко"), ("Мельник", "Мельник"), ("Олійник", "Олейник"),
    ("Білоус", "Белоус"), ("Поліщук", "Полищук"), ("Гнатюк", "Гнатюк"), ("Савчук", "Савчук"),
    ("Захарченко", "Захарченко"), ("Демченко", "Демченко"), ("Юрченко", "Юрченко"), ("Федоренко", "Федоренко"),
    ("Василенко", "Василенко"), ("Головко", "Головко"), ("Мирошниченко", "Мирошниченко"),
    ("Кириленко", "Кириленко"), ("Вакуленко", "Вакуленко"), ("Панченко", "Панченко"), ("Стасюк", "Стасюк"),
    ("Білик", "Билык"), ("Гуменюк", "Гуменюк"), ("Костенко", "Костенко"), ("Іваненко", "Иваненко"),
    ("Ярошенко", "Ярошенко"), ("Пономаренко", "Пономаренко"), ("Ковальов", "Ковалев"), ("Чорновол", "Черновол"),
    ("Білецький", "Белецкий"), ("Заїченко", "Заиченко"), ("Гребенюк", "Гребенюк"), ("Сорочинський", "Сорочинский"),
)  # fmt: skip

# Volunteers from abroad, recorded in Latin script only.
FOREIGN_GIVEN_NAMES: tuple[str, ...] = (
    "Lukas", "Jonas", "Mateo", "Daniel", "Tomas", "Peter", "Martin", "Erik", "Jakub", "Marek", "Henrik", "Luca",
)  # fmt: skip
FOREIGN_SURNAMES: tuple[str, ...] = (
    "Novak", "Berg", "Keller", "Lindqvist", "Moreau", "Horvat", "Dvorak", "Jansen", "Nowicki", "Brandt",
    "Larsen", "Meyer",
)  # fmt: skip


# Latin transliteration. Ukrainian: the national system of 2010 (passports).
_UK = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh", "з": "z",
    "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ь": "", "ю": "iu", "я": "ia", "'": "", "’": "",
}  # fmt: skip
_UK_WORD_START = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}

# Russian: ICAO Doc 9303, as in passports since 2013 ("Chistiakov").
_RU_ICAO = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "ie", "ы": "y",
    "ь": "", "э": "e", "ю": "iu", "я": "ia",
}  # fmt: skip

# Russian, the informal BGN/PCGN-like spelling of older documents and the press ("Chistyakov").
_RU_INFORMAL = {**_RU_ICAO, "й": "y", "ё": "yo", "ъ": "", "ю": "yu", "я": "ya"}
_RU_INFORMAL_WORD_START = {"е": "ye"}

_RU_VOWELS = set("аеёиоуыэюя")


def _transliterate(text: str, table: dict[str, str], *, word_start=None, after=None, ye_after_vowel=False) -> str:
    """``word_start``: letters spelled differently at the start of a word (and, with
    ``ye_after_vowel``, after a vowel); ``after``: a letter spelled differently
    after another one, keyed by the pair ("зг" → "gh")."""
    word_start, after = word_start or {}, after or {}
    out = []
    previous = ""
    for char in text:
        lower = char.lower()
        at_word_start = previous == "" or not previous.isalpha()
        if lower in word_start and (at_word_start or (ye_after_vowel and previous.lower() in _RU_VOWELS)):
            latin = word_start[lower]
        elif previous.lower() + lower in after:
            latin = after[previous.lower() + lower]
        else:
            latin = table.get(lower, char)
        if char != lower and latin:
            latin = latin[0].upper() + latin[1:]
        out.append(latin)
        previous = char
    return "".join(out)


def transliterate_uk(text: str) -> str:
    """Ukrainian Cyrillic to Latin, the national system of 2010: Микола Олійник → Mykola Oliinyk."""
    # "зг" is written "zgh" so that it is not read as "ж".
    return _transliterate(text, _UK, word_start=_UK_WORD_START, after={"зг": "gh"})


def transliterate_ru(text: str) -> str:
    """Russian Cyrillic to Latin as in passports (ICAO): Чистяков → Chistiakov."""
    return _transliterate(text, _RU_ICAO)


def transliterate_ru_informal(text: str) -> str:
    """Russian Cyrillic to the informal Latin of the press: Чистяков → Chistyakov, Юрий → Yuriy."""
    return _transliterate(text, _RU_INFORMAL, word_start=_RU_INFORMAL_WORD_START, ye_after_vowel=True)


def feminine_surname(surname: str) -> str:
    """The form a woman of the family bears: Иванов → Иванова, Білецький → Білецька, Мельник stays."""
    for male, female in (("ский", "ская"), ("ський", "ська"), ("цкий", "цкая"), ("цький", "цька")):
        if surname.endswith(male):
            return surname[: -len(male)] + female
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    return surname


@dataclass(frozen=True)
class NameForm:
    surname: str
    given_names: str
    patronymic: str
    script: str  # "cyrillic" or "latin", as in prisoners.models.NameScript
    note: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.surname, self.given_names, self.patronymic)


@dataclass(frozen=True)
class DemoName:
    """A fictional person's name as recorded, and the other spellings lists use for it."""

    recorded: NameForm
    variants: tuple[NameForm, ...]
    # The family's language ("uk", "ru" or "en") and surname in its own script,
    # to name his relatives.
    language: str
    family_surname: str


def _ukrainian_forms(given, surname, with_patronymic):
    ru_given, ru_patronymic, uk_given, uk_patronymic = given
    uk_surname, ru_surname = surname
    uk = NameForm(uk_surname, uk_given, uk_patronymic if with_patronymic else "", "cyrillic")
    ru = NameForm(ru_surname, ru_given, ru_patronymic if with_patronymic else "", "cyrillic", "Russian form")
    return uk, ru


def _latin(form: NameForm, transliterate, note: str) -> NameForm:
    return NameForm(
        transliterate(form.surname), transliterate(form.given_names), transliterate(form.patronymic), "latin", note
    )


def demo_name(rng, *, style: str) -> DemoName:
    """A random fictional name in ``style``: "uk", "ru", "latin_uk", "latin_ru" or "foreign".

    ``rng`` is the caller's seeded ``random.Random``, so that the same seed
    gives the same people.
    """
    if style == "foreign":
        recorded = NameForm(rng.choice(FOREIGN_SURNAMES), rng.choice(FOREIGN_GIVEN_NAMES), "", "latin")
        return DemoName(recorded=recorded, variants=(), language="en", family_surname=recorded.surname)

    given = rng.choice(GIVEN_NAMES)
    with_patronymic = rng.random() < 0.8
    candidates: list[NameForm]
    if style in ("uk", "latin_uk"):
        uk, ru = _ukrainian_forms(given, rng.choice(UKRAINIAN_SURNAMES), with_patronymic)
        uk_latin = _latin(uk, transliterate_uk, "Latin, passport spelling")
        ru_latin = _latin(ru, transliterate_ru, "Latin, from the Russian form")
        if style == "uk":
            recorded = uk
            candidates = [uk_latin, *[ru, ru_latin][: rng.choice((0, 1, 1, 2))]]
        else:
            recorded = NameForm(*uk_latin.key, "latin")
            candidates = [NameForm(*uk.key, "cyrillic", "Cyrillic original"), *[ru_latin][: rng.choice((0, 1))]]
        language, family_surname = "uk", uk.surname
    else:
        ru_given, ru_patronymic, uk_given, uk_patronymic = given
        surname = rng.choice(RUSSIAN_SURNAMES)
        ru = NameForm(surname, ru_given, ru_patronymic if with_patronymic else "", "cyrillic")
        icao = _latin(ru, transliterate_ru, "Latin, passport spelling")
        informal = _latin(ru, transliterate_ru_informal, "Latin, informal spelling")
        uk = NameForm(surname, uk_given, uk_patronymic if with_patronymic else "", "cyrillic", "Ukrainian form")
        if style == "ru":
            recorded = ru
            candidates = [icao, *[informal, uk][: rng.choice((0, 1, 1, 2))]]
        else:
            recorded = NameForm(*icao.key, "latin")
            candidates = [NameForm(*ru.key, "cyrillic", "Cyrillic original"), *[informal][: rng.choice((0, 1))]]
        language, family_surname = "ru", ru.surname

    variants, seen = [], {recorded.key}
    for form in candidates:
        if form.key not in seen:
            seen.add(form.key)
            variants.append(form)
    return DemoName(recorded=recorded, variants=tuple(variants), language=language, family_surname=family_surname)


def demo_relative_name(rng, *, name: DemoName, female: bool, latin: bool = False) -> str:
    """A fictional relative of ``name``: same family surname, a random given name.

    In the family's Cyrillic script, or in Latin with ``latin`` (or when the
    family's name is Latin to begin with).
    """
    surname = feminine_surname(name.family_surname) if female else name.family_surname
    if name.language == "en":
        given = rng.choice(("Anna", "Maria", "Eva", "Laura")) if female else rng.choice(FOREIGN_GIVEN_NAMES)
        return f"{given} {surname}"
    if female:
        ru_given, uk_given = rng.choice(FEMALE_GIVEN_NAMES)
    else:
        ru_given, _ru_patronymic, uk_given, _uk_patronymic = rng.choice(GIVEN_NAMES)
    full_name = f"{uk_given} {surname}" if name.language == "uk" else f"{ru_given} {surname}"
    if latin:
        return transliterate_uk(full_name) if name.language == "uk" else transliterate_ru(full_name)
    return full_name
