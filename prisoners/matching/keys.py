"""Comparison keys for name parts: one spelling for every script and transliteration.

A prisoner's name reaches us as Russian or Ukrainian Cyrillic, as a passport
transliteration (ICAO 9303), as GOST or BGN/PCGN, as scholarly Latin with
diacritics ("Čistjakov"), as German ("Tschistjakow") or French ("Tchistiakov"),
or as someone typed it in a chat ("4istyakov"). Each of these folds here into
one lowercase ASCII skeleton, so that they compare equal, or one letter apart,
and can be indexed with trigrams:

1. Cyrillic letters become Latin with one table that covers Russian and
   Ukrainian. Sounds that Latin spells in several ways go straight to one
   marker: ч → ``c``; ш, щ, ж → ``x``; г, ґ, х → ``h``; ц, с, з → ``s``;
   и, ы, і, ї, й → ``i``; ь, ъ and apostrophes go.
2. Latin spellings fold onto the same markers: tsch/tch/č/4 → ``c``;
   sh/sch/shch/shh/š/ž/zh/sz → ``x``; kh/h/g → ``h`` (Ukrainian г is h,
   Russian g); ts/tz/cz/c/z → ``s``; w → v; x → ks (GOST's x for х stays a
   letter or two off); y and j → ``i``. A bare "ch" is ч in English, х in
   German, Polish or beside č/š/ž (a word with "sch", "w" or a diacritic) and
   ш in French (a word with "tch" or "ou"); given names and patronymics try
   the other readings against the name table too.
3. Vowels: iotation is dropped after a consonant (Chistiakov, Chistyakov,
   Čistjakov → cistakov; Lyudmila = Ludmila) and kept as one ``i`` elsewhere
   (Yakov, Iakov, Jakow → iakov); "ie" and "ye" become ``e`` (е, є and the e
   of Andreyev); a consonant before "yo"/"io" takes ``e`` (Semyon = Семён =
   Semen); "-off" is "-ov"; doubled letters collapse.

Keys are lowercase ASCII letters, words separated by one space.
Deliberately lossy: the keys find candidates; scoring decides.
"""

import re
import unicodedata
from functools import lru_cache
from operator import itemgetter

from rapidfuzz.distance import OSA
from rapidfuzz.process import extract

from prisoners.matching.names import FEMALE_NAMES, MALE_NAMES, PATRONYMIC_EXCEPTIONS

# Markers are uppercase so that later Latin rules cannot touch them.
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "H", "ґ": "H", "д": "d", "е": "e", "ё": "e", "є": "ie",
    "ж": "X", "з": "s", "и": "i", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m",
    "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ў": "u", "ф": "f",
    "х": "H", "ц": "s", "ч": "C", "ш": "X", "щ": "X", "ъ": "", "ы": "i", "ь": "", "э": "e",
    "ю": "iu", "я": "ia",
}  # fmt: skip
_LATIN_SPECIAL = {
    "č": "C", "ć": "C", "š": "X", "ś": "s", "ž": "X", "ż": "X", "ź": "s", "ŝ": "X", "ł": "l",
    "â": "ia", "û": "iu", "ê": "ie", "ë": "e", "ï": "i", "ǵ": "H",
    # Turkish and Azerbaijani letters in Turkic names: Məmmədov, Qılıç, Şamil.
    "ç": "C", "ş": "X", "ı": "i", "ə": "e",
    # Chat spellings: 4 looks like ч, 6 like ш.
    "4": "C", "6": "X",
}  # fmt: skip
# Soft and hard signs, apostrophes and primes carry no sound of their own.
_DROPPED = "'’‘ʼʹʺ`´\"“”"
_TRANSLATE = str.maketrans(_CYRILLIC | _LATIN_SPECIAL | dict.fromkeys(_DROPPED, ""))

# Longest first: each replacement must not eat the start of a longer one.
_MULTIGRAPHS = (
    ("schtsch", "X"),
    ("szcz", "X"),
    ("shch", "X"),
    ("shh", "X"),  # GOST 7.79 щ
    ("tsch", "C"),
    ("sch", "X"),
    ("tch", "C"),
    ("kh", "H"),
    ("zh", "X"),
    ("sh", "X"),
    ("sz", "X"),  # Polish ш
    ("XC", "X"),  # šč, the scholarly щ
    ("ch", "Q"),  # read by _bare_ch, once the word's other spellings have been seen
    ("ts", "s"),
    ("tz", "s"),
    ("cz", "s"),  # GOST 7.79 ц
    ("ck", "k"),
    ("ph", "f"),
    ("ou", "u"),  # French у
    ("gue", "ge"),  # French г before e and i: Guennadi
    ("gui", "gi"),
)
_SINGLE_LETTERS = str.maketrans(
    {"x": "ks", "q": "k", "w": "v", "y": "i", "j": "i", "c": "s", "z": "s", "g": "H", "h": "H"}
)
# Cyrillic letters that look like Latin ones, as typed in service numbers.
_HOMOGLYPHS = str.maketrans("авекмнорстухі", "abekmhopctyxi")
_NON_LETTERS = re.compile(r"[^a-zA-Z]+")
_YO_AFTER_CONSONANT = re.compile(r"(?<=[^aeiou])io")
_IOTATION_AFTER_CONSONANT = re.compile(r"(?<=[^aeiou])i(?=[au])")
_DOUBLED = re.compile(r"(.)\1+")
_FIRST_GROUP = itemgetter(1)  # faster than the template r"\1" in re.sub
_VOWELS = "aeiou"


def _bare_ch(word: str) -> str:
    """What a "ch" left after tsch/tch/sch stands for, judged from the word's other spellings."""
    if "sch" in word or "w" in word or "C" in word or "X" in word:
        return "h"  # German or Polish (Michailow, Chruschtschow), or scholarly beside č, š, ž (Chruščov)
    if "tch" in word or "ou" in word:
        return "x"  # French: Chevtchenko, Chouvalov
    return "c"  # English and most transliterations: Chistyakov


def _fold_leaving_ch(word: str) -> str:
    """One word, already lowercase Latin with markers, folded; a bare "ch" is left as "q" to be read."""
    if word.endswith("ff"):
        word = word[:-2] + "v"
    for spelling, marker in _MULTIGRAPHS:
        word = word.replace(spelling, marker)
    # One i for ий, ія, iy, yi, ij: the rules below look at the i and its neighbours.
    word = word.translate(_SINGLE_LETTERS).replace("ii", "i")
    if "io" in word:
        word = _YO_AFTER_CONSONANT.sub("e", word)
    if "ia" in word or "iu" in word:
        word = _IOTATION_AFTER_CONSONANT.sub("", word)
    return _DOUBLED.sub(_FIRST_GROUP, word.replace("ie", "e")).lower()


def _read_ch(folded: str, letter: str) -> str:
    folded = folded.replace("q", letter)
    return _DOUBLED.sub(_FIRST_GROUP, folded) if letter + letter in folded else folded


def _fold_word(word: str) -> str:
    folded = _fold_leaving_ch(word)
    return _read_ch(folded, _bare_ch(word)) if "q" in folded else folded


def _readings(word: str) -> list[str]:
    """The word folded as its spelling suggests, then with the other readings of an ambiguous "ch"."""
    folded = _fold_leaving_ch(word)
    if "q" not in folded:
        return [folded]
    likeliest = _bare_ch(word)
    return [_read_ch(folded, letter) for letter in (likeliest, *"hxc".replace(likeliest, ""))]


def _strip_marks(text: str) -> str:
    return "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))


def _words(text: str) -> list[str]:
    """The text's words in lowercase Latin, Cyrillic and diacritics already turned into markers."""
    text = text.casefold()
    if not text.isascii():
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        text = text.translate(_TRANSLATE)
        if not text.isascii():
            text = _strip_marks(text)
    else:
        text = text.translate(_TRANSLATE)
    return [word for word in _NON_LETTERS.split(text) if word]


@lru_cache(maxsize=65536)
def surname_key(text: str) -> str:
    """The comparison key of a surname; "" when there is nothing to compare."""
    return " ".join(folded for word in _words(text) if (folded := _fold_word(word)))


def _build_given_names() -> dict[str, str]:
    """Each folded form of a name → the folded form of the group's first (Russian) spelling.

    Raises on a form claimed by two groups: that would silently make two names one.
    """
    table: dict[str, str] = {}
    for group in (*MALE_NAMES, *FEMALE_NAMES):
        canonical = surname_key(group[0])
        for form in group:
            folded = surname_key(form)
            if table.setdefault(folded, canonical) != canonical:
                raise ValueError(f"{form!r} folds to {folded!r}, which already stands for {table[folded]!r}")
    return table


def _build_patronymic_stems() -> dict[str, str]:
    """The stem a father's name leaves in a patronymic (Юр- of Юрьевич, Микол- of Миколайович) → canonical."""
    stems: dict[str, str] = {}
    for group in MALE_NAMES:
        canonical = surname_key(group[0])
        for form in group:
            folded = surname_key(form)
            for stem in {folded, folded.rstrip(_VOWELS)}:
                if stems.setdefault(stem, canonical) != canonical:
                    raise ValueError(f"{form!r} leaves the stem {stem!r}, which already stands for {stems[stem]!r}")
    return stems


_GIVEN_NAMES = _build_given_names()
_PATRONYMIC_STEMS = _build_patronymic_stems()
_GIVEN_NAME_FORMS = tuple(_GIVEN_NAMES)
# The key of every name in the table of equivalents.
KNOWN_GIVEN_NAME_KEYS = frozenset(_GIVEN_NAMES.values())
_PATRONYMIC_EXCEPTIONS = {
    surname_key(patronymic): surname_key(father) for patronymic, father in PATRONYMIC_EXCEPTIONS.items()
}
# Folded endings, longest first: -инична, -ович, -евич (and -йович, whose "io" folds to "e"),
# -овна, -евна, -івна, -ична, -ич.
_PATRONYMIC_SUFFIXES = ("inicna", "ovic", "evic", "ovna", "evna", "ivna", "icna", "ic")
# Turkic patronymics name the father and add "son of"/"daughter of": Мамед оглы, Алиевна кызы.
_TURKIC_SON_DAUGHTER = frozenset({"ohli", "ohlu", "kisi"})


def _given_name_word(word: str) -> str:
    for folded in _readings(word):
        if folded in _GIVEN_NAMES:
            return _GIVEN_NAMES[folded]
    return _fold_word(word)


@lru_cache(maxsize=65536)
def given_name_key(text: str) -> str:
    """The key of a given name: Микола, Mykola, Николай and Nikolay share one.

    A name missing from the table keeps its folded spelling.
    """
    return " ".join(folded for word in _words(text) if (folded := _given_name_word(word)))


def given_name_neighbours(text: str) -> frozenset[str]:
    """Keys of the table's names that a typo of one letter away from ``text`` may have meant.

    Микола's key is Николай's, so "Myktla" is one letter off Микола but far from
    Николай's key: this lets scoring see the typo. Not used for keys, where
    Марта one letter off Марат would become him.
    """
    near = extract(surname_key(text), _GIVEN_NAME_FORMS, scorer=OSA.distance, score_cutoff=1, limit=None)
    return frozenset(_GIVEN_NAMES[form] for form, _distance, _index in near) - {given_name_key(text)}


def _known_father(word: str) -> str:
    """The key of the father's name in a folded patronymic (or the name itself), or "" when unknown."""
    if word in _GIVEN_NAMES:
        return _GIVEN_NAMES[word]
    if word in _PATRONYMIC_EXCEPTIONS:
        return _PATRONYMIC_EXCEPTIONS[word]
    for suffix in _PATRONYMIC_SUFFIXES:
        stem = word.removesuffix(suffix)
        if stem != word and len(stem) >= 2:
            for candidate in (stem, stem.rstrip(_VOWELS)):
                if candidate in _PATRONYMIC_STEMS:
                    return _PATRONYMIC_STEMS[candidate]
            return ""
    return ""


def _unknown_father(word: str) -> str:
    """The stem of a patronymic whose name the table lacks (Абдуллаевич → abdula), or the word itself."""
    for suffix in _PATRONYMIC_SUFFIXES:
        stem = word.removesuffix(suffix)
        if stem != word and len(stem) >= 2:
            return stem
    return word


def _patronymic_word(word: str) -> str:
    for folded in _readings(word):
        if father := _known_father(folded):
            return father
    return _unknown_father(_fold_word(word))


@lru_cache(maxsize=65536)
def patronymic_key(text: str) -> str:
    """The key of the father's given name, read from a patronymic or from the father's name itself.

    Юрьевич, Юрійович, Yurievich, Yuriyovych and Юрий all give the key of Юрий,
    so brothers and sisters share it. A patronymic of a name missing from the
    table gives its stem (Абдуллаевич → abdula), which is also the key of the
    name itself.
    """
    folded = (_patronymic_word(word) for word in _words(text))
    return " ".join(word for word in folded if word and word not in _TURKIC_SON_DAUGHTER)


def service_number_key(text: str) -> str:
    """A service number without spaces, dashes or case, its Cyrillic look-alike letters made Latin.

    Clerks write АВ-123456, ab 123456 and AB123456 for one number.
    """
    return "".join(char for char in text.casefold().translate(_HOMOGLYPHS) if char.isalnum())


def _letter_script(char: str) -> str:
    if "\u0400" <= char <= "\u052f":
        return "cyrillic"
    if char.isascii() or "\u00c0" <= char <= "\u024f" or "\u1e00" <= char <= "\u1eff":
        return "latin"
    return ""


def name_script(text: str) -> str:
    """The script of a name's letters: "cyrillic", "latin", "mixed" or "" (no letters).

    "mixed" is any mix of Cyrillic and Latin letters in one name part: most
    often a Latin "o" or "c" typed inside a Cyrillic word, which looks right
    and matches nothing. Letters of other scripts are not counted.
    """
    scripts = {_letter_script(char) for char in text if char.isalpha()} - {""}
    if len(scripts) > 1:
        return "mixed"
    return scripts.pop() if scripts else ""
