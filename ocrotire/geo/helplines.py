"""The numbers a person in danger or a child can call, per country, from the country pack's
`helplines.json`: the emergency number and the child helpline (whether it is free and open at
any hour). The public pages and the sign-in page show them first."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from ocrotire.geo.models import Unit
from ocrotire.geo.services import PACKS_DIR


@dataclass(frozen=True)
class Helplines:
    emergency: str
    child: str
    child_free: bool = True
    child_always_open: bool = False


# Where a pack says nothing: the European numbers (112, 116 111).
DEFAULT = Helplines(emergency="112", child="116 111")


@lru_cache(maxsize=16)
def helplines_of(country: str) -> Helplines:
    path = PACKS_DIR / country.lower() / "helplines.json"
    if not path.is_file():
        return DEFAULT
    data = json.loads(path.read_text(encoding="utf-8"))
    child = data.get("child_helpline", {})
    return Helplines(
        emergency=str(data.get("emergency", {}).get("number", DEFAULT.emergency)),
        child=str(child.get("number", DEFAULT.child)),
        child_free=bool(child.get("free", True)),
        child_always_open=bool(child.get("always_open", False)),
    )


@dataclass(frozen=True)
class Number:
    number: str
    # The countries that use it, named, where the countries served do not all share one number.
    where: str = ""

    @property
    def tel(self) -> str:
        return "".join(self.number.split())


@dataclass(frozen=True)
class NumbersShown:
    emergency: list[Number]
    child: list[Number]


def _numbers(by_country: dict[str, str], names: dict[str, str]) -> list[Number]:
    users: dict[str, list[str]] = {}
    for country, number in by_country.items():
        users.setdefault(number, []).append(names[country])
    if len(users) == 1:
        return [Number(next(iter(users)))]
    return [Number(number, ", ".join(where)) for number, where in users.items()]


def numbers_shown() -> NumbersShown:
    """The numbers of the countries this installation serves (its active top units), each once;
    named by country only where the countries differ."""
    # The sign-in page shows these on every visit: the names come in one query with the units.
    tops = (
        Unit.objects.filter(active=True, depth=0)
        .order_by("country", "code")
        .prefetch_related("names")
    )
    names: dict[str, str] = {}
    for unit in tops:
        names.setdefault(unit.country, unit.display_name())
    if not names:
        names = {"": ""}
    numbers = {country: helplines_of(country) if country else DEFAULT for country in names}
    return NumbersShown(
        emergency=_numbers({c: n.emergency for c, n in numbers.items()}, names),
        child=_numbers({c: n.child for c, n in numbers.items()}, names),
    )
