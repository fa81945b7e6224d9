"""How likely a stored person is the one a query describes, and why.

Each piece of evidence adds or takes points: the names (surname 25, given
name 18, patronymic 12; less for a typo, a penalty when a part differs), the
date of birth (+30 when the same, -30 when it conflicts), the service number
(+30 when the same, -15 when different) and the unit (+4). The evidence also
sets the confidence, and the score is placed inside that confidence's band,
so a higher band always ranks first:

- **high (80–100)**: the names agree (surname and given name the same, or a
  letter off, with enough of the rest the same; no part different, so not a
  namesake with another father) *and* something beyond the name confirms it:
  the full date of birth, also with day and month swapped, or the service
  number; and nothing conflicts. Namesakes and brothers share names, not
  birthdays.
- **medium (50–79)**: the surname and the given name are alike and nothing
  conflicts, but nothing confirms it either: the date is partial or missing,
  or the patronymic differs.
- **low (0–49)**: the names are not alike, or the date of birth or the
  service number conflicts.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext, gettext_noop
from rapidfuzz.distance import OSA, JaroWinkler
from rapidfuzz.fuzz import token_set_ratio

from prisoners.matching.dates import PartialDate
from prisoners.matching.keys import (
    given_name_key,
    given_name_neighbours,
    patronymic_key,
    service_number_key,
    surname_key,
)

HIGH = "high"
MEDIUM = "medium"
LOW = "low"

# How two name keys compare, strongest first.
SAME = "same"
ONE_LETTER = "one_letter"
PART = "part"
SIMILAR = "similar"
MISSING = "missing"
DIFFERENT = "different"
_NAMES_ALIKE = {SAME, ONE_LETTER, PART, SIMILAR}
_ONE_LETTER_SHARE = 0.75  # of a name part's points
_SIMILAR_JARO_WINKLER = 0.88
_UNLIKE_JARO_WINKLER = 0.6

_SURNAME_POINTS = 25
_GIVEN_NAME_POINTS = 18
_PATRONYMIC_POINTS = 12
_SWAPPED_PENALTY = 3
# Names alone that, with a confirming date or number, make a match "high": the same surname
# and given name, or one of them a letter off with the same patronymic.
_HIGH_NAME_POINTS = 35

# Date of birth: points, whether it confirms the name, whether it rules the person out.
_DATE_EVIDENCE = {
    "same": (30, True, False),
    "swapped": (25, True, False),
    "same_month": (15, False, False),
    "same_year": (8, False, False),
    "year_typo": (5, False, False),
    "day_differs": (-5, False, False),
    "year_off_by_one": (-5, False, False),
    "different": (-30, False, True),
}
_SERVICE_NUMBER_POINTS = {"same": 30, "one_character": 10, "different": -15}
_UNIT_POINTS = 4
_SIMILAR_UNIT_RATIO = 90

# Score band of each confidence, and the raw points mapped onto it.
_BANDS = {HIGH: (80, 100, 55, 110), MEDIUM: (50, 79, 10, 80), LOW: (0, 49, -70, 60)}
_WORDS = re.compile(r"\w+")


def _unit_key(text: str) -> str:
    """A unit's words and numbers, lowercase: "В/Ч 12345" and "в/ч-12345" compare equal."""
    return " ".join(_WORDS.findall(text.casefold()))


@dataclass(frozen=True)
class PersonQuery:
    """What a searcher knows; its keys are computed once, when it is made."""

    surname: str
    given_name: str
    patronymic: str = ""
    date_of_birth: PartialDate | None = None
    service_number: str = ""
    unit: str = ""
    surname_key: str = field(init=False)
    given_name_key: str = field(init=False)
    patronymic_key: str = field(init=False)
    # The keys had the names been typed into each other's fields, as lists often do.
    swapped_surname_key: str = field(init=False)
    swapped_given_name_key: str = field(init=False)
    # Typed as another form (Микола, Mykola) of the table's name (Николай), to say so in the reasons.
    given_name_is_variant: bool = field(init=False)
    # Names a typo in the given name may hide: "Myktla" is Микола, whose key is Николай's.
    given_name_neighbours: frozenset[str] = field(init=False)
    service_number_key: str = field(init=False)
    unit_key: str = field(init=False)

    def __post_init__(self):
        keys = {
            "surname_key": surname_key(self.surname),
            "given_name_key": given_name_key(self.given_name),
            "patronymic_key": patronymic_key(self.patronymic),
            "swapped_surname_key": surname_key(self.given_name),
            "swapped_given_name_key": given_name_key(self.surname),
            "service_number_key": service_number_key(self.service_number),
            "unit_key": _unit_key(self.unit),
            "given_name_neighbours": given_name_neighbours(self.given_name),
        }
        keys["given_name_is_variant"] = keys["swapped_surname_key"] != keys["given_name_key"]
        for name, value in keys.items():
            object.__setattr__(self, name, value)


@dataclass(frozen=True)
class PersonRecord:
    """A stored person as matching sees them: the keys saved with the record."""

    surname_key: str
    given_name_key: str
    patronymic_key: str
    date_of_birth: PartialDate | None = None
    service_number: str = ""
    unit: str = ""


@dataclass(frozen=True)
class Scored:
    """0–100 within the confidence's band, "high", "medium" or "low", and translated reasons."""

    score: int
    confidence: str
    reasons: list[str]


def _name_agreement(a: str, b: str) -> tuple[str, float]:
    """How two keys of one name part compare, and the share of the part's points that earns."""
    if not a or not b:
        return MISSING, 0.0
    if a == b:
        return SAME, 1.0
    if OSA.distance(a, b, score_cutoff=1) <= 1:
        return ONE_LETTER, _ONE_LETTER_SHARE
    words_a, words_b = set(a.split()), set(b.split())
    if words_a <= words_b or words_b <= words_a:
        return PART, 0.6  # a double surname, or two given names, of which one was given
    similarity = JaroWinkler.similarity(a, b)
    if similarity >= _SIMILAR_JARO_WINKLER:
        return SIMILAR, 0.4
    # Graded, so that a typo the folding made worse still ranks above a stranger.
    closeness = max(similarity - _UNLIKE_JARO_WINKLER, 0.0) / (_SIMILAR_JARO_WINKLER - _UNLIKE_JARO_WINKLER)
    return DIFFERENT, -0.5 + 0.6 * closeness


def _date_agreement(query: PartialDate, record: PartialDate) -> str:
    """How two dates of birth compare, at the accuracy both of them have (a key of ``_DATE_EVIDENCE``)."""
    if query.year != record.year:
        if query.month is not None and (query.month, query.day) == (record.month, record.day):
            one_digit = sum(x != y for x, y in zip(str(query.year), str(record.year), strict=True)) == 1
            return "year_typo" if one_digit else "different"
        if abs(query.year - record.year) == 1 and (query.month is None or record.month is None):
            return "year_off_by_one"  # a year worked out from an age
        return "different"
    if query.month is None or record.month is None:
        return "same_year"
    if query.day is not None and record.day is not None and query.month != record.month:
        return "swapped" if (query.month, query.day) == (record.day, record.month) else "different"
    if query.month != record.month:
        return "different"
    if query.day is None or record.day is None:
        return "same_month"
    return "same" if query.day == record.day else "day_differs"


def _service_number_agreement(query_key: str, record_number: str) -> str:
    record_key = service_number_key(record_number)
    if not query_key or not record_key:
        return ""
    if query_key == record_key:
        return "same"
    if min(len(query_key), len(record_key)) >= 5 and OSA.distance(query_key, record_key, score_cutoff=1) <= 1:
        return "one_character"
    return "different"


_NAME_REASONS = {
    ("surname", SAME): gettext_noop("surname: same after transliteration"),
    ("surname", ONE_LETTER): gettext_noop("surname: one letter different"),
    ("surname", PART): gettext_noop("surname: one part of a double surname"),
    ("surname", SIMILAR): gettext_noop("surname: similar"),
    ("surname", MISSING): gettext_noop("surname: missing"),
    ("surname", DIFFERENT): gettext_noop("surname: different"),
    ("given_name", SAME): gettext_noop("given name: same after transliteration"),
    ("given_name", ONE_LETTER): gettext_noop("given name: one letter different"),
    ("given_name", PART): gettext_noop("given name: one of two given names"),
    ("given_name", SIMILAR): gettext_noop("given name: similar"),
    ("given_name", MISSING): gettext_noop("given name: missing"),
    ("given_name", DIFFERENT): gettext_noop("given name: different"),
    ("patronymic", SAME): gettext_noop("patronymic: same father's name"),
    ("patronymic", ONE_LETTER): gettext_noop("patronymic: one letter different"),
    ("patronymic", PART): gettext_noop("patronymic: partly the same"),
    ("patronymic", SIMILAR): gettext_noop("patronymic: similar"),
    ("patronymic", DIFFERENT): gettext_noop("patronymic: different"),
}
_GIVEN_NAME_VARIANT_REASON = gettext_noop("given name: another form of the same name (Russian, Ukrainian or Latin)")
_DATE_REASONS = {
    "same": gettext_noop("date of birth: same"),
    "swapped": gettext_noop("date of birth: day and month swapped"),
    "same_month": gettext_noop("date of birth: same year and month"),
    "same_year": gettext_noop("date of birth: same year only"),
    "year_typo": gettext_noop("date of birth: same day and month, one digit of the year different"),
    "day_differs": gettext_noop("date of birth: same year and month, different day"),
    "year_off_by_one": gettext_noop("date of birth: years one apart"),
    "different": gettext_noop("date of birth: different"),
}
_SERVICE_NUMBER_REASONS = {
    "same": gettext_noop("service number: same"),
    "one_character": gettext_noop("service number: one character different"),
    "different": gettext_noop("service number: different"),
}


def _names(
    surname: str, given_name: str, patronymic: str, record: PersonRecord, given_name_neighbours: frozenset[str]
) -> tuple[float, tuple[str, str, str]]:
    """Points, and how surname, given name and patronymic compare, for one order of the query's names."""
    surname_agreement, surname_share = _name_agreement(surname, record.surname_key)
    given_name_agreement, given_name_share = _name_agreement(given_name, record.given_name_key)
    if given_name_agreement in (SIMILAR, DIFFERENT) and record.given_name_key in given_name_neighbours:
        given_name_agreement, given_name_share = ONE_LETTER, _ONE_LETTER_SHARE
    patronymic_agreement, patronymic_share = _name_agreement(patronymic, record.patronymic_key)
    points = (
        _SURNAME_POINTS * surname_share + _GIVEN_NAME_POINTS * given_name_share + _PATRONYMIC_POINTS * patronymic_share
    )
    return points, (surname_agreement, given_name_agreement, patronymic_agreement)


def _name_reasons(
    query: PersonQuery, record: PersonRecord, agreements: tuple[str, str, str], *, given_name_is_variant: bool
) -> list[str]:
    surname_agreement, given_name_agreement, patronymic_agreement = agreements
    reasons = [gettext(_NAME_REASONS["surname", surname_agreement])]
    if given_name_agreement == SAME and given_name_is_variant:
        reasons.append(gettext(_GIVEN_NAME_VARIANT_REASON))
    else:
        reasons.append(gettext(_NAME_REASONS["given_name", given_name_agreement]))
    if not query.patronymic_key:
        reasons.append(gettext("patronymic: missing in the query"))
    elif not record.patronymic_key:
        reasons.append(gettext("patronymic: not recorded"))
    else:
        reasons.append(gettext(_NAME_REASONS["patronymic", patronymic_agreement]))
    return reasons


def _confidence(name_points: float, agreements: tuple[str, str, str], *, confirmed: bool, conflict: bool) -> str:
    surname_agreement, given_name_agreement, _patronymic_agreement = agreements
    if conflict or surname_agreement not in _NAMES_ALIKE or given_name_agreement not in {*_NAMES_ALIKE, MISSING}:
        return LOW
    names_enough = name_points >= _HIGH_NAME_POINTS and given_name_agreement != MISSING and DIFFERENT not in agreements
    return HIGH if confirmed and names_enough else MEDIUM


def _banded(raw: float, confidence: str) -> int:
    low, high, raw_low, raw_high = _BANDS[confidence]
    share = min(max((raw - raw_low) / (raw_high - raw_low), 0.0), 1.0)
    return low + round(share * (high - low))


def score(query: PersonQuery, record: PersonRecord) -> Scored:
    """Score one stored person against a query; the module's docstring explains the bands."""
    name_points, agreements = _names(
        query.surname_key, query.given_name_key, query.patronymic_key, record, query.given_name_neighbours
    )
    swapped = False
    # A swap is taken only when it fits clearly better, so a namesake's swap cannot win on a typo.
    if name_points < _SURNAME_POINTS + _GIVEN_NAME_POINTS:
        swapped_points, swapped_agreements = _names(
            query.swapped_surname_key, query.swapped_given_name_key, query.patronymic_key, record, frozenset()
        )
        swapped = swapped_points - _SWAPPED_PENALTY > name_points
        if swapped:
            name_points, agreements = swapped_points - _SWAPPED_PENALTY, swapped_agreements
    reasons = [gettext("surname and given name swapped")] if swapped else []
    reasons += _name_reasons(
        query, record, agreements, given_name_is_variant=query.given_name_is_variant and not swapped
    )
    points = name_points

    confirmed = conflict = False
    if query.date_of_birth is None:
        reasons.append(gettext("date of birth: missing in the query"))
    elif record.date_of_birth is None:
        reasons.append(gettext("date of birth: not recorded"))
    else:
        agreement = _date_agreement(query.date_of_birth, record.date_of_birth)
        date_points, confirmed, conflict = _DATE_EVIDENCE[agreement]
        points += date_points
        reasons.append(gettext(_DATE_REASONS[agreement]))

    service_number = _service_number_agreement(query.service_number_key, record.service_number)
    if service_number:
        points += _SERVICE_NUMBER_POINTS[service_number]
        reasons.append(gettext(_SERVICE_NUMBER_REASONS[service_number]))
        confirmed = confirmed or service_number == "same"
        conflict = conflict or service_number == "different"

    record_unit = _unit_key(record.unit)
    if query.unit_key and record_unit and token_set_ratio(query.unit_key, record_unit) >= _SIMILAR_UNIT_RATIO:
        points += _UNIT_POINTS
        reasons.append(gettext("unit: same or similar"))

    confidence = _confidence(name_points, agreements, confirmed=confirmed, conflict=conflict)
    return Scored(score=_banded(points, confidence), confidence=confidence, reasons=reasons)
