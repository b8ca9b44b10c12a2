"""Aggregate indicators per unit and period as a DHIS2 `dataValueSets` document.

Our indicators are named here (`INDICATORS`); which DHIS2 data element and category option
combination each one goes to, and which DHIS2 organisation unit stands for which of our units,
is data kept by administrators (`Dhis2DataElement`, `Dhis2OrgUnit`). Only mapped indicators and
mapped units are sent. Periods use DHIS2's own notation: `2026` (year), `2026Q1` (quarter),
`202603` (month)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ocrotire.analytics.common.suppression import Group, hidden_cells
from ocrotire.analytics.models import Dhis2DataElement, Dhis2OrgUnit
from ocrotire.analytics.official.hg270 import GROUPS, LINES, period_counts
from ocrotire.care.models import FAMILY_BASED, Placement
from ocrotire.cases.models import Case
from ocrotire.core.expressions import InIds
from ocrotire.geo.models import Unit

PERIOD = re.compile(r"^(?P<year>\d{4})(?:(?P<month>\d{2})|Q(?P<quarter>[1-4]))?$")

# Our aggregate indicators: every row of the HG 270 form, and counts of case work.
INDICATORS: dict[str, Any] = {
    **{f"hg270.{line.key}": line.label for line in LINES},
    "cases.opened": gettext_lazy("Cases opened"),
    "placements.family": gettext_lazy("Children placed in family-based care"),
    "placements.residential": gettext_lazy("Children placed in residential care"),
}


class Dhis2Error(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Period:
    code: str
    start: datetime
    end: datetime


def period_parse(code: str) -> Period:
    match = PERIOD.match(code.strip())
    if not match:
        raise Dhis2Error(
            "period",
            _("Write the period as DHIS2 does: 2026, 2026Q1 or 202603."),
        )
    year = int(match["year"])
    if not 2000 <= year <= 2100:
        raise Dhis2Error("period", _("Choose a period that has begun, from 2000 on."))
    first, months = 1, 12
    if match["month"]:
        first, months = int(match["month"]), 1
        if not 1 <= first <= 12:
            raise Dhis2Error("period", _("There is no such month."))
    elif match["quarter"]:
        first, months = 3 * (int(match["quarter"]) - 1) + 1, 3
    tz = timezone.get_current_timezone()
    start = datetime(year, first, 1, tzinfo=tz)
    last = first + months
    end = datetime(year + (last - 1) // 12, (last - 1) % 12 + 1, 1, tzinfo=tz)
    if year < 2000 or start > timezone.now():
        raise Dhis2Error("period", _("Choose a period that has begun, from 2000 on."))
    return Period(code.strip(), start, end)


def indicator_counts(*, unit: Unit, period: Period) -> dict[str, int]:
    counts = {
        f"hg270.{key}": value
        for key, value in period_counts(unit=unit, start=period.start, end=period.end).items()
    }
    unit_ids = list(Unit.objects.subtree(unit).values_list("pk", flat=True))
    counts["cases.opened"] = Case.objects.filter(
        InIds("unit_id", unit_ids), opened_at__gte=period.start, opened_at__lt=period.end
    ).count()
    placed = Placement.objects.filter(
        InIds("case__unit_id", unit_ids), started_at__gte=period.start, started_at__lt=period.end
    )
    counts["placements.family"] = placed.filter(form__in=list(FAMILY_BASED)).count()
    counts["placements.residential"] = placed.exclude(form__in=list(FAMILY_BASED)).count()
    return counts


def data_value_set(*, unit: Unit, period: Period, exact: bool) -> tuple[dict[str, Any], int]:
    """The document for `unit` and each of its units that has a DHIS2 organisation unit, and
    how many values were left out as small counts the reader may not see."""
    org_units = list(
        Dhis2OrgUnit.objects.filter(unit__in=Unit.objects.subtree(unit))
        .select_related("unit")
        .order_by("unit__path")
    )
    if not org_units:
        raise Dhis2Error(
            "unit", _("No DHIS2 organisation unit is mapped for this area or inside it.")
        )
    elements = list(Dhis2DataElement.objects.filter(indicator__in=list(INDICATORS)))
    if not elements:
        raise Dhis2Error("period", _("No indicator is mapped to a DHIS2 data element yet."))
    counts = {mapped.pk: indicator_counts(unit=mapped.unit, period=period) for mapped in org_units}
    hidden: set[tuple[int, str]] = set()
    if not exact:
        hidden = _hidden(org_units, counts, {element.indicator for element in elements})
    values: list[dict[str, str]] = []
    left_out = 0
    for mapped in org_units:
        for element in elements:
            if (mapped.pk, element.indicator) in hidden:
                left_out += 1
                continue
            value = {
                "dataElement": element.data_element,
                "period": period.code,
                "orgUnit": mapped.org_unit,
            }
            if element.category_option_combo:
                value["categoryOptionCombo"] = element.category_option_combo
            if element.attribute_option_combo:
                value["attributeOptionCombo"] = element.attribute_option_combo
            value["value"] = str(counts[mapped.pk][element.indicator])
            values.append(value)
    document: dict[str, Any] = {}
    data_set = getattr(settings, "OCROTIRE_DHIS2_DATA_SET", "")
    if data_set:
        document["dataSet"] = data_set
    document["completeDate"] = timezone.localdate().isoformat()
    document["dataValues"] = values
    return document, left_out


Cell = tuple[int, str]
REMAINDER = -1


def _hidden(
    org_units: list[Dhis2OrgUnit], counts: dict[int, dict[str, int]], sent: set[str]
) -> set[Cell]:
    """The values a reader who does not see the records may not be sent: small counts, and
    beside them enough others that none can be computed back, within a unit (the HG 270 rows
    that add up) or across units (a unit minus its mapped parts: what is left of it is a cell
    of its own, never sent, protected when small like the others)."""
    values: dict[Cell, int] = {}
    shown: list[Cell] = []
    groups: list[Group[Cell]] = []
    for mapped in org_units:
        for indicator, value in counts[mapped.pk].items():
            values[mapped.pk, indicator] = value
            if indicator in sent:
                shown.append((mapped.pk, indicator))
        for group in GROUPS:
            groups.append(
                Group(
                    None if group.total is None else (mapped.pk, f"hg270.{group.total}"),
                    tuple((mapped.pk, f"hg270.{part}") for part in group.parts),
                )
            )
        groups.append(
            Group(None, ((mapped.pk, "placements.family"), (mapped.pk, "placements.residential")))
        )
    # Each mapped unit's nearest mapped unit above it.
    paths = {mapped.pk: mapped.unit.path for mapped in org_units}
    for mapped in org_units:
        parts = [
            other.pk
            for other in org_units
            if other.pk != mapped.pk
            and paths[other.pk].startswith(paths[mapped.pk])
            and paths[other.pk] != paths[mapped.pk]
            and not any(
                paths[other.pk].startswith(paths[middle.pk])
                and paths[middle.pk].startswith(paths[mapped.pk])
                and paths[middle.pk] not in (paths[mapped.pk], paths[other.pk])
                for middle in org_units
            )
        ]
        if not parts:
            continue
        rest = REMAINDER * mapped.pk
        for indicator in counts[mapped.pk]:
            left = counts[mapped.pk][indicator] - sum(counts[pk][indicator] for pk in parts)
            values[rest, indicator] = left
            groups.append(
                Group(
                    (mapped.pk, indicator),
                    (*((pk, indicator) for pk in parts), (rest, indicator)),
                )
            )
    primary, secondary = hidden_cells(values, groups, shown=shown)
    return primary | secondary
