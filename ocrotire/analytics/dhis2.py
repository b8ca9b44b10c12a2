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

from ocrotire.analytics.hg270 import LINES, period_counts
from ocrotire.analytics.models import Dhis2DataElement, Dhis2OrgUnit
from ocrotire.analytics.suppression import cell, is_suppressed
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
    values: list[dict[str, str]] = []
    left_out = 0
    for mapped in org_units:
        counts = indicator_counts(unit=mapped.unit, period=period)
        for element in elements:
            shown = cell(counts[element.indicator], exact=exact)
            if is_suppressed(shown):
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
            value["value"] = str(shown)
            values.append(value)
    document: dict[str, Any] = {}
    data_set = getattr(settings, "OCROTIRE_DHIS2_DATA_SET", "")
    if data_set:
        document["dataSet"] = data_set
    document["completeDate"] = timezone.localdate().isoformat()
    document["dataValues"] = values
    return document, left_out
