"""Fictional people, and the ways other lists spell them, to measure name matching.

Nobody here is real: surnames, given names and fathers' names are drawn
independently from built-in lists (with a fixed seed), dates of birth, service
numbers and units are invented, and surnames best known as one famous person's
name are left out, as in ``core.demo_names``.

The pool is made hard on purpose: a share of people are *namesakes* of someone
generated shortly before (same surname and given name, another father and
birthday) and a share are *brothers* (same surname and father, another given
name, born 1-8 years apart).

For each pool person, ``variant_queries`` writes the name the way another list
would: the other language's Cyrillic form, one Latin transliteration scheme per
kind, a typo, surname and given name swapped, no patronymic, a partial or
day-month-swapped date. ``absent_queries`` writes people who are *not* in the
pool, strangers and relatives of pool people alike.

The module keeps its own name forms and transliteration tables and imports
nothing from the matcher, so that measuring the matcher against it is not
circular.

``python -m prisoners.matching.synthetic --size N --seed S OUT.csv`` writes a
pool as CSV for the import command.
"""

import argparse
import bisect
import csv
import datetime
import itertools
import random
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

CSV_HEADER = ("external_ref", "surname", "given_name", "patronymic", "date_of_birth", "service_number", "unit")

VARIANT_KINDS = (
    "cyrillic_exact",
    "ukrainian_forms",  # a Russian-language record's name in Ukrainian forms
    "russian_forms",  # a Ukrainian-language record's name in Russian forms
    "icao_9303",
    "gost_7_79",
    "bgn_pcgn",
    "scientific",
    "informal",
    "ukrainian_2010",
    "german",
    "french",
    "typo",
    "swapped_order",
    "missing_patronymic",
    "partial_date",
    "swapped_date",
)
ABSENT_KINDS = ("absent_stranger", "absent_brother", "absent_namesake")
LATIN_SCHEMES = (
    "icao_9303",
    "gost_7_79",
    "bgn_pcgn",
    "scientific",
    "informal",
    "ukrainian_2010",
    "german",
    "french",
)
# The kinds that are about the date: every other kind carries the full date of
# birth for ``full_date_share`` of its queries.
DATE_KINDS = ("partial_date", "swapped_date")

DEFAULT_NAMESAKE_SHARE = 0.10
DEFAULT_BROTHER_SHARE = 0.10
DEFAULT_FEMALE_SHARE = 0.04
DEFAULT_UKRAINIAN_SHARE = 0.5
DEFAULT_FULL_DATE_SHARE = 0.6
DEFAULT_SERVICE_NUMBER_SHARE = 0.05

# Namesakes and brothers are relatives of someone among the last few thousand
# people, so that a stream of a million needs no more than that in memory.
RELATIVE_WINDOW = 5_000

EARLIEST_BIRTH = datetime.date(1962, 1, 1)
LATEST_BIRTH = datetime.date(2006, 12, 31)
COMMONEST_BIRTH = datetime.date(1995, 1, 1)


@dataclass(frozen=True, slots=True)
class Person:
    """A fictional person as the home list records him, in its language ("ru" or "uk")."""

    external_ref: str
    surname: str
    given_name: str
    patronymic: str
    date_of_birth: datetime.date
    service_number: str
    unit: str
    language: str


@dataclass(frozen=True, slots=True)
class Relation:
    """How a pool person came about: "fresh", or the "namesake" or "brother" of ``relative_ref``."""

    kind: str
    relative_ref: str | None = None


@dataclass(frozen=True, slots=True)
class VariantQuery:
    """A search as another list would put it; ``expected_ref`` is None for someone not in the pool.

    ``date_of_birth`` is "YYYY-MM-DD", "YYYY-MM", "YYYY" or "".
    """

    kind: str
    surname: str
    given_name: str
    patronymic: str
    date_of_birth: str
    service_number: str
    expected_ref: str | None

    @property
    def has_full_date(self) -> bool:
        return len(self.date_of_birth) == 10


# Name material --------------------------------------------------------------

# (Russian form, Russian patronymic, Ukrainian form, Ukrainian patronymic),
# roughly from the commonest down.
_MALE_NAMES: tuple[tuple[str, str, str, str], ...] = (
    ("Александр", "Александрович", "Олександр", "Олександрович"),
    ("Сергей", "Сергеевич", "Сергій", "Сергійович"),
    ("Дмитрий", "Дмитриевич", "Дмитро", "Дмитрович"),
    ("Андрей", "Андреевич", "Андрій", "Андрійович"),
    ("Алексей", "Алексеевич", "Олексій", "Олексійович"),
    ("Максим", "Максимович", "Максим", "Максимович"),
    ("Евгений", "Евгеньевич", "Євген", "Євгенович"),
    ("Иван", "Иванович", "Іван", "Іванович"),
    ("Михаил", "Михайлович", "Михайло", "Михайлович"),
    ("Артём", "Артёмович", "Артем", "Артемович"),
    ("Николай", "Николаевич", "Микола", "Миколайович"),
    ("Владимир", "Владимирович", "Володимир", "Володимирович"),
    ("Денис", "Денисович", "Денис", "Денисович"),
    ("Роман", "Романович", "Роман", "Романович"),
    ("Павел", "Павлович", "Павло", "Павлович"),
    ("Игорь", "Игоревич", "Ігор", "Ігорович"),
    ("Виктор", "Викторович", "Віктор", "Вікторович"),
    ("Юрий", "Юрьевич", "Юрій", "Юрійович"),
    ("Олег", "Олегович", "Олег", "Олегович"),
    ("Антон", "Антонович", "Антон", "Антонович"),
    ("Никита", "Никитич", "Микита", "Микитович"),
    ("Владислав", "Владиславович", "Владислав", "Владиславович"),
    ("Илья", "Ильич", "Ілля", "Ілліч"),
    ("Кирилл", "Кириллович", "Кирило", "Кирилович"),
    ("Виталий", "Витальевич", "Віталій", "Віталійович"),
    ("Вадим", "Вадимович", "Вадим", "Вадимович"),
    ("Константин", "Константинович", "Костянтин", "Костянтинович"),
    ("Руслан", "Русланович", "Руслан", "Русланович"),
    ("Егор", "Егорович", "Єгор", "Єгорович"),
    ("Анатолий", "Анатольевич", "Анатолій", "Анатолійович"),
    ("Василий", "Васильевич", "Василь", "Васильович"),
    ("Даниил", "Даниилович", "Данило", "Данилович"),
    ("Богдан", "Богданович", "Богдан", "Богданович"),
    ("Тарас", "Тарасович", "Тарас", "Тарасович"),
    ("Ярослав", "Ярославович", "Ярослав", "Ярославович"),
    ("Вячеслав", "Вячеславович", "В'ячеслав", "В'ячеславович"),
    ("Валерий", "Валерьевич", "Валерій", "Валерійович"),
    ("Станислав", "Станиславович", "Станіслав", "Станіславович"),
    ("Григорий", "Григорьевич", "Григорій", "Григорович"),
    ("Пётр", "Петрович", "Петро", "Петрович"),
    ("Степан", "Степанович", "Степан", "Степанович"),
    ("Фёдор", "Фёдорович", "Федір", "Федорович"),
    ("Тимур", "Тимурович", "Тимур", "Тимурович"),
    ("Артур", "Артурович", "Артур", "Артурович"),
    ("Геннадий", "Геннадьевич", "Геннадій", "Геннадійович"),
    ("Леонид", "Леонидович", "Леонід", "Леонідович"),
    ("Борис", "Борисович", "Борис", "Борисович"),
    ("Глеб", "Глебович", "Гліб", "Глібович"),
    ("Матвей", "Матвеевич", "Матвій", "Матвійович"),
    ("Тимофей", "Тимофеевич", "Тимофій", "Тимофійович"),
    ("Семён", "Семёнович", "Семен", "Семенович"),
    ("Георгий", "Георгиевич", "Георгій", "Георгійович"),
    ("Эдуард", "Эдуардович", "Едуард", "Едуардович"),
    ("Валентин", "Валентинович", "Валентин", "Валентинович"),
    ("Филипп", "Филиппович", "Пилип", "Пилипович"),
    ("Марк", "Маркович", "Марко", "Маркович"),
    ("Назар", "Назарович", "Назар", "Назарович"),
    ("Остап", "Остапович", "Остап", "Остапович"),
    ("Ростислав", "Ростиславович", "Ростислав", "Ростиславович"),
    ("Святослав", "Святославович", "Святослав", "Святославович"),
    ("Аркадий", "Аркадьевич", "Аркадій", "Аркадійович"),
    ("Арсений", "Арсеньевич", "Арсеній", "Арсенійович"),
    ("Захар", "Захарович", "Захар", "Захарович"),
    ("Яков", "Яковлевич", "Яків", "Якович"),
    ("Лев", "Львович", "Лев", "Левович"),
    ("Кузьма", "Кузьмич", "Кузьма", "Кузьмич"),
    ("Фома", "Фомич", "Хома", "Хомич"),
    ("Лука", "Лукич", "Лука", "Лукич"),
    ("Всеволод", "Всеволодович", "Всеволод", "Всеволодович"),
    ("Афанасий", "Афанасьевич", "Опанас", "Опанасович"),
    ("Герман", "Германович", "Герман", "Германович"),
    ("Гавриил", "Гавриилович", "Гаврило", "Гаврилович"),
    ("Давид", "Давидович", "Давид", "Давидович"),
    ("Емельян", "Емельянович", "Омелян", "Омелянович"),
    ("Ефим", "Ефимович", "Юхим", "Юхимович"),
    ("Зиновий", "Зиновьевич", "Зиновій", "Зиновійович"),
    ("Игнат", "Игнатович", "Гнат", "Гнатович"),
    ("Иосиф", "Иосифович", "Йосип", "Йосипович"),
    ("Клим", "Климович", "Клим", "Климович"),
    ("Макар", "Макарович", "Макар", "Макарович"),
    ("Мирон", "Миронович", "Мирон", "Миронович"),
    ("Никифор", "Никифорович", "Никифор", "Никифорович"),
    ("Платон", "Платонович", "Платон", "Платонович"),
    ("Прохор", "Прохорович", "Прохор", "Прохорович"),
    ("Савелий", "Савельевич", "Савелій", "Савелійович"),
    ("Тихон", "Тихонович", "Тихон", "Тихонович"),
    ("Трофим", "Трофимович", "Трохим", "Трохимович"),
    ("Устин", "Устинович", "Устим", "Устимович"),
    ("Эльдар", "Эльдарович", "Ельдар", "Ельдарович"),
    ("Юлиан", "Юлианович", "Юліан", "Юліанович"),
    ("Вениамин", "Вениаминович", "Веніамін", "Веніамінович"),
    ("Нестор", "Несторович", "Нестор", "Несторович"),
    ("Ян", "Янович", "Ян", "Янович"),
    ("Родион", "Родионович", "Родіон", "Родіонович"),
)

# The names fathers of men born 1962-2006 most often bore: patronymics lean to them.
_COMMON_FATHERS = (
    "Владимир", "Сергей", "Александр", "Николай", "Виктор", "Юрий", "Анатолий", "Михаил", "Василий",
    "Иван", "Алексей", "Андрей", "Игорь", "Валерий", "Геннадий", "Евгений", "Олег", "Пётр",
)  # fmt: skip

# (Russian form, Ukrainian form)
_FEMALE_NAMES: tuple[tuple[str, str], ...] = (
    ("Ольга", "Ольга"), ("Наталья", "Наталія"), ("Ирина", "Ірина"), ("Анна", "Ганна"), ("Елена", "Олена"),
    ("Татьяна", "Тетяна"), ("Юлия", "Юлія"), ("Мария", "Марія"), ("Светлана", "Світлана"),
    ("Екатерина", "Катерина"), ("Анастасия", "Анастасія"), ("Виктория", "Вікторія"), ("Дарья", "Дар'я"),
    ("Оксана", "Оксана"), ("Людмила", "Людмила"), ("Валентина", "Валентина"), ("Галина", "Галина"),
    ("Надежда", "Надія"), ("Вера", "Віра"), ("Ксения", "Ксенія"),
)  # fmt: skip

# Russian-language surnames, roughly from the commonest down.
_RUSSIAN_SURNAMES: tuple[str, ...] = (
    "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков",
    "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов",
    "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв",
    "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв", "Сергеев", "Кузьмин", "Фролов", "Александров",
    "Дмитриев", "Гусев", "Киселёв", "Ильин", "Максимов", "Поляков", "Сорокин", "Виноградов", "Ковалёв",
    "Белов", "Антонов", "Тарасов", "Баранов", "Филиппов", "Комаров", "Давыдов", "Беляев", "Богданов",
    "Осипов", "Сидоров", "Матвеев", "Титов", "Марков", "Миронов", "Крылов", "Куликов", "Карпов", "Власов",
    "Мельников", "Денисов", "Гаврилов", "Тихонов", "Казаков", "Афанасьев", "Данилов", "Савельев",
    "Тимофеев", "Фомин", "Чернов", "Абрамов", "Мартынов", "Ефимов", "Федотов", "Щербаков", "Назаров",
    "Калинин", "Исаев", "Чернышёв", "Быков", "Маслов", "Родионов", "Коновалов", "Лазарев", "Воронин",
    "Климов", "Филатов", "Пономарёв", "Голубев", "Кудрявцев", "Прохоров", "Наумов", "Потапов", "Журавлёв",
    "Овчинников", "Трофимов", "Леонов", "Соболев", "Ермаков", "Колесников", "Гончаров", "Емельянов",
    "Никифоров", "Грачёв", "Котов", "Гришин", "Ефремов", "Архипов", "Громов", "Кириллов", "Малышев",
    "Панов", "Моисеев", "Румянцев", "Акимов", "Кондратьев", "Бирюков", "Горбунов", "Анисимов", "Ерёмин",
    "Тихомиров", "Галкин", "Лукьянов", "Михеев", "Скворцов", "Юдин", "Белоусов", "Нестеров", "Симонов",
    "Прокофьев", "Харитонов", "Князев", "Цветков", "Левин", "Митрофанов", "Воронцов", "Аксёнов", "Софронов",
    "Мальцев", "Логинов", "Горшков", "Савин", "Краснов", "Майоров", "Демидов", "Елисеев", "Рыбаков",
    "Сафонов", "Плотников", "Дёмин", "Хохлов", "Жданов", "Носков", "Кононов", "Суханов", "Рябов", "Зуев",
    "Ершов", "Панфилов", "Чистяков", "Уваров", "Корнилов", "Шестаков", "Блинов", "Кочетков", "Шубин",
    "Зыков", "Шилов", "Лапин", "Лукин", "Субботин", "Тюрин", "Костин", "Сазонов", "Рогов", "Калугин",
    "Сычёв", "Лобанов", "Пестов", "Одинцов", "Хромов", "Щукин", "Зимин", "Третьяков", "Фадеев", "Мухин",
    "Сухов", "Голованов", "Шаров", "Кулагин", "Широков", "Горелов", "Покровский", "Виноградский",
    "Успенский", "Вознесенский", "Богословский", "Преображенский", "Рождественский", "Знаменский",
    "Соколовский", "Добровольский", "Яблонский", "Каменский", "Полянский", "Садовский", "Ильинский",
    "Троицкий", "Никольский", "Козловский", "Тарасевич", "Климович", "Данилевич", "Белый", "Крутой",
    "Рыжий", "Сухой", "Кривошеев", "Вдовин", "Ситников", "Бессонов", "Веселов", "Дроздов", "Жаров",
    "Зотов", "Игнатьев", "Кабанов", "Лыков", "Мешков", "Никонов", "Овсянников", "Пахомов", "Рожков",
    "Селезнёв", "Тетерин", "Устинов", "Фокин", "Чеботарёв", "Шишкин", "Юрьев", "Ястребов",
)  # fmt: skip

# Ukrainian-language surnames, roughly from the commonest down.
_UKRAINIAN_SURNAMES: tuple[str, ...] = (
    "Мельник", "Коваленко", "Бондаренко", "Ткаченко", "Кравченко", "Ковальчук", "Бойко", "Олійник",
    "Шевчук", "Поліщук", "Коваль", "Бондар", "Ткачук", "Марченко", "Савченко", "Руденко", "Лисенко",
    "Петренко", "Клименко", "Мороз", "Павленко", "Кузьменко", "Гончаренко", "Левченко", "Савчук",
    "Романенко", "Сидоренко", "Ярошенко", "Харченко", "Литвиненко", "Лук'яненко", "Карпенко", "Остапенко",
    "Приходько", "Нестеренко", "Гаврилюк", "Мартинюк", "Яковенко", "Пономаренко", "Гнатюк", "Васильченко",
    "Симоненко", "Білик", "Демченко", "Юрченко", "Федоренко", "Данилюк", "Марчук", "Кириленко",
    "Вакуленко", "Гуменюк", "Панченко", "Стасюк", "Костенко", "Іваненко", "Чорновол", "Заїченко",
    "Гребенюк", "Онищенко", "Дорошенко", "Захарченко", "Головко", "Мирошниченко", "Вовк", "Кравець",
    "Швець", "Гуцул", "Зінченко", "Кучер", "Бабенко", "Гордієнко", "Семенко", "Андрієнко", "Антоненко",
    "Лозинський", "Ковалевський", "Сорочинський", "Білецький", "Грищенко", "Тищенко", "Кушнір", "Бабич",
    "Дяченко", "Сорока", "Кисіль", "Лук'янчук", "Власенко", "Сологуб", "Березняк", "Мазур", "Ковальський",
    "Вербицький", "Дем'яненко", "Пилипенко", "Микитюк", "Степаненко", "Олексієнко", "Тарасенко",
    "Матвієнко", "Гриценко", "Петрук", "Козак", "Рудь", "Назаренко", "Осадчий", "Гуменний", "Горобець",
    "Дудник", "Білоус", "Ярмоленко", "Кононенко", "Шаповал", "Скиба", "Бурлака", "Шульга", "Гавриленко",
    "Хоменко", "Левчук", "Литвин", "Прокопенко", "Собко", "Гнатенко", "Середа", "Безсмертний", "Головатий",
    "Рябоконь", "Криворучко", "Нечипоренко", "Сахно", "Ковтун", "Пасічник", "Рибак", "Коломієць", "Ярема",
    "Лемешко", "Гончарук", "Дмитренко", "Бутенко", "Кириченко", "Зозуля", "Дзюба", "Твердохліб",
    "Опанасенко", "Федорчук", "Кучеренко", "Мельничук", "Вдовиченко", "Гайдай", "Чумак",
    "Мацюк", "Ничипорук", "Якименко", "Гордійчук", "Тимчишин", "Кузів", "Петрів", "Іванишин", "Стефанишин",
)  # fmt: skip

# Russian forms the spelling rules would not give (from Ukrainian і that is Russian е or ы, and the like).
_RUSSIAN_SURNAME_FORMS = {
    "Олійник": "Олейник", "Білик": "Билык", "Чорновол": "Черновол", "Білоус": "Белоус",
    "Білецький": "Белецкий", "Кравець": "Кравец", "Швець": "Швец", "Горобець": "Горобец",
    "Коломієць": "Коломиец", "Кисіль": "Кисель", "Безсмертний": "Бессмертный", "Твердохліб": "Твердохлеб",
    "Кузів": "Кузив", "Петрів": "Петрив", "Рябоконь": "Рябоконь", "Олексієнко": "Алексеенко",
}  # fmt: skip

# Roots for a long tail of rarer surnames, as real lists have: Бел → Белов, Белицкий, Белкин...;
# Петр → Петренко, Петрук, Петришин...
_RUSSIAN_ROOTS = (
    "Бел", "Черн", "Сед", "Рыж", "Рус", "Крас", "Бур", "Сер", "Лыс", "Глух", "Хром", "Кос", "Кудр", "Бород",
    "Ус", "Нос", "Зуб", "Бык", "Волк", "Лис", "Медвед", "Барсук", "Бобр", "Ворон", "Галк", "Голуб", "Грач",
    "Дрозд", "Ерш", "Карп", "Сом", "Окун", "Щук", "Ястреб", "Сокол", "Кречет", "Беркут", "Орл", "Петух",
    "Гус", "Утк", "Лебед", "Жук", "Комар", "Мух", "Пчел", "Шмел", "Кот", "Козл", "Баран", "Телят", "Конюх",
    "Пастух", "Гончар", "Плотник", "Мельник", "Пекар", "Ткач", "Бондар", "Рыбак", "Охотник", "Пахар",
    "Косар", "Хлеб", "Калач", "Пирог", "Блин", "Кисел", "Квас", "Сыр", "Масл", "Крупен", "Овс", "Горох",
    "Морков", "Капуст", "Чеснок", "Малин", "Брусник", "Клюкв", "Рябин", "Берез", "Дуб", "Клен", "Ясен",
    "Лип", "Осин", "Сосн", "Кедр", "Пихт", "Ольх", "Камен", "Песк", "Глин", "Болот", "Луг", "Лес", "Гор",
    "Холм", "Озер", "Зим", "Мороз", "Снег", "Гром", "Ветр", "Зар", "Звезд", "Бубн", "Гусл", "Колокол",
    "Топор", "Молот", "Гвозд", "Серп", "Плуг", "Ковш", "Котел", "Горшк", "Самовар", "Ключ", "Замк", "Двор",
    "Терем", "Мост", "Брод", "Берег", "Остров", "Полян",
)  # fmt: skip
_RUSSIAN_ROOT_ENDINGS = ("ов", "ин", "овский", "ович", "ков", "анов", "ицкий", "кин")
_UKRAINIAN_ROOTS = (
    "Петр", "Іван", "Степан", "Остап", "Гнат", "Хом", "Лук", "Мирон", "Назар", "Тарас", "Максим", "Семен",
    "Матв", "Пилип", "Дмитр", "Олекс", "Федор", "Павл", "Сав", "Мар", "Кост", "Яр", "Богд", "Клим", "Кирил",
    "Давид", "Захар", "Макар", "Харит", "Трох", "Юхим", "Опанас", "Нестор", "Гаврил", "Дем", "Левк", "Радч",
    "Гончар", "Бондар", "Ткач", "Швед", "Кушнір", "Рибал", "Пасіч", "Кравч", "Коз", "Вовч", "Лис", "Ведмед",
    "Зай", "Сокол", "Гус", "Лебед", "Ворон", "Гороб", "Жур", "Дуб", "Явор", "Клен", "Сосн", "Вишн", "Калин",
    "Шовк", "Мед", "Сир", "Хліб", "Пшен", "Гор", "Бур", "Сив", "Руд", "Чорн", "Біл", "Лит", "Мороз", "Сніж",
    "Грим", "Вітр", "Дорош", "Гайд", "Чумач", "Козач", "Мельнич", "Сотнич", "Писар", "Дяч", "Паламар", "Гуц",
    "Луц", "Мац", "Стец", "Юрч", "Марч", "Семч", "Тимч", "Бабч", "Гнід", "Кобз", "Бандур", "Цимбал", "Чайк",
    "Ковбас", "Галуш", "Борщ", "Вареник", "Пампуш",
)  # fmt: skip
_UKRAINIAN_ROOT_ENDINGS = ("енко", "ук", "чук", "ський", "ишин", "ко", "ів", "ець", "ан")

# Best known as one famous person's name; no fictional person bears them.
_FAMOUS_SURNAMES = (
    "Шевченко", "Кравчук", "Зеленский", "Зеленський", "Порошенко", "Тимошенко", "Ющенко", "Кличко", "Кучма",
    "Бандера", "Мазепа", "Янукович", "Залужный", "Залужний", "Сырский", "Сирський", "Буданов", "Путин", "Медведев",
    "Шойгу", "Лавров", "Навальный", "Горбачёв", "Ельцин", "Брежнев", "Хрущёв", "Ленин", "Сталин", "Ульянов",
    "Пригожин", "Гагарин", "Пушкин", "Толстой", "Чехов", "Достоевский", "Тургенев", "Лермонтов", "Гоголь",
    "Булгаков", "Суворов", "Кутузов", "Жуков", "Королёв", "Менделеев", "Черненко", "Андропов", "Калашников",
    "Березовский", "Ходорковский", "Абрамович", "Сечин", "Кадыров", "Герасимов", "Ярош", "Корольов", "Калашніков",
)  # fmt: skip

_UNIT_CODEWORDS = (
    ("Ясень", "Ясен"), ("Сокол", "Сокіл"), ("Берёза", "Береза"), ("Клён", "Клен"), ("Дуб", "Дуб"),
    ("Тополь", "Тополя"), ("Кедр", "Кедр"), ("Рябина", "Горобина"), ("Орешник", "Ліщина"), ("Сосна", "Сосна"),
    ("Верба", "Верба"), ("Липа", "Липа"),
)  # fmt: skip
# "Notional unit": plainly not a real unit's name or number.
_UNITS = {
    "ru": tuple(f"условная часть «{ru}-{n}»" for (ru, _uk), n in itertools.product(_UNIT_CODEWORDS, range(1, 41))),
    "uk": tuple(f"умовна частина «{uk}-{n}»" for (_ru, uk), n in itertools.product(_UNIT_CODEWORDS, range(1, 41))),
}
_SERVICE_PREFIXES = tuple(a + b for a, b in itertools.product("АБВГДЕЖИКЛМНПРСТ", repeat=2))

_RU_VOWELS = "аеёиоуыэюя"
_UK_VOWELS = "аеєиіїоуюя"
_VOWELS = frozenset(_RU_VOWELS + _UK_VOWELS)
_APOSTROPHES = "'’ʼ"


# Spelling a name in the other language -------------------------------------


def _ukrainian_spelling(surname: str) -> str:
    """How a Ukrainian list spells a Russian-language surname: Никитин → Нікітін, Григорьев → Григор'єв."""
    word = surname.lower()
    for russian, ukrainian in (("ский", "ський"), ("цкий", "цький"), ("ый", "ий")):
        if word.endswith(russian):
            word = word[: -len(russian)] + ukrainian
            break
    keep_i = len(word) - 2 if word.endswith(("ий", "ич")) else -1
    out = []
    for i, char in enumerate(word):
        prev = word[i - 1] if i else ""
        nxt = word[i + 1] if i + 1 < len(word) else ""
        if char == "и":
            if i == keep_i or (prev and prev in "жчшщц"):
                out.append("и")
            elif prev == "ь" or (prev and prev in _VOWELS):
                out.append("ї")
            else:
                out.append("і")
        elif char == "ы":
            out.append("и")
        elif char == "э":
            out.append("е")
        elif char == "е":
            out.append("є" if not prev or prev in _VOWELS or prev in "ьъ" else "е")
        elif char == "ё":
            if prev and prev in "жчшщ":
                out.append("о")
            elif not prev or prev in _VOWELS or prev == "ь":
                out.append("йо")
            elif prev == "л":
                out.append("ьо")
            else:
                out.append("е")
        elif char == "ь":
            if nxt == "ё":
                continue
            out.append("'" if nxt in ("е", "ю", "я") and prev in "рбпвмф" else "ь")
        elif char == "ъ":
            out.append("'")
        else:
            out.append(char)
    spelled = "".join(out)
    return spelled[:1].upper() + spelled[1:]


def _russian_spelling(surname: str) -> str:
    """How a Russian list spells a Ukrainian-language surname: Поліщук → Полищук, Ковальов → Ковалёв."""
    if surname in _RUSSIAN_SURNAME_FORMS:
        return _RUSSIAN_SURNAME_FORMS[surname]
    word = surname.lower()
    if word.endswith(("ський", "цький")):
        word = word[:-3] + "кий"
    elif word.endswith("ий"):
        word = word[:-2] + ("ий" if word[-3:-2] in ("к", "г", "х", "ж", "ч", "ш", "щ") else "ый")
    elif word.endswith("ць"):
        word = word[:-1]  # Швець → Швец
    out = []
    for i, char in enumerate(word):
        prev = word[i - 1] if i else ""
        nxt = word[i + 1] if i + 1 < len(word) else ""
        if char in "іїи":
            out.append("и")
        elif char == "є":
            out.append("е")
        elif char == "ґ":
            out.append("г")
        elif char in _APOSTROPHES:
            # Лук'яненко → Лукьяненко, but В'ячеслав → Вячеслав.
            out.append("ь" if nxt in ("є", "ю", "я", "ї") and prev not in "бвпф" else "")
        elif char == "ь" and nxt == "о":
            out.append("")
        elif char == "о" and prev == "ь":
            out.append("ё")
        elif char == "й" and nxt == "о" and prev and prev not in _VOWELS:
            out.append("ь")
        elif char == "о" and prev == "й" and i >= 2 and word[i - 2] not in _VOWELS:
            out.append("ё")
        else:
            out.append(char)
    spelled = "".join(out)
    return spelled[:1].upper() + spelled[1:]


def _feminine_russian(surname: str) -> str:
    for male, female in (("ый", "ая"), ("ой", "ая"), ("ий", "ая")):  # Покровский → Покровская, Рыжий → Рыжая
        if surname.endswith(male):
            return surname[: -len(male)] + female
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    return surname


def _feminine_ukrainian(surname: str) -> str:
    for male, female in (("ий", "а"), ("ой", "а")):  # Білецький → Білецька, Осадчий → Осадча
        if surname.endswith(male):
            return surname[: -len(male)] + female
    if surname.endswith(("ов", "ев", "єв", "ьов", "йов", "ін", "їн", "ин")):
        return surname + "а"
    return surname


def _feminine_russian_patronymic(patronymic: str) -> str:
    irregular = {
        "Ильич": "Ильинична", "Никитич": "Никитична", "Кузьмич": "Кузьминична", "Фомич": "Фоминична",
        "Лукич": "Лукинична",
    }  # fmt: skip
    if patronymic in irregular:
        return irregular[patronymic]
    return patronymic[:-2] + "на"  # -ович → -овна, -евич → -евна


def _feminine_ukrainian_patronymic(patronymic: str) -> str:
    irregular = {"Ілліч": "Іллівна", "Кузьмич": "Кузьмівна", "Хомич": "Хомівна", "Лукич": "Луківна"}
    if patronymic in irregular:
        return irregular[patronymic]
    if patronymic.endswith("йович"):
        return patronymic[:-5] + "ївна"  # Миколайович → Миколаївна
    if patronymic.endswith("ьович"):
        return patronymic[:-4] + "ївна"  # Васильович → Васильївна
    return patronymic[:-4] + "івна"  # Петрович → Петрівна


@dataclass(frozen=True, slots=True)
class _Given:
    ru: str
    uk: str
    female: bool
    ru_patronymic: str = ""
    uk_patronymic: str = ""
    ru_patronymic_f: str = ""
    uk_patronymic_f: str = ""

    def form(self, language: str) -> str:
        return self.uk if language == "uk" else self.ru

    def patronymic(self, language: str, *, female: bool) -> str:
        if language == "uk":
            return self.uk_patronymic_f if female else self.uk_patronymic
        return self.ru_patronymic_f if female else self.ru_patronymic


@dataclass(frozen=True, slots=True)
class _Surname:
    ru: str
    uk: str
    ru_f: str
    uk_f: str

    def form(self, language: str, *, female: bool) -> str:
        if language == "uk":
            return self.uk_f if female else self.uk
        return self.ru_f if female else self.ru


class _Weighted:
    """Draws items with fixed weights, by bisecting the running total."""

    def __init__(self, items: Sequence, weights: Sequence[float]):
        self.items = tuple(items)
        self.totals = list(itertools.accumulate(weights))
        self.total = self.totals[-1]

    def draw(self, rng: random.Random):
        return self.items[bisect.bisect_right(self.totals, rng.random() * self.total)]


def _zipf(count: int, *, offset: float, exponent: float) -> list[float]:
    return [1 / (rank + offset) ** exponent for rank in range(count)]


def _surname_catalog() -> tuple[list[_Surname], list[_Surname]]:
    """Russian-language and Ukrainian-language surnames, commonest first, each in both spellings."""
    seen: set[str] = set()
    # Nor a surname that reads as a patronymic (root + -ович).
    excluded = set(_FAMOUS_SURNAMES) | {p for entry in _MALE_NAMES for p in (entry[1], entry[3])}

    def entry(ru: str, uk: str) -> _Surname | None:
        if any(form in seen or form in excluded for form in (ru, uk)):
            return None
        seen.update((ru, uk))
        return _Surname(ru, uk, _feminine_russian(ru), _feminine_ukrainian(uk))

    russian = [entry(ru, _ukrainian_spelling(ru)) for ru in _RUSSIAN_SURNAMES]
    ukrainian = [entry(_russian_spelling(uk), uk) for uk in _UKRAINIAN_SURNAMES]
    for root, ending in itertools.product(_RUSSIAN_ROOTS, _RUSSIAN_ROOT_ENDINGS):
        if ending in ("ков", "кин") and root[-1] == "к":
            continue
        ru = root + ending
        russian.append(entry(ru, _ukrainian_spelling(ru)))
    for root, ending in itertools.product(_UKRAINIAN_ROOTS, _UKRAINIAN_ROOT_ENDINGS):
        if (
            (ending in ("чук", "ський") and root[-1] in "чцшщжсз")
            or (ending in ("ук", "ко") and root[-1] == "к")
            or (ending == "ець" and root[-1] == "ц")
        ):
            continue
        uk = root + ending
        ukrainian.append(entry(_russian_spelling(uk), uk))
    return [s for s in russian if s], [s for s in ukrainian if s]


def _given_catalog() -> tuple[list[_Given], list[_Given]]:
    male = [
        _Given(
            ru,
            uk,
            False,
            ru_patronymic,
            uk_patronymic,
            _feminine_russian_patronymic(ru_patronymic),
            _feminine_ukrainian_patronymic(uk_patronymic),
        )
        for ru, ru_patronymic, uk, uk_patronymic in _MALE_NAMES
    ]
    female = [_Given(ru, uk, True) for ru, uk in _FEMALE_NAMES]
    return male, female


_SURNAMES_RU_ORIGIN, _SURNAMES_UK_ORIGIN = _surname_catalog()
_MALE_GIVEN, _FEMALE_GIVEN = _given_catalog()
_FATHERS = sorted(
    _MALE_GIVEN, key=lambda g: _COMMON_FATHERS.index(g.ru) if g.ru in _COMMON_FATHERS else len(_COMMON_FATHERS)
)

_DRAW_SURNAME = {
    "ru": _Weighted(_SURNAMES_RU_ORIGIN, _zipf(len(_SURNAMES_RU_ORIGIN), offset=20, exponent=1.0)),
    "uk": _Weighted(_SURNAMES_UK_ORIGIN, _zipf(len(_SURNAMES_UK_ORIGIN), offset=20, exponent=1.0)),
}
# Share of people whose surname is of the other language's type (many Ukrainians bear Russian-type surnames).
_OTHER_ORIGIN_SURNAME = {"ru": 0.15, "uk": 0.30}
_DRAW_MALE = _Weighted(_MALE_GIVEN, _zipf(len(_MALE_GIVEN), offset=4, exponent=1.1))
_DRAW_FEMALE = _Weighted(_FEMALE_GIVEN, _zipf(len(_FEMALE_GIVEN), offset=4, exponent=0.8))
_DRAW_FATHER = _Weighted(_FATHERS, _zipf(len(_FATHERS), offset=4, exponent=1.0))

# Every spelling back to its catalogue entry, for turning one language's form into the other's.
# A surname that is the same for women and men (Коваленко) maps to the man's form.
_SURNAME_BY_FORM: dict[tuple[str, str], tuple[_Surname, bool]] = {
    (language, surname.form(language, female=female)): (surname, female)
    for surname in _SURNAMES_RU_ORIGIN + _SURNAMES_UK_ORIGIN
    for language in ("ru", "uk")
    for female in (True, False)
}
_GIVEN_BY_FORM = {(lang, g.form(lang)): g for g in _MALE_GIVEN + _FEMALE_GIVEN for lang in ("ru", "uk")}
_FATHER_BY_PATRONYMIC: dict[tuple[str, str], _Given] = {
    (lang, g.patronymic(lang, female=female)): g
    for g in _MALE_GIVEN
    for lang in ("ru", "uk")
    for female in (False, True)
}


def _name_in(person: Person, language: str) -> tuple[str, str, str]:
    """The person's (surname, given name, patronymic) as a list in ``language`` writes them."""
    if language == person.language:
        return person.surname, person.given_name, person.patronymic
    surname, female = _SURNAME_BY_FORM[(person.language, person.surname)]
    given = _GIVEN_BY_FORM[(person.language, person.given_name)]
    father = _FATHER_BY_PATRONYMIC[(person.language, person.patronymic)]
    return (
        surname.form(language, female=female),
        given.form(language),
        father.patronymic(language, female=given.female),
    )


def _identity(person: Person) -> tuple[str, str, str]:
    """The same for one person whichever language his record is in."""
    return _name_in(person, "ru")


# Transliteration -------------------------------------------------------------

# A rule: a Cyrillic letter or pair, the condition on the letters before and
# after it ("" at a word's start or end), and its Latin spelling there.
_Condition = Callable[[str, str], bool]
_Rule = tuple[str, _Condition, str]


def _anywhere(prev: str, nxt: str) -> bool:
    return True


def _at_start(prev: str, nxt: str) -> bool:
    return not prev


def _at_end(prev: str, nxt: str) -> bool:
    return not nxt


def _between_vowels(prev: str, nxt: str) -> bool:
    return prev in _VOWELS and nxt in _VOWELS


def _after(letters: str, *, or_start: bool = False, at_end: bool = False, not_at_end: bool = False) -> _Condition:
    def condition(prev: str, nxt: str) -> bool:
        if (at_end and nxt) or (not_at_end and not nxt):
            return False
        return (or_start and not prev) or (bool(prev) and prev in letters)

    return condition


def _before(letters: str) -> _Condition:
    def condition(prev: str, nxt: str) -> bool:
        return bool(nxt) and nxt in letters

    return condition


@dataclass(frozen=True)
class _Table:
    letters: Mapping[str, str]
    rules: tuple[_Rule, ...] = ()
    # Rules for surnames only, before the others (French: Шубин → Choubine, but Валентин → Valentin).
    surname_rules: tuple[_Rule, ...] = ()

    def spell(self, text: str, *, surname: bool = False) -> str:
        rules_by_letter: dict[str, list[_Rule]] = {}
        for rule in (*self.surname_rules, *self.rules) if surname else self.rules:
            rules_by_letter.setdefault(rule[0][0], []).append(rule)
        return " ".join("-".join(self._word(part, rules_by_letter) for part in w.split("-")) for w in text.split(" "))

    def _word(self, word: str, rules_by_letter: dict[str, list[_Rule]]) -> str:
        lower = word.lower()
        out = []
        i = 0
        while i < len(lower):
            char = lower[i]
            prev = lower[i - 1] if i else ""
            latin, width = None, 1
            for sequence, condition, spelling in rules_by_letter.get(char, ()):
                nxt = lower[i + len(sequence)] if i + len(sequence) < len(lower) else ""
                if lower.startswith(sequence, i) and condition(prev, nxt):
                    latin, width = spelling, len(sequence)
                    break
            if latin is None:
                latin = self.letters.get(char, char)
            if word[i] != char and latin:
                latin = latin[0].upper() + latin[1:]
            out.append(latin)
            i += width
        return "".join(out)


_ICAO_9303 = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e", "є": "ie", "ж": "zh",
    "з": "z", "и": "i", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "ie", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
}  # fmt: skip
_NO_APOSTROPHE = dict.fromkeys(_APOSTROPHES, "")

# GOST 7.79-2000, system B (Russian).
_GOST_7_79 = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z", "и": "i",
    "й": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "x", "ц": "cz", "ч": "ch", "ш": "sh", "щ": "shh", "ъ": "``", "ы": "y`",
    "ь": "`", "э": "e`", "ю": "yu", "я": "ya",
}  # fmt: skip

_BGN_PCGN_RU = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "ë", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "ʺ", "ы": "y",
    "ь": "ʹ", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip
# BGN/PCGN for Ukrainian (1965).
_BGN_PCGN_UK = {
    **{k: v for k, v in _BGN_PCGN_RU.items() if k not in "ёъыэ"},
    "г": "h", "ґ": "g", "є": "ye", "и": "y", "і": "i", "ї": "yi", **dict.fromkeys(_APOSTROPHES, "ˮ"),
}  # fmt: skip

# The scholarly system of Slavists (х as "ch", as German Slavists write it).
_SCIENTIFIC_RU = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "ë", "ж": "ž", "з": "z", "и": "i",
    "й": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "ch", "ц": "c", "ч": "č", "ш": "š", "щ": "šč", "ъ": "ʺ", "ы": "y", "ь": "ʹ",
    "э": "è", "ю": "ju", "я": "ja",
}  # fmt: skip
_SCIENTIFIC_UK = {
    **{k: v for k, v in _SCIENTIFIC_RU.items() if k not in "ёъыэ"},
    "г": "h", "ґ": "g", "є": "je", "и": "y", "і": "i", "ї": "ji", **dict.fromkeys(_APOSTROPHES, "ʺ"),
}  # fmt: skip

# Ukrainian, the national system of 2010 (Cabinet of Ministers resolution 55), as in passports.
_UKRAINIAN_2010 = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh", "з": "z",
    "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ь": "", "ю": "iu", "я": "ia", **_NO_APOSTROPHE,
}  # fmt: skip

_GERMAN_RU = {
    "а": "a", "б": "b", "в": "w", "г": "g", "д": "d", "е": "e", "ё": "jo", "ж": "sch", "з": "s", "и": "i",
    "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "ch", "ц": "z", "ч": "tsch", "ш": "sch", "щ": "schtsch", "ъ": "", "ы": "y",
    "ь": "", "э": "e", "ю": "ju", "я": "ja",
}  # fmt: skip
_GERMAN_UK = {
    **{k: v for k, v in _GERMAN_RU.items() if k not in "ёъыэ"},
    "г": "h", "ґ": "g", "є": "je", "и": "y", "і": "i", "ї": "ji", "й": "j", **_NO_APOSTROPHE,
}  # fmt: skip

_FRENCH_RU = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "io", "ж": "j", "з": "z", "и": "i",
    "й": "ï", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "ou", "ф": "f", "х": "kh", "ц": "ts", "ч": "tch", "ш": "ch", "щ": "chtch", "ъ": "", "ы": "y",
    "ь": "", "э": "e", "ю": "iou", "я": "ia",
}  # fmt: skip
_FRENCH_UK = {
    **{k: v for k, v in _FRENCH_RU.items() if k not in "ёъыэ"},
    "г": "h", "ґ": "g", "є": "ie", "и": "y", "і": "i", "ї": "ï", **_NO_APOSTROPHE,
}  # fmt: skip

_INFORMAL_RU = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i", "к": "k",
    "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f",
    "ч": "ch", "ш": "sh", "ъ": "", "ы": "y", "э": "e",
}  # fmt: skip
_INFORMAL_UK = {
    **{k: v for k, v in _INFORMAL_RU.items() if k not in "ъыэ"},
    "г": "h", "ґ": "g", "и": "y", "і": "i", **_NO_APOSTROPHE,
}  # fmt: skip
# Letters people typing in a hurry spell one of several ways (the first is the commonest);
# each writer keeps one habit through a whole name.
_INFORMAL_HABITS = {
    "ru": {
        "ё": ("yo", "e", "io"), "й": ("y", "i", "j"), "х": ("kh", "h"), "ц": ("ts", "c", "tz"),
        "щ": ("sch", "shch", "sh"), "ь": ("", "'"), "ю": ("yu", "iu", "ju"), "я": ("ya", "ia", "ja"),
        "е_start": ("ye", "e"), "ий_end": ("iy", "y", "ii", "ij"), "ый_end": ("y", "iy"), "кс": ("ks", "x"),
    },
    "uk": {
        "є": ("ye", "ie", "e"), "ї": ("yi", "i", "ji"), "й": ("y", "i", "j"), "х": ("kh", "h"),
        "ц": ("ts", "c"), "щ": ("shch", "sch"), "ь": ("", "'"), "ю": ("yu", "iu"), "я": ("ya", "ia"),
        "ій_end": ("iy", "ii", "ij", "y"), "ий_end": ("yi", "iy", "y"),
    },
}  # fmt: skip

_GERMAN_RU_RULES: tuple[_Rule, ...] = (
    ("е", _after(_RU_VOWELS + "ьъ", or_start=True), "je"),
    ("ьо", _anywhere, "jo"),
    ("ьи", _anywhere, "ji"),
    ("кс", _anywhere, "x"),
    ("й", _after("иы", at_end=True), ""),
    ("й", _before(_RU_VOWELS), "j"),
    ("й", _after("иы", not_at_end=True), "j"),
    ("с", _between_vowels, "ss"),
)
_GERMAN_UK_RULES: tuple[_Rule, ...] = (
    ("ьо", _anywhere, "jo"),
    ("с", _between_vowels, "ss"),
)


def _french_rules(language: str, ov: str) -> tuple[_Rule, ...]:
    rules: list[_Rule] = [
        ("ьо", _anywhere, "io"),
        ("ьи", _anywhere, "yi"),
        ("я", _after("иі"), "a"),  # Мария → Maria
        ("й", _after("иы", at_end=True), ""),
        ("й", _at_start, "i"),
        ("с", _between_vowels, "ss"),
        ("в", _after("оеё", at_end=True), "v" if ov == "ov" else "ff"),
    ]
    if language == "ru":
        rules += [
            ("е", _after(_RU_VOWELS + "ьъ", or_start=True), "ie"),
            ("ё", _after("жчшщ"), "o"),
            ("г", _before("еёиыэйюяіє"), "gu"),
        ]
    return tuple(rules)


def _informal_table(language: str, habit: Mapping[str, str]) -> _Table:
    letters = dict(_INFORMAL_RU if language == "ru" else _INFORMAL_UK)
    letters.update({k: v for k, v in habit.items() if len(k) == 1})
    rules: list[_Rule] = []
    if language == "ru":
        rules += [
            ("ий", _at_end, habit["ий_end"]),
            ("ый", _at_end, habit["ый_end"]),
            ("е", _at_start, habit["е_start"]),
            ("кс", _anywhere, habit["кс"]),
            ("ё", _after("жчшщ"), "o"),
        ]
    else:
        rules += [("ій", _at_end, habit["ій_end"]), ("ий", _at_end, habit["ий_end"])]
    return _Table(letters, tuple(rules))


def _choose_habit(options: Mapping[str, Sequence[str]], rng: random.Random | None) -> dict[str, str]:
    """One spelling per letter; the commonest without ``rng``, else weighted towards the commonest."""
    if rng is None:
        return {key: choices[0] for key, choices in options.items()}
    return {key: rng.choices(choices, weights=range(len(choices) * 2, 0, -2))[0] for key, choices in options.items()}


def _table(scheme: str, language: str, rng: random.Random | None = None) -> _Table:
    """The scheme's spelling of a name written in ``language``; ``rng`` picks the habits of the loose schemes."""
    if scheme == "icao_9303":
        return _Table({**_ICAO_9303, **_NO_APOSTROPHE})
    if scheme == "gost_7_79":
        return _Table(_GOST_7_79, (("ц", _before("еёиыйэюяіє"), "c"),))
    if scheme == "bgn_pcgn":
        if language == "uk":
            return _Table(_BGN_PCGN_UK)
        ye = _after(_RU_VOWELS + "йъь", or_start=True)
        return _Table(
            _BGN_PCGN_RU, (("е", ye, "ye"), ("ё", ye, "yë"), ("тс", _anywhere, "t·s"), ("шч", _anywhere, "sh·ch"))
        )
    if scheme == "scientific":
        return _Table(_SCIENTIFIC_UK if language == "uk" else _SCIENTIFIC_RU)
    if scheme == "ukrainian_2010":
        rules = tuple(
            (letter, _at_start, latin)
            for letter, latin in (("є", "ye"), ("ї", "yi"), ("й", "y"), ("ю", "yu"), ("я", "ya"))
        )
        return _Table(_UKRAINIAN_2010, (*rules, ("зг", _anywhere, "zgh")))
    if scheme == "german":
        # Duden writes ж "sch"; the second spelling it gives, "sh", keeps it apart from ш.
        zh = rng.choice(("sch", "sh")) if rng else "sch"
        if language == "uk":
            return _Table({**_GERMAN_UK, "ж": zh}, _GERMAN_UK_RULES)
        after_hushing = tuple(
            (h + "ё", _anywhere, latin + "o") for h, latin in (("ж", zh), ("ч", "tsch"), ("ш", "sch"), ("щ", "schtsch"))
        )
        return _Table({**_GERMAN_RU, "ж": zh}, (*after_hushing, *_GERMAN_RU_RULES))
    if scheme == "french":
        ov = "off" if rng and rng.random() < 0.2 else "ov"
        if language == "uk":
            return _Table(_FRENCH_UK, _french_rules(language, ov))
        return _Table(_FRENCH_RU, _french_rules(language, ov), (("н", _after("иы", at_end=True), "ne"),))
    if scheme == "informal":
        return _informal_table(language, _choose_habit(_INFORMAL_HABITS[language], rng))
    raise ValueError(f"Unknown transliteration scheme: {scheme}")


def transliterate(
    text: str, scheme: str, *, language: str = "ru", surname: bool = False, rng: random.Random | None = None
) -> str:
    """``text`` (a Russian name, or a Ukrainian one with ``language="uk"``) in a Latin ``scheme``.

    ``surname``: the text is a surname, which some schemes spell apart (French -ин → -ine).

    The loose schemes ("informal", "german"'s ж, "french"'s -ов) take the
    commonest spelling unless ``rng`` picks one.
    """
    return _table(scheme, language, rng).spell(text, surname=surname)


# The pool --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Draft:
    """A pool person with the catalogue entries his name came from, to make relatives of."""

    person: Person
    surname: _Surname
    given: _Given
    father: _Given


def _seed_number(seed: int | str) -> int:
    """A number from the seed, the same in every run (unlike ``hash()`` of a string)."""
    return seed * 1_000_003 if isinstance(seed, int) else int.from_bytes(seed.encode()[:8], "big")


def _birth_date(rng: random.Random) -> datetime.date:
    ordinal = rng.triangular(EARLIEST_BIRTH.toordinal(), LATEST_BIRTH.toordinal(), COMMONEST_BIRTH.toordinal())
    return datetime.date.fromordinal(int(ordinal))


def _other_birth_date(rng: random.Random, than: datetime.date) -> datetime.date:
    while (date := _birth_date(rng)) == than:
        pass
    return date


def _sibling_birth_date(rng: random.Random, of: datetime.date) -> datetime.date:
    """Born 1 to 8 years before or after ``of``."""
    days = rng.randint(366, 8 * 365)
    if rng.random() < 0.5:
        days = -days
    date = of + datetime.timedelta(days=days)
    if not EARLIEST_BIRTH <= date <= LATEST_BIRTH:
        # The other way round is then within the range: nobody is born near both ends.
        date = of - datetime.timedelta(days=days)
    return date


class _Generator:
    def __init__(self, *, seed: int | str, female_share: float, ukrainian_share: float):
        self.rng = random.Random(seed)  # noqa: S311 -- test data, not secrets
        self.number_offset = _seed_number(seed)
        self.female_share = female_share
        self.ukrainian_share = ukrainian_share

    def language(self) -> str:
        return "uk" if self.rng.random() < self.ukrainian_share else "ru"

    def surname(self, language: str) -> _Surname:
        other = self.rng.random() < _OTHER_ORIGIN_SURNAME[language]
        origin = ("ru" if language == "uk" else "uk") if other else language
        return _DRAW_SURNAME[origin].draw(self.rng)

    def different(self, draw: _Weighted, than: _Given) -> _Given:
        while (given := draw.draw(self.rng)) is than:
            pass
        return given

    def person(
        self,
        index: int,
        *,
        language: str,
        surname: _Surname,
        given: _Given,
        father: _Given,
        date_of_birth: datetime.date,
    ) -> _Draft:
        rng = self.rng
        # Unique within a pool: the index times a number prime to 10**7, shifted by the seed.
        number = (index * 3_141_593 + self.number_offset) % 10_000_000
        person = Person(
            external_ref=f"SYN-{index:07d}" if index >= 0 else "",
            surname=surname.form(language, female=given.female),
            given_name=given.form(language),
            patronymic=father.patronymic(language, female=given.female),
            date_of_birth=date_of_birth,
            service_number=f"{_SERVICE_PREFIXES[rng.randrange(len(_SERVICE_PREFIXES))]}-{number:07d}",
            unit=_UNITS[language][rng.randrange(len(_UNITS[language]))],
            language=language,
        )
        return _Draft(person, surname, given, father)

    def fresh(self, index: int) -> _Draft:
        rng = self.rng
        language = self.language()
        female = rng.random() < self.female_share
        return self.person(
            index,
            language=language,
            surname=self.surname(language),
            given=(_DRAW_FEMALE if female else _DRAW_MALE).draw(rng),
            father=_DRAW_FATHER.draw(rng),
            date_of_birth=_birth_date(rng),
        )

    def namesake(self, index: int, of: _Draft) -> _Draft:
        return self.person(
            index,
            language=of.person.language,
            surname=of.surname,
            given=of.given,
            father=self.different(_DRAW_FATHER, of.father),
            date_of_birth=_other_birth_date(self.rng, of.person.date_of_birth),
        )

    def brother(self, index: int, of: _Draft) -> _Draft:
        return self.person(
            index,
            language=of.person.language,
            surname=of.surname,
            given=self.different(_DRAW_MALE, of.given),
            father=of.father,
            date_of_birth=_sibling_birth_date(self.rng, of.person.date_of_birth),
        )


def iter_pool_with_relations(
    size: int,
    *,
    seed: int = 0,
    namesake_share: float = DEFAULT_NAMESAKE_SHARE,
    brother_share: float = DEFAULT_BROTHER_SHARE,
    female_share: float = DEFAULT_FEMALE_SHARE,
    ukrainian_share: float = DEFAULT_UKRAINIAN_SHARE,
) -> Iterator[tuple[Person, Relation]]:
    """``iter_pool``, each person with how he came about (fresh, or a namesake or brother of whom)."""
    generator = _Generator(seed=seed, female_share=female_share, ukrainian_share=ukrainian_share)
    rng = generator.rng
    recent_men: deque[_Draft] = deque(maxlen=RELATIVE_WINDOW)
    for index in range(size):
        roll = rng.random()
        if recent_men and roll < namesake_share + brother_share:
            relative = recent_men[rng.randrange(len(recent_men))]
            if roll < namesake_share:
                draft, relation = generator.namesake(index, relative), "namesake"
            else:
                draft, relation = generator.brother(index, relative), "brother"
            yield draft.person, Relation(relation, relative.person.external_ref)
        else:
            draft = generator.fresh(index)
            yield draft.person, Relation("fresh")
        if not draft.given.female:
            recent_men.append(draft)


def iter_pool(
    size: int,
    *,
    seed: int = 0,
    namesake_share: float = DEFAULT_NAMESAKE_SHARE,
    brother_share: float = DEFAULT_BROTHER_SHARE,
    female_share: float = DEFAULT_FEMALE_SHARE,
    ukrainian_share: float = DEFAULT_UKRAINIAN_SHARE,
) -> Iterator[Person]:
    """``size`` fictional people, one at a time; the same ``seed`` gives the same people.

    About ``namesake_share`` of them are namesakes of someone generated shortly
    before (same surname and given name, another patronymic and birthday) and
    ``brother_share`` brothers (same surname and patronymic, another given
    name, born 1-8 years apart).
    """
    for person, _relation in iter_pool_with_relations(
        size,
        seed=seed,
        namesake_share=namesake_share,
        brother_share=brother_share,
        female_share=female_share,
        ukrainian_share=ukrainian_share,
    ):
        yield person


def pool(
    size: int,
    *,
    seed: int = 0,
    namesake_share: float = DEFAULT_NAMESAKE_SHARE,
    brother_share: float = DEFAULT_BROTHER_SHARE,
    female_share: float = DEFAULT_FEMALE_SHARE,
    ukrainian_share: float = DEFAULT_UKRAINIAN_SHARE,
) -> list[Person]:
    """``iter_pool`` as a list."""
    return list(
        iter_pool(
            size,
            seed=seed,
            namesake_share=namesake_share,
            brother_share=brother_share,
            female_share=female_share,
            ukrainian_share=ukrainian_share,
        )
    )


def write_csv(path: str | Path, people: Iterable[Person]) -> int:
    """Write ``people`` as UTF-8 CSV in the import command's format; returns how many."""
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(CSV_HEADER)
        for person in people:
            writer.writerow(
                (
                    person.external_ref,
                    person.surname,
                    person.given_name,
                    person.patronymic,
                    person.date_of_birth.isoformat(),
                    person.service_number,
                    person.unit,
                )
            )
            count += 1
    return count


# Queries ---------------------------------------------------------------------

_CYRILLIC_KEYBOARD = ("йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю", "йцукенгшщзхї", "фівапролджє")
_LATIN_KEYBOARD = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _date_text(date: datetime.date, precision: str) -> str:
    if precision == "day":
        return date.isoformat()
    if precision == "month":
        return f"{date.year:04d}-{date.month:02d}"
    if precision == "year":
        return f"{date.year:04d}"
    return ""


def _swapped_date_text(date: datetime.date) -> str:
    return datetime.date(date.year, date.day, date.month).isoformat()


def _can_swap_date(person: Person) -> bool:
    return person.date_of_birth.day <= 12 and person.date_of_birth.day != person.date_of_birth.month


def _latin_name(person: Person, scheme: str, rng: random.Random) -> tuple[str, str, str]:
    """The name as a list using ``scheme`` writes it: from the form of the language the scheme serves.

    Russian official systems spell the Russian form, the Ukrainian one the
    Ukrainian form; the others mostly spell a Ukrainian record's own form, and
    sometimes its Russian form, as Russian-sourced papers do.
    """
    if scheme in ("icao_9303", "gost_7_79"):
        language = "ru"
    elif scheme == "ukrainian_2010":
        language = "uk"
    elif person.language == "uk":
        language = "uk" if rng.random() < 0.7 else "ru"
    else:
        language = "ru"
    return _spell_name(_table(scheme, language, rng), _name_in(person, language))


def _spell_name(table: _Table, name: tuple[str, str, str]) -> tuple[str, str, str]:
    surname, given, patronymic = name
    return table.spell(surname, surname=True), table.spell(given), table.spell(patronymic)


def _passport_name(person: Person, language: str) -> tuple[str, str, str]:
    """As a passport of ``language``'s country spells the name: ICAO 9303 for Russian, the 2010 system for Ukrainian."""
    scheme = "ukrainian_2010" if language == "uk" else "icao_9303"
    return _spell_name(_table(scheme, language), _name_in(person, language))


def _other_language(language: str) -> str:
    return "uk" if language == "ru" else "ru"


def _some_rendering(person: Person, rng: random.Random) -> tuple[str, str, str]:
    """The name as a list whose trouble lies elsewhere writes it: mostly the record's own form."""
    roll = rng.random()
    if roll < 0.6:
        return _name_in(person, person.language)
    if roll < 0.7:
        return _name_in(person, _other_language(person.language))
    language = person.language if rng.random() < 0.8 else _other_language(person.language)
    if rng.random() < 0.25:
        return _spell_name(_table("informal", language, rng), _name_in(person, language))
    return _passport_name(person, language)


def _typo(word: str, rng: random.Random) -> str:
    """``word`` with one letter substituted, inserted, deleted or two neighbours transposed."""
    lower = word.lower()
    latin = all(char.isascii() for char in lower)
    rows = _LATIN_KEYBOARD if latin else _CYRILLIC_KEYBOARD
    alphabet = "".join(dict.fromkeys("".join(rows)))

    def neighbour(char: str) -> str:
        for row in rows:
            if char in row:
                at = row.index(char)
                return rng.choice(row[max(at - 1, 0) : at] + row[at + 1 : at + 2])
        return rng.choice(alphabet)

    for _attempt in range(20):
        operation = rng.choice(("substitute", "insert", "delete", "transpose"))
        at = rng.randrange(len(lower))
        if operation == "substitute":
            letter = neighbour(lower[at]) if rng.random() < 0.7 else rng.choice(alphabet)
            changed = lower[:at] + letter + lower[at + 1 :]
        elif operation == "insert":
            letter = lower[at] if rng.random() < 0.5 else neighbour(lower[at])
            changed = lower[:at] + letter + lower[at:]
        elif operation == "delete" and len(lower) > 3:
            changed = lower[:at] + lower[at + 1 :]
        elif operation == "transpose" and at + 1 < len(lower) and lower[at] != lower[at + 1]:
            changed = lower[:at] + lower[at + 1] + lower[at] + lower[at + 2 :]
        else:
            continue
        if changed != lower:
            return changed[:1].upper() + changed[1:]
    return word + ("a" if latin else "а")


class _QueryWriter:
    def __init__(self, rng: random.Random, *, full_date_share: float, service_number_share: float):
        self.rng = rng
        self.full_date_share = full_date_share
        self.service_number_share = service_number_share

    def date(self, person: Person) -> str:
        """The full date for ``full_date_share`` of queries; otherwise none, or just the year or month."""
        rng = self.rng
        if rng.random() < self.full_date_share:
            return _date_text(person.date_of_birth, "day")
        roll = rng.random()
        return _date_text(person.date_of_birth, "none" if roll < 0.5 else "year" if roll < 0.8 else "month")

    def service_number(self, person: Person) -> str:
        return person.service_number if self.rng.random() < self.service_number_share else ""

    def query(self, kind: str, person: Person, *, expected_ref: str | None) -> VariantQuery:
        rng = self.rng
        date = None
        if kind == "cyrillic_exact":
            name = _name_in(person, person.language)
        elif kind == "ukrainian_forms":
            name = _name_in(person, "uk")
        elif kind == "russian_forms":
            name = _name_in(person, "ru")
        elif kind in LATIN_SCHEMES:
            name = _latin_name(person, kind, rng)
        elif kind == "typo":
            if rng.random() < 0.5:
                surname, given, patronymic = _name_in(person, person.language)
            else:
                surname, given, patronymic = _passport_name(person, person.language)
            if rng.random() < 0.6:
                surname = _typo(surname, rng)
            else:
                given = _typo(given, rng)
            name = (surname, given, patronymic)
        elif kind == "swapped_order":
            surname, given, patronymic = _some_rendering(person, rng)
            name = (given, surname, patronymic)
        elif kind == "missing_patronymic":
            surname, given, _patronymic = _some_rendering(person, rng)
            name = (surname, given, "")
        elif kind == "partial_date":
            name = _some_rendering(person, rng)
            date = _date_text(person.date_of_birth, rng.choice(("month", "year")))
        elif kind == "swapped_date":
            name = _some_rendering(person, rng)
            date = _swapped_date_text(person.date_of_birth)
        else:
            raise ValueError(f"Unknown query kind: {kind}")
        return VariantQuery(
            kind=kind,
            surname=name[0],
            given_name=name[1],
            patronymic=name[2],
            date_of_birth=self.date(person) if date is None else date,
            service_number=self.service_number(person),
            expected_ref=expected_ref,
        )


def _eligible(kind: str) -> Callable[[Person], bool] | None:
    if kind == "ukrainian_forms":
        return lambda person: person.language == "ru"
    if kind == "russian_forms":
        return lambda person: person.language == "uk"
    if kind == "swapped_date":
        return _can_swap_date
    return None


def _russian_surname(person: Person) -> str:
    if person.language == "ru":
        return person.surname
    surname, female = _SURNAME_BY_FORM[(person.language, person.surname)]
    return surname.form("ru", female=female)


def _ambiguous(people: Sequence[Person], candidates: Iterable[Person]) -> set[str]:
    """External refs of candidates whom someone else in the pool shares name and date of birth with."""
    key_of = {p.external_ref: (_identity(p), p.date_of_birth) for p in candidates}
    bearers: dict[tuple, int] = dict.fromkeys(key_of.values(), 0)
    surnames = {identity[0] for identity, _date in bearers}
    for person in people:
        if _russian_surname(person) in surnames and (key := (_identity(person), person.date_of_birth)) in bearers:
            bearers[key] += 1
    return {ref for ref, key in key_of.items() if bearers[key] > 1}


def variant_queries(
    people: Sequence[Person],
    per_kind: int,
    *,
    seed: int = 0,
    full_date_share: float = DEFAULT_FULL_DATE_SHARE,
    service_number_share: float = DEFAULT_SERVICE_NUMBER_SHARE,
) -> list[VariantQuery]:
    """``per_kind`` queries of each of ``VARIANT_KINDS`` for distinct pool people (fewer if too few qualify).

    People sharing name and date of birth with someone else in the pool are
    left out, so that a query with the full date has one right answer only.
    Without it, namesakes make several answers equally likely: that is the
    point of them.
    """
    rng = random.Random(f"variants:{seed}")  # noqa: S311 -- test data, not secrets
    writer = _QueryWriter(rng, full_date_share=full_date_share, service_number_share=service_number_share)
    chosen: dict[str, list[Person]] = {}
    for kind in VARIANT_KINDS:
        qualifies = _eligible(kind)
        indexes = range(len(people)) if qualifies is None else [i for i, p in enumerate(people) if qualifies(p)]
        # A few spare, in case some turn out ambiguous.
        chosen[kind] = [people[i] for i in rng.sample(indexes, min(len(indexes), per_kind + per_kind // 10 + 5))]
    ambiguous = _ambiguous(people, itertools.chain.from_iterable(chosen.values()))
    queries = []
    for kind in VARIANT_KINDS:
        for person in [p for p in chosen[kind] if p.external_ref not in ambiguous][:per_kind]:
            queries.append(writer.query(kind, person, expected_ref=person.external_ref))
    return queries


def _random_person(people: Sequence[Person], rng: random.Random, *, male: bool) -> Person:
    while True:
        person = people[rng.randrange(len(people))]
        if not male or not _GIVEN_BY_FORM[(person.language, person.given_name)].female:
            return person


def _absent_person(kind: str, people: Sequence[Person], generator: _Generator) -> Person:
    rng = generator.rng
    if kind == "absent_stranger":
        return generator.fresh(-1).person
    base = _random_person(people, rng, male=True)
    surname, _female = _SURNAME_BY_FORM[(base.language, base.surname)]
    given = _GIVEN_BY_FORM[(base.language, base.given_name)]
    father = _FATHER_BY_PATRONYMIC[(base.language, base.patronymic)]
    if kind == "absent_brother":
        return generator.person(
            -1,
            language=base.language,
            surname=surname,
            given=generator.different(_DRAW_MALE, given),
            father=father,
            date_of_birth=_sibling_birth_date(rng, base.date_of_birth),
        ).person
    if kind == "absent_namesake":
        return generator.person(
            -1,
            language=base.language,
            surname=surname,
            given=given,
            father=generator.different(_DRAW_FATHER, father),
            date_of_birth=_other_birth_date(rng, base.date_of_birth),
        ).person
    raise ValueError(f"Unknown absent kind: {kind}")


def _absent_people(people: Sequence[Person], count: int, generator: _Generator) -> list[tuple[str, Person]]:
    """``count`` people of ``ABSENT_KINDS`` in turn, none bearing the name of anyone in the pool."""
    kinds = [ABSENT_KINDS[i % len(ABSENT_KINDS)] for i in range(count)]
    absent: dict[int, Person] = {}
    for _round in range(50):
        drawn = {i: _absent_person(kinds[i], people, generator) for i in range(count) if i not in absent}
        if not drawn:
            break
        candidates = {_identity(person) for person in drawn.values()}
        surnames = {identity[0] for identity in candidates}
        taken = {
            identity
            for person in people
            if _russian_surname(person) in surnames and (identity := _identity(person)) in candidates
        }
        absent.update((i, person) for i, person in drawn.items() if _identity(person) not in taken)
    if len(absent) < count:
        raise RuntimeError("Could not find enough people absent from the pool")
    return [(kinds[i], absent[i]) for i in range(count)]


def absent_queries(
    people: Sequence[Person],
    count: int,
    *,
    seed: int = 0,
    full_date_share: float = DEFAULT_FULL_DATE_SHARE,
) -> list[VariantQuery]:
    """``count`` queries for people not in the pool, in equal parts of ``ABSENT_KINDS``.

    Brothers and namesakes are relatives of pool people. Each carries a
    patronymic, and nobody in the pool bears the same surname, given name and
    patronymic (in either language), so that with or without a date the right
    answer is "not here".
    """
    if not people:
        raise ValueError("absent_queries needs a pool to be absent from")
    generator = _Generator(
        seed=f"absent:{seed}", female_share=DEFAULT_FEMALE_SHARE, ukrainian_share=DEFAULT_UKRAINIAN_SHARE
    )
    rng = generator.rng
    writer = _QueryWriter(rng, full_date_share=full_date_share, service_number_share=0)
    queries = []
    for kind, person in _absent_people(people, count, generator):
        surname, given, patronymic = _some_rendering(person, rng)
        queries.append(
            VariantQuery(
                kind=kind,
                surname=surname,
                given_name=given,
                patronymic=patronymic,
                date_of_birth=writer.date(person),
                service_number="",
                expected_ref=None,
            )
        )
    return queries


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write a pool of fictional people as CSV for the import command.")
    parser.add_argument("out", type=Path, help="CSV file to write")
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--namesake-share", type=float, default=DEFAULT_NAMESAKE_SHARE)
    parser.add_argument("--brother-share", type=float, default=DEFAULT_BROTHER_SHARE)
    args = parser.parse_args(argv)
    started = time.monotonic()
    people = iter_pool(args.size, seed=args.seed, namesake_share=args.namesake_share, brother_share=args.brother_share)
    count = write_csv(args.out, people)
    print(f"Wrote {count} people to {args.out} in {time.monotonic() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
