"""The groups a child or a report falls in, computed by the database, shared by the dashboards
and the HG 270 report so that both count alike."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, CharField, Value, When
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear, Floor
from django.db.models.lookups import Exact, LessThan

UNKNOWN = "unknown"
# A unit without its own urban/rural mark takes the nearest one up the tree (a village of a
# commune, a town of a district); four levels reach every tree of the country packs.
URBAN_LEVELS = 4


def _ymd(field: str) -> Any:
    return ExtractYear(field) * 10000 + ExtractMonth(field) * 100 + ExtractDay(field)


BANDS = ((0, 2, "0_2"), (3, 6, "3_6"), (7, 17, "7_17"))


def age_years(*, at: str, born: str) -> Any:
    """Whole years between `born` and the day `at` (negative when born later; null when the
    birth date is not known): the dates as numbers yyyymmdd, their difference floored to ten
    thousands. One expression, for queries that group by age and band it afterwards."""
    return Floor((_ymd(at) - _ymd(born)) / Value(10000.0))


def band_of(years: float | None) -> str:
    """The band of an age from `age_years`, as `age_band` gives it in the database."""
    if years is None or years < 0:
        return UNKNOWN
    return next((key for low, high, key in BANDS if low <= years <= high), "18_plus")


def age_band(*, at: str, born: str) -> Case:
    """The age band ("0_2", "3_6", "7_17", "18_plus" or "unknown") of someone born on `born` on
    the day `at`, in whole years: with the dates as numbers yyyymmdd, a difference under 30000
    is under three years."""
    age = _ymd(at) - _ymd(born)
    return Case(
        When(**{f"{born}__isnull": True}, then=Value(UNKNOWN)),
        When(LessThan(age, 0), then=Value(UNKNOWN)),
        When(LessThan(age, 30000), then=Value("0_2")),
        When(LessThan(age, 70000), then=Value("3_6")),
        When(LessThan(age, 180000), then=Value("7_17")),
        default=Value("18_plus"),
        output_field=CharField(),
    )


def place_kind(unit: str) -> Case:
    """ "urban", "rural" or "unknown" for the unit in `unit` (a path to a foreign key to Unit;
    "" for a query of units themselves): its own mark, else the nearest one up the tree."""
    prefix = f"{unit}__" if unit else ""
    marks = [f"{prefix}{'parent__' * level}is_urban" for level in range(URBAN_LEVELS)]
    mark = Coalesce(*marks)
    return Case(
        When(Exact(mark, True), then=Value("urban")),
        When(Exact(mark, False), then=Value("rural")),
        default=Value(UNKNOWN),
        output_field=CharField(),
    )
