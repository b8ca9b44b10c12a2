"""The outreach tests' world (factories.py): a community worker's village and its households."""

from __future__ import annotations

import pytest

from ocrotire.accounts.models import Institution, User
from ocrotire.geo.models import Unit
from ocrotire.outreach.tests.factories import Village, village_build


@pytest.fixture
def village(
    personas: dict[str, User], institutions: dict[str, Institution], territory: dict[str, Unit]
) -> Village:
    return village_build(
        specialist=personas["specialist"],
        institutions=institutions,
        territory=territory,
        community=personas.get("community"),
    )
