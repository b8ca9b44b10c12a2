"""The demo's DHIS2 mapping: Chișinău and its sectors, and every indicator, with identifiers
made up in DHIS2's shape (an administrator enters the real ones in the admin)."""

from __future__ import annotations

import hashlib
import string

from django.db import transaction
from django.db.models import Q

from ocrotire.analytics.models import Dhis2DataElement, Dhis2OrgUnit
from ocrotire.analytics.official.dhis2 import INDICATORS
from ocrotire.geo.models import Unit

ALPHABET = string.ascii_letters + string.digits


def demo_uid(seed: str) -> str:
    """A stable, DHIS2-shaped identifier (a letter, then ten letters or digits)."""
    digest = hashlib.sha256(seed.encode()).digest()
    return ALPHABET[digest[0] % 52] + "".join(ALPHABET[b % 62] for b in digest[1:11])


@transaction.atomic
def dhis2_demo_load() -> dict[str, int]:
    units = 0
    for unit in Unit.objects.filter(Q(code="MD-CU") | Q(parent__code="MD-CU")):
        _mapping, created = Dhis2OrgUnit.objects.get_or_create(
            unit=unit, defaults={"org_unit": demo_uid(f"ou:{unit.code}")}
        )
        units += created
    for indicator in INDICATORS:
        # An administrator's own identifiers are kept when the demo is loaded again.
        Dhis2DataElement.objects.get_or_create(
            indicator=indicator, defaults={"data_element": demo_uid(f"de:{indicator}")}
        )
    return {"dhis2_units_mapped": units}
