"""Synthetic persons with known ground truth, for benchmarks and for measuring match recall.

Families of realistic Moldovan, Ukrainian, Romanian and Kyrgyz names, written the way the
registry receives them: Moldovan names in Romanian and, as a police station or clinic writes
them, in Russian Cyrillic; Ukrainian names in Cyrillic and in KMU 2010 Latin; Kyrgyz names in
Cyrillic with ң ө ү and in Latin. A share of the records are duplicates of an earlier person
with the variations the registry must catch (another script, lost diacritics, a typo, swapped
names, an estimated birth date, a Russified given name, the identifier on one side only), and
about one in a hundred is a twin: the same family name and birth date, another person.

Every record carries `entity`, the ground truth: two records are the same person exactly when
their entities are equal. The output is a pure function of the arguments (a seeded
`random.Random`), and identifiers have valid check digits and are unique across the output.
"""

from __future__ import annotations

import random
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from itertools import accumulate
from typing import TypedDict

from stdnum.md import idno as md_idno
from stdnum.ro import cnp as ro_cnp
from stdnum.ua import rntrc as ua_rntrc

from ocrotire.demo.synthetic.names import MARKS, STRIP_CYRILLIC, countries, typo, with_marks

__all__ = [
    "COUNTRIES",
    "REFERENCE_DATE",
    "VARIATIONS",
    "SyntheticHousehold",
    "SyntheticPerson",
    "households",
    "leaf_units",
    "persons",
]

# Ages are counted back from a fixed day, so that the output does not change with the calendar.
REFERENCE_DATE = date(2025, 1, 1)
COUNTRIES = ("MD", "UA", "RO", "KG")
VARIATIONS = ("script", "diacritics", "typo", "swapped", "estimated_birth", "russified", "exact")
# How often each variation is the first one applied to a duplicate; a third get a second one.
_VARIATION_WEIGHTS = {
    "script": 25,
    "diacritics": 15,
    "typo": 20,
    "swapped": 7,
    "estimated_birth": 15,
    "russified": 13,
    "exact": 5,
}
_SECOND_VARIATION = 0.3


class SyntheticPerson(TypedDict):
    given_name: str
    family_name: str
    patronymic: str
    sex: str
    birth_date: date
    birth_date_precision: str
    birth_date_estimated: bool
    unit_code: str
    identifiers: list[tuple[str, str]]
    # Ground truth: equal entities are the same person.
    entity: int
    # "original" (first record of a person), "duplicate" or "twin" (a twin's first record).
    kind: str
    variations: tuple[str, ...]
    twin_of: int | None
    # The family an original record belongs to (households), None for duplicates.
    household: int | None
    household_role: str


class SyntheticHousehold(TypedDict):
    household: int
    name: str
    unit_code: str
    # Positions in the record list given to `households`, with "head" or "member".
    members: list[tuple[int, str]]


# --------------------------------------------------------------------------------------------
# National identifiers with valid check digits.

_RNOKPP_EPOCH = date(1899, 12, 31)
_CNP_COUNTIES = tuple(f"{n:02d}" for n in (*range(1, 47), 51, 52))
# IDNP serials: a fixed permutation of 0..10^8-1 (the multiplier is prime to 10), so that
# consecutive persons do not get consecutive numbers.
_IDNP_MULTIPLIER = 48271
_IDNP_OFFSET = 13_579_021


def _unzr_check(body: str) -> str:
    weights = (7, 3, 1) * 4
    return str(sum(w * int(d) for w, d in zip(weights, body, strict=True)) % 10)


class _Identifiers:
    """Issues unique identifiers in generation order (counters per birth date where the number
    encodes it), so that the same arguments always issue the same numbers."""

    def __init__(self, country: str) -> None:
        self.country = country
        self.issued = 0
        self.per_day: dict[tuple[str, date, str], int] = {}

    def _next(self, rng: random.Random, key: tuple[str, date, str], limit: int) -> int | None:
        """The next serial number under `limit` for `key`, from a random start per key."""
        value = self.per_day.get(key)
        if value is None:
            value = rng.randrange(limit // 2)
        if value >= limit:
            return None
        self.per_day[key] = value + 1
        return value

    def issue(self, rng: random.Random, sex: str, born: date) -> list[tuple[str, str]]:
        if self.country == "MD":
            serial = (self.issued * _IDNP_MULTIPLIER + _IDNP_OFFSET) % 10**8
            self.issued += 1
            # The year the number was assigned: at birth since 1997, else at the first passport.
            assigned = max(born.year, rng.randint(1997, 2006))
            body = f"2{assigned % 1000:03d}{serial:08d}"
            return [("md_idnp", body + md_idno.calc_check_digit(body))]
        if self.country == "RO":
            county = rng.choice(_CNP_COUNTIES)
            number = self._next(rng, ("ro_cnp", born, county), 999)
            if number is None:
                return []
            first = (
                ("1" if sex == "M" else "2") if born.year < 2000 else ("5" if sex == "M" else "6")
            )
            body = f"{first}{born:%y%m%d}{county}{number + 1:03d}"
            return [("ro_cnp", body + ro_cnp.calc_check_digit(body))]
        if self.country == "UA":
            result = []
            # Adults have a taxpayer number; children often only the UNZR of their birth record.
            adult = (REFERENCE_DATE - born).days >= 18 * 365
            if adult or rng.random() < 0.5:
                number = self._next(rng, ("ua_rnokpp", born, sex), 5000)
                if number is not None:
                    days = (born - _RNOKPP_EPOCH).days
                    body = f"{days:05d}{number * 2 + (1 if sex == 'M' else 0):04d}"
                    result.append(("ua_rnokpp", body + ua_rntrc.calc_check_digit(body)))
            if born.year >= 2013 or not result:
                number = self._next(rng, ("ua_unzr", born, ""), 10000)
                if number is not None:
                    body = f"{born:%Y%m%d}{number:04d}"
                    result.append(("ua_unzr", f"{body[:8]}-{body[8:]}{_unzr_check(body)}"))
            return result
        if self.country == "KG":
            number = self._next(rng, ("kg_pin", born, sex), 100000)
            if number is None:
                return []
            first = "2" if sex == "M" else "1"
            return [("kg_pin", f"{first}{born:%d%m%Y}{number:05d}")]
        return []


# --------------------------------------------------------------------------------------------
# Families and records.


@dataclass(frozen=True)
class _Style:
    cyrillic: bool
    russified: bool
    marks: str
    patronymic: bool


@dataclass(frozen=True)
class _Member:
    index: int
    sex: str
    birth_date: date
    precision: str
    estimated: bool
    given: int
    family: int
    father: int
    role: str
    identified: bool
    carries_identifiers: bool
    style: _Style
    twin_of_index: int | None


@dataclass(frozen=True)
class _Family:
    number: int
    unit: int
    members: tuple[_Member, ...]


_CHILDREN = (1, 2, 3, 4, 5)
_CHILDREN_WEIGHTS = tuple(accumulate((40, 32, 16, 8, 4)))
# Persons per family and children per family (before twins), for the twin probability.
_MEAN_FAMILY = 0.92 + 0.6 + 1.9
# Fewer than the 2.04 drawn: siblings who would be adults are left out.
_MEAN_CHILDREN = 1.9


_RECENT_FAMILIES = 256


def _days(years: float) -> int:
    return round(years * 365.25)


class _Generator:
    def __init__(
        self,
        *,
        count: int,
        seed: int,
        country: str,
        duplicates: float,
        twins: float,
        units: Sequence[str],
        identified: float | None,
    ) -> None:
        if country not in COUNTRIES:
            raise ValueError(
                f"Unknown country {country!r}; expected one of {', '.join(COUNTRIES)}."
            )
        if not units:
            raise ValueError(f"No units for {country}: load the pack first (manage.py load_packs).")
        if not 0 <= duplicates < 1 or not 0 <= twins < 0.5:
            raise ValueError("duplicates must be in [0, 1) and twins in [0, 0.5).")
        self.count = count
        self.seed = seed
        self.country = countries()[country]
        self.duplicates = duplicates
        # Per child, so that about `twins` of all records (duplicates included) are twins.
        self.twin_child = min(0.9, twins * _MEAN_FAMILY / _MEAN_CHILDREN / (1 - duplicates))
        self.units = list(units)
        self.identified = self.country.identified if identified is None else identified
        self.rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
        self.ids = _Identifiers(country)
        self.family_first: array[int] = array("q")
        self.emitted = 0
        # Identifiers of persons whose first record went without them: a later duplicate may
        # bring them (the registry never holds one number on two active records).
        self.pending: dict[int, list[tuple[str, str]]] = {}
        self.recent: dict[int, _Family] = {}
        self.variation_names = list(_VARIATION_WEIGHTS)
        self.variation_weights = tuple(accumulate(_VARIATION_WEIGHTS.values()))

    # The base of family `number` depends only on the seed and the number, so a duplicate of a
    # person is built again from its family instead of keeping every person in memory.
    def _family_rng(self, number: int) -> random.Random:
        return random.Random((self.seed << 40) ^ (number * 0x9E3779B1) ^ 0x5EED)  # noqa: S311

    def _style(self, rng: random.Random) -> _Style:
        country = self.country
        cyrillic = rng.random() < country.cyrillic
        russified = rng.random() < (
            country.russified_cyrillic if cyrillic else country.russified_latin
        )
        draw = rng.random()
        marks = "comma" if draw < 0.85 else ("none" if draw < 0.95 else "cedilla")
        return _Style(cyrillic, russified, marks, patronymic=rng.random() < 0.8)

    def _given(self, rng: random.Random, sex: str, avoid: int = -1) -> int:
        names, weights = (
            (self.country.male, self.country.male_weights)
            if sex == "M"
            else (self.country.female, self.country.female_weights)
        )
        while True:
            index = rng.choices(range(len(names)), cum_weights=weights)[0]
            if index != avoid:
                return index

    def _family_name(self, rng: random.Random) -> int:
        weights = self.country.family_weights
        return rng.choices(range(len(weights)), cum_weights=weights)[0]

    def _member(
        self,
        rng: random.Random,
        *,
        index: int,
        sex: str,
        born: date,
        family: int,
        father: int,
        role: str,
        given: int | None = None,
        twin_of_index: int | None = None,
    ) -> _Member:
        precision, estimated = "day", False
        adult = (REFERENCE_DATE - born).days >= _days(18)
        draw = rng.random()
        if draw < (0.04 if adult else 0.015):
            precision, estimated = "year", True
            born = born.replace(month=1, day=1)
        elif draw < (0.06 if adult else 0.02):
            precision, estimated = "month", True
            born = born.replace(day=1)
        identified = rng.random() < self.identified
        return _Member(
            index=index,
            sex=sex,
            birth_date=born,
            precision=precision,
            estimated=estimated,
            given=self._given(rng, sex) if given is None else given,
            family=family,
            father=father,
            role=role,
            identified=identified,
            carries_identifiers=identified and rng.random() < 0.8,
            style=self._style(rng),
            twin_of_index=twin_of_index,
        )

    def family(self, number: int) -> _Family:
        """Family `number`, built again from its own seed (the last few are kept)."""
        found = self.recent.get(number)
        if found is None:
            found = self.recent[number] = self._build_family(number)
            if len(self.recent) > _RECENT_FAMILIES:
                del self.recent[next(iter(self.recent))]
        return found

    def _build_family(self, number: int) -> _Family:
        rng = self._family_rng(number)
        unit = rng.randrange(len(self.units))
        surname = self._family_name(rng)
        father_given = self._given(rng, "M")
        has_father = rng.random() < 0.6
        has_mother = rng.random() < 0.92 or not has_father
        children = rng.choices(_CHILDREN, cum_weights=_CHILDREN_WEIGHTS)[0]
        # Children from the youngest up, one to six years apart, all under eighteen.
        ages = [rng.randrange(0, _days(17.5))]
        for _child in range(children - 1):
            older = ages[-1] + rng.randrange(300, _days(6))
            if older >= _days(18):
                break
            ages.append(older)
        oldest = REFERENCE_DATE - timedelta(days=ages[-1])
        mother_born = oldest - timedelta(days=rng.randrange(_days(17), _days(40)))
        father_born = mother_born - timedelta(days=rng.randrange(-_days(2), _days(8)))
        members: list[_Member] = []
        if has_father:
            members.append(
                self._member(
                    rng,
                    index=len(members),
                    sex="M",
                    born=father_born,
                    family=surname,
                    father=self._given(rng, "M"),
                    role="head",
                    given=father_given,
                )
            )
        if has_mother:
            keeps_name = has_father and rng.random() < 0.85
            members.append(
                self._member(
                    rng,
                    index=len(members),
                    sex="F",
                    born=mother_born,
                    family=surname if keeps_name or not has_father else self._family_name(rng),
                    father=self._given(rng, "M"),
                    role="member" if has_father else "head",
                )
            )
        for age in ages:
            born = REFERENCE_DATE - timedelta(days=age)
            sex = "M" if rng.random() < 0.51 else "F"
            child = self._member(
                rng,
                index=len(members),
                sex=sex,
                born=born,
                family=surname,
                father=father_given,
                role="member",
            )
            members.append(child)
            if rng.random() < self.twin_child:
                twin_sex = sex if rng.random() < 0.5 else ("F" if sex == "M" else "M")
                twin = self._member(
                    rng,
                    index=len(members),
                    sex=twin_sex,
                    born=child.birth_date,
                    family=surname,
                    father=father_given,
                    role="member",
                    given=self._given(rng, twin_sex, avoid=child.given if twin_sex == sex else -1),
                    twin_of_index=child.index,
                )
                # Twins are registered together: the same birth date, written the same way.
                members.append(
                    replace(
                        twin,
                        birth_date=child.birth_date,
                        precision=child.precision,
                        estimated=child.estimated,
                        style=child.style,
                    )
                )
        return _Family(number=number, unit=unit, members=tuple(members))

    # -- rendering ---------------------------------------------------------------------------

    def _names(self, member: _Member, style: _Style) -> tuple[str, str, str]:
        country = self.country
        given_forms = (country.male if member.sex == "M" else country.female)[member.given]
        family_forms = (country.family_male if member.sex == "M" else country.family_female)[
            member.family
        ]
        given = given_forms.pick(style.cyrillic, style.russified)
        family = family_forms.pick(style.cyrillic, style.russified)
        patronymic = ""
        pair = country.patronymics[member.father]
        if pair is not None and style.patronymic:
            patronymic = pair[0 if member.sex == "M" else 1].pick(style.cyrillic, style.russified)
        if country.romanian_marks and not style.cyrillic:
            given, family = with_marks(given, style.marks), with_marks(family, style.marks)
        return given, family, patronymic

    def _record(
        self,
        member: _Member,
        family: _Family,
        *,
        entity: int,
        kind: str,
        style: _Style,
        identifiers: list[tuple[str, str]],
        unit: int,
        variations: tuple[str, ...] = (),
        names: tuple[str, str, str] | None = None,
        birth: tuple[date, str, bool] | None = None,
    ) -> SyntheticPerson:
        given, family_name, patronymic = names or self._names(member, style)
        born, precision, estimated = birth or (
            member.birth_date,
            member.precision,
            member.estimated,
        )
        twin_of = None
        if member.twin_of_index is not None:
            twin_of = self.family_first[family.number] + member.twin_of_index
        original = kind != "duplicate"
        return {
            "given_name": given,
            "family_name": family_name,
            "patronymic": patronymic,
            "sex": member.sex,
            "birth_date": born,
            "birth_date_precision": precision,
            "birth_date_estimated": estimated,
            "unit_code": self.units[unit],
            "identifiers": identifiers,
            "entity": entity,
            "kind": kind,
            "variations": variations,
            "twin_of": twin_of,
            "household": family.number if original else None,
            "household_role": member.role if original else "",
        }

    # -- duplicates --------------------------------------------------------------------------

    def _vary(self, variation: str, member: _Member, style: _Style, state: _DuplicateState) -> bool:
        """Apply one variation to the duplicate being built; False when it would change nothing."""
        rng = self.rng
        country = self.country
        if variation == "script":
            if country.cyrillic == 0:
                return False
            state.style = _Style(
                not state.style.cyrillic,
                state.style.russified,
                state.style.marks,
                rng.random() < 0.5,
            )
            state.names = self._names(member, state.style)
            return state.names[:2] != self._names(member, style)[:2]
        if variation == "russified":
            flipped = _Style(
                state.style.cyrillic,
                not state.style.russified,
                state.style.marks,
                state.style.patronymic,
            )
            names = self._names(member, flipped)
            if names[:2] == state.names[:2]:
                return False
            state.style, state.names = flipped, names
            return True
        if variation == "diacritics":
            given, family_name, patronymic = state.names
            if state.style.cyrillic:
                changed = (
                    given.translate(STRIP_CYRILLIC),
                    family_name.translate(STRIP_CYRILLIC),
                    patronymic.translate(STRIP_CYRILLIC),
                )
            elif country.romanian_marks:
                others = [m for m in MARKS if m != state.style.marks]
                rng.shuffle(others)
                changed = (given, family_name, patronymic)
                for marks in others:
                    changed = (with_marks(given, marks), with_marks(family_name, marks), patronymic)
                    if changed[:2] != (given, family_name):
                        break
            else:
                return False
            if changed[:2] == (given, family_name):
                return False
            state.names = changed
            return True
        if variation == "typo":
            given, family_name, patronymic = state.names
            if rng.random() < 0.5:
                changed_given = typo(rng, given)
                if changed_given == given:
                    return False
                state.names = (changed_given, family_name, patronymic)
            else:
                changed_family = typo(rng, family_name)
                if changed_family == family_name:
                    return False
                state.names = (given, changed_family, patronymic)
            return True
        if variation == "swapped":
            given, family_name, patronymic = state.names
            if given == family_name:
                return False
            state.names = (family_name, given, patronymic)
            return True
        if variation == "estimated_birth":
            born = member.birth_date
            draw = rng.random()
            if draw < 0.5:
                state.birth = (born.replace(month=1, day=1), "year", True)
            elif draw < 0.8:
                shift = rng.choice((-1, 1))
                year = born.year + shift
                if date(year, 1, 1) > REFERENCE_DATE:
                    year = born.year - 1
                state.birth = (date(year, 1, 1), "year", True)
            else:
                state.birth = (born.replace(day=1), "month", True)
            return state.birth != (member.birth_date, member.precision, member.estimated)
        return variation == "exact"

    def _duplicate(self) -> SyntheticPerson:
        rng = self.rng
        entity = rng.randrange(self.emitted)
        number = bisect_right(self.family_first, entity) - 1
        family = self.family(number)
        member = family.members[entity - self.family_first[number]]
        state = _DuplicateState(style=member.style, names=self._names(member, member.style))
        applied: list[str] = []
        order = rng.choices(self.variation_names, cum_weights=self.variation_weights, k=4)
        order += [v for v in self.variation_names if v not in order]
        wanted = 2 if rng.random() < _SECOND_VARIATION else 1
        for variation in dict.fromkeys(order):
            if len(applied) == wanted:
                break
            if variation == "exact" and applied:
                continue
            if self._vary(variation, member, member.style, state):
                applied.append(variation)
                if variation == "exact":
                    break
        identifiers: list[tuple[str, str]] = []
        pending = self.pending.get(entity)
        if pending is not None and rng.random() < 0.6:
            identifiers = self.pending.pop(entity)
        if member.identified:
            applied.append("identifier_one_side")
        unit = family.unit if rng.random() < 0.85 else rng.randrange(len(self.units))
        return self._record(
            member,
            family,
            entity=entity,
            kind="duplicate",
            style=state.style,
            identifiers=identifiers,
            unit=unit,
            variations=tuple(applied),
            names=state.names,
            birth=state.birth,
        )

    # -- the stream --------------------------------------------------------------------------

    def __iter__(self) -> Iterator[SyntheticPerson]:
        produced = 0
        number = -1
        queue: list[_Member] = []
        family: _Family | None = None
        while produced < self.count:
            if self.emitted and self.rng.random() < self.duplicates:
                yield self._duplicate()
                produced += 1
                continue
            if not queue:
                number += 1
                self.family_first.append(self.emitted)
                family = self.family(number)
                queue = list(family.members)
            assert family is not None
            member = queue.pop(0)
            entity = self.emitted
            self.emitted += 1
            identifiers: list[tuple[str, str]] = []
            if member.identified:
                issued = self.ids.issue(self.rng, member.sex, member.birth_date)
                if member.carries_identifiers:
                    identifiers = issued
                elif issued:
                    self.pending[entity] = issued
            yield self._record(
                member,
                family,
                entity=entity,
                kind="twin" if member.twin_of_index is not None else "original",
                style=member.style,
                identifiers=identifiers,
                unit=family.unit,
            )
            produced += 1


@dataclass
class _DuplicateState:
    style: _Style
    names: tuple[str, str, str]
    birth: tuple[date, str, bool] | None = None


def persons(
    count: int,
    *,
    units: Sequence[str],
    seed: int = 1,
    country: str = "MD",
    duplicates: float = 0.1,
    twins: float = 0.01,
    identified: float | None = None,
) -> Iterator[SyntheticPerson]:
    """`count` synthetic records for `country`, spread over `units` (codes, e.g. `leaf_units`).

    `duplicates` is the share of records that repeat an earlier person with variations; `twins`
    the share of records that are a twin of another person; `identified` the share of persons
    with a national identifier (a per-country default when None). Same arguments, same output.
    """
    return iter(
        _Generator(
            count=count,
            seed=seed,
            country=country.upper(),
            duplicates=duplicates,
            twins=twins,
            units=units,
            identified=identified,
        )
    )


def households(records: Iterable[SyntheticPerson]) -> list[SyntheticHousehold]:
    """One household per family among `records` (original records only), in order of appearance.

    The household is named after its head's family name; members are positions in `records`."""
    found: dict[int, SyntheticHousehold] = {}
    for position, record in enumerate(records):
        number = record["household"]
        if number is None:
            continue
        household = found.get(number)
        if household is None:
            household = found[number] = {
                "household": number,
                "name": record["family_name"],
                "unit_code": record["unit_code"],
                "members": [],
            }
        if record["household_role"] == "head":
            household["name"] = record["family_name"]
        household["members"].append((position, record["household_role"] or "member"))
    return list(found.values())


def leaf_units(country: str) -> dict[str, int]:
    """Codes and ids of the active units of `country` without children, in code order (one query)."""
    from ocrotire.geo.models import Unit

    rows = (
        Unit.objects.filter(country=country.upper(), active=True, children__isnull=True)
        .order_by("code")
        .values_list("code", "pk")
    )
    return dict(rows)
