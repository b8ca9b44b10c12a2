"""Fixtures of the plan's tests: the seed action plan, the Moldovan institutions it names, the
people of those institutions, and the plan imported through the API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from ocrotire.accounts.models import Institution
from ocrotire.accounts.services import institution_upsert_reference
from ocrotire.demo.planning import action_plan_seed
from ocrotire.planning.tests.helpers import upload

INSTITUTIONS_FILE = (
    Path(settings.BASE_DIR) / "ocrotire" / "accounts" / "packs" / "demo_institutions.json"
)


@pytest.fixture
def seed() -> Path:
    path = action_plan_seed()
    if path is None:
        pytest.skip("the source documents (../shared/seeds) are not beside this clone")
    return path


@pytest.fixture
def md_institutions(territory: Any) -> dict[str, Institution]:
    """The Moldovan institutions the demo knows (those the seed plan names among them)."""
    from ocrotire.geo.models import Unit
    from ocrotire.geo.services import UnitSpec, unit_upsert

    for code in ("MD-CU-BUI", "MD-CU-CIO", "MD-CU-RIS"):
        unit_upsert(actor=None, spec=UnitSpec(code, "sector", code, "MD-CU", is_urban=True))
    assert Unit.objects.filter(code="MD-CU").exists()
    rows = json.loads(INSTITUTIONS_FILE.read_text(encoding="utf-8"))["institutions"]
    made: dict[str, Institution] = {}
    for row in rows:
        if row["country"] != "MD":
            continue
        made[row["key"]], _ = institution_upsert_reference(
            actor=None,
            country="MD",
            abbreviation=row["abbreviation"],
            name=row["name"],
            kind=row["kind"],
            unit_codes=row["units"],
            parent=made.get(row.get("parent", "")),
        )
    return made


@pytest.fixture
def people(make_user: Any, md_institutions: dict[str, Institution]) -> dict[str, Any]:
    return {
        "planner": make_user("planner", ("planner",), ("MD-CU",), md_institutions["DGPDC"]),
        "dgpdc": make_user("dgpdc", ("specialist",), ("MD-CU",), md_institutions["DGPDC"]),
        "sector": make_user(
            "sector", ("specialist",), ("MD-CU-BOT",), md_institutions["DGPDC-BOT"]
        ),
        "dgets": make_user("dgets", ("supervisor",), ("MD-CU",), md_institutions["DGETS"]),
        "reporter": make_user("school", ("reporter",), (), md_institutions["DEMO-SCHOOL-BOT"]),
    }


@pytest.fixture
def imported(api: Any, people: dict[str, Any], seed: Path) -> dict[str, Any]:
    response = upload(api, people["planner"], seed)
    assert response.status_code == 201, response.content
    return dict(response.json())
