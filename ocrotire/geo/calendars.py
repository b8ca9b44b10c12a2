"""A country's working-day calendar, read from its pack (`geo/packs/<cc>/calendar.json`): its time
zone, whether public holidays come from the `holidays` library (Ukraine under martial law has
none), and extra days off or working Saturdays decreed by the government."""

from __future__ import annotations

import json
from datetime import date
from functools import lru_cache

from ocrotire.core.workdays import Calendar
from ocrotire.geo.services import PACKS_DIR


@lru_cache(maxsize=16)
def calendar_of(country: str) -> Calendar:
    path = PACKS_DIR / country.lower() / "calendar.json"
    if not path.is_file():
        return Calendar(country=country.upper())
    data = json.loads(path.read_text(encoding="utf-8"))
    return Calendar(
        country=country.upper(),
        timezone=data.get("timezone", "UTC"),
        public_holidays=data.get("public_holidays", True),
        extra_days_off=frozenset(date.fromisoformat(d) for d in data.get("extra_days_off", [])),
        working_days_on_weekend=frozenset(
            date.fromisoformat(d) for d in data.get("working_days_on_weekend", [])
        ),
    )
