"""Registration numbers: the authority that registers a report or a case, and the gapless
sequence each authority keeps per year and kind (`<prefix>-<year>-<n>` for reports,
`<prefix>-C-<year>-<n>` for cases)."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from django.db import connection
from django.db.models import F

from ocrotire.accounts.models import Institution, InstitutionKind
from ocrotire.geo.calendars import calendar_of
from ocrotire.geo.models import Unit

AUTHORITY_KINDS = (InstitutionKind.CHILD_PROTECTION, InstitutionKind.GUARDIANSHIP)


class NumberPrefix(NamedTuple):
    prefix: str
    year: int
    authority: Institution | None


def registering_authority(unit: Unit) -> Institution | None:
    """The child-protection authority of the nearest unit up the tree, then up to the directorate
    it belongs to (a sector section of DGPDC registers under DGPDC)."""
    codes = list(reversed(unit.ancestor_codes()))
    nearest: dict[str, Institution] = {}
    candidates = (
        Institution.objects.filter(units__code__in=codes, kind__in=AUTHORITY_KINDS, active=True)
        .annotate(unit_code=F("units__code"))
        .order_by("id")
    )
    for institution in candidates:
        nearest.setdefault(institution.unit_code, institution)
    found = next((nearest[code] for code in codes if code in nearest), None)
    if found is None:
        return None
    seen = {found.pk}
    while found.parent_id is not None and found.parent_id not in seen:
        parent = Institution.objects.get(pk=found.parent_id)
        seen.add(parent.pk)
        found = parent
    return found


def next_number(*, prefix: str, year: int, kind: str) -> int:
    """The next number of a sequence, in one statement. The counter row stays locked until the
    caller's transaction ends, so concurrent filings wait their turn and the numbers have no
    gaps: callers take the number as late in their transaction as they can."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO intake_registrationcounter (prefix, year, kind, last) "
            "VALUES (%s, %s, %s, 1) ON CONFLICT (prefix, year, kind) "
            "DO UPDATE SET last = intake_registrationcounter.last + 1 RETURNING last",
            [prefix, year, kind],
        )
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


def number_prefix(unit: Unit, at: datetime) -> NumberPrefix:
    """The prefix (the registering authority's abbreviation, else the unit's code) and the year
    in the unit's country of a number taken at `at`."""
    authority = registering_authority(unit)
    prefix = (authority.abbreviation if authority and authority.abbreviation else unit.code).upper()
    year = at.astimezone(calendar_of(unit.country).zone).year
    return NumberPrefix(prefix, year, authority)
