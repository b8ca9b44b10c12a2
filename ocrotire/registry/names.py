"""Name forms for matching people across spellings and scripts: folded, romanised, phonetic."""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache, lru_cache
from itertools import product
from pathlib import Path

from rapidfuzz.distance import JaroWinkler

__all__ = [
    "cyrillic_language",
    "detect_script",
    "fold_diacritics",
    "given_name_group",
    "name_keys",
    "name_similarity",
    "name_tokens",
    "phonetic_key",
    "romanise",
]

GIVEN_NAMES_PATH = Path(__file__).resolve().parent / "data" / "given_names.json"

# Registration and the batch deduplicator ask about the same names over and over.
_CACHE = 65536

# NameKey.key is a CharField(max_length=80).
KEY_MAX_LENGTH = 80

# At or above this Jaro-Winkler similarity two spellings differ by a typo, not by a name.
SIMILAR = 0.85
VARIANT_SCORE = 0.95
# A name that also has other tokens ("Maria-Elena" against "Maria") is close, not the same.
PARTIAL_TOKENS = 0.95
# Two different names from the table (Olga and Oleg, Alexandru and Alexandra) look alike as
# strings but are not; twins are often named so, and a typo rarely lands on another real name.
DIFFERENT_NAMES_CAP = 0.7

_APOSTROPHES = "'’ʼʻ`´"
_CYRILLIC = "\u0400-\u052f\u1c80-\u1c8f\ua640-\ua69f"
_CYRILLIC_RE = re.compile(f"[{_CYRILLIC}]")
_LATIN_RE = re.compile(
    "[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff\uff21-\uff3a\uff41-\uff5a]"
)
_COMBINING_RE = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# Letters, combining marks (a stress mark on a Cyrillic vowel stays with its word), and the
# Ukrainian apostrophe inside a Cyrillic word ("Короп'є" is one word; "O'Brien" is two).
_TOKEN_RE = re.compile(
    rf"(?:[^\W\d_]|[\u0300-\u036f]|(?<=[{_CYRILLIC}])[{_APOSTROPHES}](?=[{_CYRILLIC}]))+"
)


def _nfc(text: str) -> str:
    # Typed and pasted names arrive both precomposed and decomposed ("s" + U+0326 is "ș").
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _build_fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    ranges = ((0x00C0, 0x0250), (0x1E00, 0x1F00), (0xFF21, 0xFF3B), (0xFF41, 0xFF5B))
    for start, end in ranges:
        for point in range(start, end):
            char = chr(point)
            decomposed = unicodedata.normalize("NFKD", char)
            base = "".join(c for c in decomposed if not unicodedata.combining(c))
            if base != char and base.isascii() and base.isalpha():
                table[point] = base.lower()
    # Letters that are not a base letter plus a mark, so NFKD leaves them alone.
    specials = {
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ł": "l",
        "ı": "i",
        "ħ": "h",
        "ŧ": "t",
        "ŋ": "n",
        "ĸ": "k",
    }
    for char, ascii_form in specials.items():
        for cased in {char, char.upper()}:
            if len(cased) == 1:
                table[ord(cased)] = ascii_form
    return table


# Only Latin letters are in the table: NFKD would also split Cyrillic й into и + breve.
_FOLD_TABLE = _build_fold_table()


@lru_cache(maxsize=_CACHE)
def _fold(text: str) -> str:
    folded = _nfc(text).casefold().translate(_FOLD_TABLE)
    if not folded.isascii():
        folded = _COMBINING_RE.sub("", folded)
    return " ".join(folded.split())


def fold_diacritics(text: str) -> str:
    """Lowercase; Latin accents removed (ș ş ț ţ ă â î and all others); Cyrillic kept; spaces collapsed."""
    return _fold(text)


def _ascii(text: str) -> str:
    return " ".join(text.encode("ascii", "ignore").decode("ascii").split())


@lru_cache(maxsize=_CACHE)
def _script(text: str) -> str:
    cyrillic = _CYRILLIC_RE.search(text) is not None
    latin = _LATIN_RE.search(text) is not None
    if cyrillic and latin:
        return "mixed"
    if cyrillic:
        return "cyrillic"
    return "latin" if latin else "none"


def detect_script(text: str) -> str:
    """The script of the letters in `text`: "latin", "cyrillic", "mixed" or "none"."""
    return _script(text)


_UKRAINIAN_LETTERS = frozenset("іїєґІЇЄҐ")
_KYRGYZ_LETTERS = frozenset("ңөүҢӨҮ")


def cyrillic_language(text: str) -> str:
    """Ukrainian ("uk") when і ї є ґ are present, Kyrgyz ("ky") for ң ө ү, else Russian ("ru")."""
    if not _UKRAINIAN_LETTERS.isdisjoint(text):
        return "uk"
    if not _KYRGYZ_LETTERS.isdisjoint(text):
        return "ky"
    return "ru"


def _table(mapping: dict[str, str]) -> dict[int, str]:
    return {ord(char): value for char, value in mapping.items()}


# ICAO Doc 9303 part 3 (the Russian passport since 2013). The letters of the other Cyrillic
# alphabets are there too so that a stray і or ң in a Russian-looking name is not lost.
_ICAO = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "ie",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "iu",
    "я": "ia",
    "і": "i",
    "ї": "i",
    "є": "ie",
    "ґ": "g",
    "ў": "u",
    "ј": "j",
    "ң": "ng",
    "ө": "o",
    "ү": "u",
    "ғ": "g",
    "қ": "k",
    "ұ": "u",
    "һ": "h",
    "ә": "a",
}
_ICAO.update(dict.fromkeys(_APOSTROPHES, ""))
# KMU Resolution 55 of 27.01.2010; є ї й ю я at the start of a word are handled before the table.
_KMU = {**_ICAO, "г": "h", "и": "y"}
_KMU_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
_KMU_INITIAL_RE = re.compile(rf"(?<!\w)(?<![{_APOSTROPHES}])[єїйюя]")
# Kyrgyz passports: the Russian table plus ң → ng, ө → o, ү → u.
_ROMAN_TABLES = {"ru": _table(_ICAO), "ky": _table(_ICAO), "uk": _table(_KMU)}


def _kmu_initial(match: re.Match[str]) -> str:
    return _KMU_INITIAL[match.group()]


@lru_cache(maxsize=_CACHE)
def _romanise(text: str, language: str | None) -> str:
    lowered = _nfc(text).casefold()
    if _CYRILLIC_RE.search(lowered) is None:
        return _ascii(_fold(lowered))
    language = language or cyrillic_language(lowered)
    table = _ROMAN_TABLES.get(language)
    if table is None:
        raise ValueError(f"unknown Cyrillic language {language!r}; expected uk, ru or ky")
    if language == "uk":
        lowered = _KMU_INITIAL_RE.sub(_kmu_initial, lowered).replace("зг", "zgh")
    return _ascii(_fold(lowered.translate(table)))


def romanise(text: str, language: str | None = None) -> str:
    """Lowercase ASCII: Ukrainian by KMU 2010, Russian by ICAO 9303, Kyrgyz by ICAO plus ң ө ү."""
    return _romanise(text, language)


@lru_cache(maxsize=_CACHE)
def _tokens(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN_RE.findall(_nfc(text)))


def name_tokens(text: str) -> list[str]:
    """The words of a name as written, split on spaces, hyphens, apostrophes and punctuation."""
    return list(_tokens(text))


# Phonetic skeleton. While rules run, a few phonemes are single upper-case letters so that a
# later rule cannot mistake them for letters of the input (input is lower-cased first):
# C = ч, S = ш, J = ж, K = a hard k, G = a hard g, E = Romanian ă, Y = Romanian â/î.
_PK_LATIN = {
    **_FOLD_TABLE,
    **_table(
        {
            "ș": "S",
            "ş": "S",
            "ț": "ts",
            "ţ": "ts",
            "ă": "E",
            "â": "Y",
            "î": "Y",
            "č": "C",
            "ç": "C",
            "š": "S",
            "ž": "J",
        }
    ),
    **_table(dict.fromkeys(_APOSTROPHES, "")),
}
_PK_CYRILLIC = _table(
    {
        **dict.fromkeys(_APOSTROPHES, ""),
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "ґ": "g",
        "д": "d",
        "е": "e",
        "є": "ie",
        "ё": "io",
        "ж": "J",
        "з": "z",
        "и": "i",
        "і": "i",
        "ї": "i",
        "й": "i",
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ф": "f",
        "х": "h",
        "ц": "ts",
        "ч": "C",
        "ш": "S",
        "щ": "SC",
        "ъ": "",
        "ы": "y",
        "ь": "",
        "э": "e",
        "ю": "iu",
        "я": "ia",
        "ң": "ng",
        "ө": "o",
        "ү": "u",
        "ў": "u",
        "ј": "i",
        "ғ": "g",
        "қ": "k",
        "ұ": "u",
        "һ": "h",
        "ә": "a",
        "җ": "J",
    }
)
# The rest of Romanian spelling (c is k, j is ж, x is ks, ă is e) and the common end of both
# scripts: Ukrainian г is h, Russian г is g and Romanian h is х, so h and g are one sound here;
# и, ы, і, î and y are one vowel (Сирбу/Сырбу/Sîrbu/Sirbu, Микола/Mykola). Cyrillic skeletons
# have none of c j q w x, so one table serves both.
_PK_MERGE = _table(
    {
        "c": "k",
        "K": "k",
        "G": "g",
        "q": "k",
        "w": "v",
        "x": "ks",
        "j": "J",
        "E": "e",
        "Y": "i",
        "h": "g",
        "y": "i",
    }
)
_PK_EXPAND = _table({"C": "ch", "S": "sh", "J": "j"})
# After ч ш ж an i before a vowel only softens: Ciobanu is Чобану, Artiom is Артём.
_PALATAL_I_RE = re.compile("([CSJ])i(?=[aeiou])")
_DOUBLE_RE = re.compile(r"(.)\1+")
# Letters no Romanian word has but Ukrainian, Russian and Kyrgyz passport spellings do.
_ENGLISH_MARKERS_RE = re.compile("sh|zh|kh|ts|[kywčšžçüö]")
_ROMANIAN_LETTERS_RE = re.compile("[șşțţăâî]")
_AMBIGUOUS_RE = re.compile("ch|g[ei]")
_VOWELS = frozenset("aeiou")

# Cyrillic and Latin letters that look the same: a name typed with the keyboard in the wrong
# layout for one letter ("Cebаn" with a Cyrillic а) is read in the script of its other letters.
_TO_LATIN = str.maketrans("аеорсухіјѕкАВЕКМНОРСТХУІЈЅ", "aeopcyxijskABEKMHOPCTXYIJS")
_TO_CYRILLIC = str.maketrans("aeopcyxiABEKMHOPCTXYI", "аеорсухіАВЕКМНОРСТХУІ")
_SCRIPT_RUN_RE = re.compile(f"[{_CYRILLIC}{_APOSTROPHES}]+|[^{_CYRILLIC}]+")


def _latin_skeleton(word: str, english: bool) -> str:
    text = word if word.isascii() else word.translate(_PK_LATIN)
    if english:
        # Passport spellings of Cyrillic: ch is ч everywhere, sh ш, zh ж, kh х. They never
        # write a bare c, so one before e or i is still Romanian ч.
        text = (
            text.replace("shch", "SC")
            .replace("sh", "S")
            .replace("zh", "J")
            .replace("kh", "h")
            .replace("ch", "C")
            .replace("ce", "Ce")
            .replace("ci", "Ci")
        )
    else:
        # Romanian orthography: ch/gh before e, i are hard k/g; c/g before e, i are ч/дж;
        # ea is я (Munteanu/Мунтяну, Neagu/Нягу).
        text = (
            text.replace("sh", "S")
            .replace("zh", "J")
            .replace("kh", "h")
            .replace("che", "Ke")
            .replace("chi", "Ki")
            .replace("ch", "C")
            .replace("gh", "G")
            .replace("ce", "Ce")
            .replace("ci", "Ci")
            .replace("ge", "dJe")
            .replace("gi", "dJi")
            .replace("ea", "ia")
        )
    return text


def _first_group(match: re.Match[str]) -> str:
    # A function replacement is several times faster than the r"\1" template for short names.
    return match.group(1)


def _finish(skeleton: str) -> str:
    text = skeleton.translate(_PK_MERGE)
    if ("C" in text or "S" in text or "J" in text) and _PALATAL_I_RE.search(text):
        text = _PALATAL_I_RE.sub(_first_group, text)
    if text.startswith("ie"):
        # Word-initial е is "ye" in Ukrainian passports (Yevhen, Yelena) and "e" in Russian and
        # Romanian ones (Evgenii, Elena); Romanian Ie- is Russian Е- (Iepure/Епуре).
        text = text[1:]
    if _DOUBLE_RE.search(text):
        text = _DOUBLE_RE.sub(_first_group, text)
    text = text.translate(_PK_EXPAND)
    return text if text.isascii() else text.encode("ascii", "ignore").decode("ascii")


def _latin_keys(lowered: str) -> tuple[str, ...]:
    if not lowered.isascii() and _ROMANIAN_LETTERS_RE.search(lowered):
        return (_finish(_latin_skeleton(lowered, english=False)),)
    if _ENGLISH_MARKERS_RE.search(lowered):
        return (_finish(_latin_skeleton(lowered, english=True)),)
    # Plain Latin letters could be Romanian (Chiriac) or a passport spelling of Cyrillic
    # (Cheban for Чебан): Romanian first, the other reading as an alternative.
    primary = _finish(_latin_skeleton(lowered, english=False))
    ambiguous = _AMBIGUOUS_RE.search(lowered) is not None
    # A Romanian final i after a consonant is barely voiced; Russian writes it as ь or not at
    # all (Rotari/Ротарь, Ivanovici/Иванович).
    final_i = len(primary) > 2 and primary[-1] == "i" and primary[-2] not in _VOWELS
    if not (ambiguous or final_i):
        return (primary,)
    keys = [primary]
    if ambiguous:
        keys.append(_finish(_latin_skeleton(lowered, english=True)))
    if final_i:
        keys.append(primary[:-1])
    return tuple(dict.fromkeys(keys))


@lru_cache(maxsize=_CACHE)
def _word_keys(word: str) -> tuple[str, ...]:
    """Phonetic keys of one word as written: the most likely reading first, then alternatives."""
    if word.isascii():
        return _latin_keys(word.lower())
    cyrillic = _CYRILLIC_RE.search(word) is not None
    latin = _LATIN_RE.search(word) is not None
    if cyrillic and latin:
        latin_count = len(_LATIN_RE.findall(word))
        cyrillic_count = len(_CYRILLIC_RE.findall(word))
        word = word.translate(_TO_LATIN if latin_count >= cyrillic_count else _TO_CYRILLIC)
        cyrillic = _CYRILLIC_RE.search(word) is not None
        latin = _LATIN_RE.search(word) is not None
    lowered = _COMBINING_RE.sub("", _nfc(word).casefold())
    if not cyrillic:
        return _latin_keys(lowered)
    if not latin:
        return (_finish(lowered.translate(_PK_CYRILLIC)),)
    # Letters without a look-alike in the other script: read each run in its own script.
    parts = []
    for run in _SCRIPT_RUN_RE.findall(lowered):
        if _CYRILLIC_RE.search(run):
            parts.append(run.translate(_PK_CYRILLIC))
        else:
            parts.append(_latin_skeleton(run, _ENGLISH_MARKERS_RE.search(run) is not None))
    return (_finish("".join(parts)),)


@lru_cache(maxsize=_CACHE)
def _name_keys_phonetic(text: str) -> tuple[str, ...]:
    """Phonetic keys of a whole name: the primary key first, then one word swapped at a time."""
    words = _tokens(text)
    if len(words) == 1:
        keys = _word_keys(words[0])
        # A word in neither script (Greek, Georgian) has no skeleton.
        return keys if keys[0] else ()
    per_word = [keys for keys in map(_word_keys, words) if keys[0]]
    if not per_word:
        return ()
    primary = [keys[0] for keys in per_word]
    found = ["".join(primary)]
    for index, keys in enumerate(per_word):
        for alternative in keys[1:]:
            found.append("".join([*primary[:index], alternative, *primary[index + 1 :]]))
    return tuple(dict.fromkeys(found))


def phonetic_key(text: str) -> str:
    """A cross-script skeleton of a name for blocking and scoring ("Țurcanu" and "Цуркану" agree)."""
    keys = _name_keys_phonetic(text)
    return keys[0] if keys else ""


@cache
def _group_index() -> dict[str, str]:
    with GIVEN_NAMES_PATH.open(encoding="utf-8") as handle:
        groups: dict[str, list[str]] = json.load(handle)["groups"]
    index: dict[str, str] = {}
    for group, variants in groups.items():
        for variant in variants:
            for key in _name_keys_phonetic(variant):
                other = index.setdefault(key, group)
                if other != group:
                    # A key in two groups would make different names variants of each other.
                    raise ValueError(f"{variant!r} ({key}) is in both {other!r} and {group!r}")
    return index


def given_name_group(text: str) -> str | None:
    """The given-name group ("gheorghe" for Георгий or Heorhii), or None when not in the table."""
    index = _group_index()
    for key in _name_keys_phonetic(text):
        group = index.get(key)
        if group is not None:
            return group
    return None


# In Cyrillic, ё and й are е and и with a mark; people type them without it. Apostrophes are
# left out as often as they are typed (Короп'є, Коропє).
_FOLDED_EXTRA = _table({"ё": "е", "й": "и", **dict.fromkeys(_APOSTROPHES, "")})
# Romanian â and î are one sound, spelled î before the 1993 reform and â after it inside a word
# (Sîrbu/Sârbu); without diacritics people write either a or i (Sarbu, Sirbu).
_ROMANIAN_A = str.maketrans("îÎ", "ââ")
_ROMANIAN_I = str.maketrans("âÂ", "îî")


def _folded(text: str) -> str:
    return _fold(text).translate(_FOLDED_EXTRA)


@lru_cache(maxsize=_CACHE)
def _comparable(text: str) -> tuple[str, ...]:
    """Folded forms for "equal but for diacritics": the plain fold first, then â/î read both ways."""
    forms = [_folded(text)]
    lowered = _nfc(text).casefold()
    if "â" in lowered or "î" in lowered:
        forms += [_folded(lowered.translate(_ROMANIAN_A)), _folded(lowered.translate(_ROMANIAN_I))]
    return tuple(dict.fromkeys(form for form in forms if form))


def _key(prefix: str, value: str) -> str | None:
    return f"{prefix}{value}"[:KEY_MAX_LENGTH] if value else None


@lru_cache(maxsize=_CACHE)
def _name_keys(text: str) -> frozenset[str]:
    words = _tokens(text)
    if not words:
        return frozenset()
    # Single letters (initials) would put every Ana and Andrei in one block.
    forms = [" ".join(words), *(word for word in words if len(word) > 1)]
    keys: set[str] = set()
    for form in dict.fromkeys(forms):
        keys |= _form_keys(form)
        group = given_name_group(form)
        if group is not None:
            keys.add(f"g:{group}"[:KEY_MAX_LENGTH])
    return frozenset(keys)


def _form_keys(form: str) -> set[str]:
    """The folded, romanised and phonetic keys of one form (the whole name, or one word)."""
    keys: set[str | None] = {_key("a:", folded) for folded in _comparable(form)}
    keys.add(_key("r:", romanise(form)))
    keys.update(_key("p:", key) for key in _name_keys_phonetic(form))
    return {key for key in keys if key is not None}


@lru_cache(maxsize=_CACHE)
def _given_lookup_keys(text: str) -> frozenset[str]:
    words = _tokens(text)
    forms = [" ".join(words), *(word for word in words if len(word) > 1)] if words else []
    keys: set[str] = set()
    for form in dict.fromkeys(forms):
        group = given_name_group(form)
        if group is not None:
            keys.add(f"g:{group}"[:KEY_MAX_LENGTH])
        else:
            keys |= _form_keys(form)
    return frozenset(keys)


def given_name_lookup_keys(text: str) -> set[str]:
    """The keys a live match looks a given name up by: for a form in the given-name table only
    its group key — every record whose name shares a folded, romanised or phonetic key with it
    is in the same group, so the other three keys would read the same persons three more times
    (`maria`: 38,000 rows a key at 1 M) — and all keys of a form outside the table."""
    return set(_given_lookup_keys(text))


def name_keys(text: str) -> set[str]:
    """Blocking keys of one name field: a: folded, r: romanised, p: phonetic, g: given-name group."""
    return set(_name_keys(text))


_STRONG = frozenset({"exact", "diacritics", "cross_script", "variant"})


@lru_cache(maxsize=_CACHE)
def _compare(a: str, b: str, given: bool) -> tuple[float, frozenset[str]]:
    """Compare two names already reduced to their words joined by single spaces."""
    if a.casefold() == b.casefold():
        return 1.0, frozenset({"exact"})
    reasons: set[str] = set()
    folds_a, folds_b = _comparable(a), _comparable(b)
    if not set(folds_a).isdisjoint(folds_b):
        reasons.add("diacritics")
    roman_a, roman_b = romanise(a), romanise(b)
    keys_a, keys_b = _name_keys_phonetic(a), _name_keys_phonetic(b)
    if _script(a) != _script(b) and (roman_a == roman_b or not set(keys_a).isdisjoint(keys_b)):
        reasons.add("cross_script")
    group_a = given_name_group(a) if given else None
    group_b = given_name_group(b) if given else None
    if group_a is not None and group_a == group_b:
        reasons.add("variant")
    if reasons - {"variant"}:
        return 1.0, frozenset(reasons)
    pairs = [*product(folds_a, folds_b), (roman_a, roman_b), *product(keys_a, keys_b)]
    best = max(JaroWinkler.normalized_similarity(x, y) for x, y in pairs)
    if reasons:
        return max(VARIANT_SCORE, best), frozenset(reasons)
    if group_a is not None and group_b is not None:
        return min(best, DIFFERENT_NAMES_CAP), frozenset()
    return best, frozenset({"similar"}) if best >= SIMILAR else frozenset()


def _align(a: tuple[str, ...], b: tuple[str, ...], given: bool) -> tuple[float, frozenset[str]]:
    """Best one-to-one pairing of the words of two names (greedy; names have few words)."""
    if len(a) > len(b):
        a, b = b, a
    scored = sorted(
        ((*_compare(x, y, given), i, j) for i, x in enumerate(a) for j, y in enumerate(b)),
        key=lambda item: -item[0],
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    total = 0.0
    reasons: set[str] = set()
    all_strong = True
    for score, why, i, j in scored:
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        total += score
        reasons |= why & _STRONG
        all_strong = all_strong and bool(why & _STRONG)
    score = total / len(a)
    if len(a) != len(b):
        score *= PARTIAL_TOKENS
    reasons.discard("exact")
    if not (all_strong and reasons) and score >= SIMILAR:
        # The same words in another order, or one name has more words than the other.
        reasons.add("similar")
    return score, frozenset(reasons)


@lru_cache(maxsize=_CACHE)
def _similarity(a: str, b: str, given: bool) -> tuple[float, frozenset[str]]:
    words_a, words_b = _tokens(a), _tokens(b)
    if not words_a or not words_b:
        return 0.0, frozenset()
    if " ".join(_nfc(a).casefold().split()) == " ".join(_nfc(b).casefold().split()):
        return 1.0, frozenset({"exact"})
    score, reasons = _compare(" ".join(words_a), " ".join(words_b), given)
    if "exact" in reasons:
        # The same words with other punctuation or spacing ("Popescu-Rusu", "Popescu Rusu").
        reasons = frozenset({"diacritics"})
    if len(words_a) > 1 or len(words_b) > 1:
        aligned, aligned_reasons = _align(words_a, words_b, given)
        if aligned > score:
            score, reasons = aligned, aligned_reasons
    return score, reasons


def name_similarity(a: str, b: str, *, given: bool = False) -> tuple[float, frozenset[str]]:
    """A score in 0..1 and reason codes: exact, diacritics, cross_script, variant, similar.

    `given` compares given names, where Ion/Иван/Ioan are variants of one name and two
    different names from the table (Olga and Oleg) never score as similar.
    """
    return _similarity(a, b, given)
