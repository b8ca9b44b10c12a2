"""Reports sent through the API for the analytics tests (HG 270, DHIS2)."""

from __future__ import annotations

import random
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from ocrotire.geo.services import UnitSpec, unit_upsert

CHISINAU = ZoneInfo("Europe/Chisinau")
FORMS = ["physical", "sexual", "psychological", "spiritual", "economic"]
OTHERS = ["neglect", "labour_exploitation", "trafficking", "presumed_trafficking"]
SECTORS = ["education", "public_order", "health", "social", "other"]


@pytest.fixture
def village(territory: dict[str, Any]) -> Any:
    unit, _ = unit_upsert(
        actor=None,
        spec=UnitSpec("MD-CU-BOT-VIL", "village", "Bubuieci", "MD-CU-BOT", is_urban=False),
    )
    return unit


@pytest.fixture
def world(api: Any, personas: dict[str, Any], casework: None, village: Any) -> dict[str, Any]:
    """Forty reports in Botanica (town and village), Centru and the year before, sent through
    the API by the specialists, some triaged into cases and assessed."""
    rng = random.Random(270)
    year = timezone.localdate().year
    sent: list[dict[str, Any]] = []
    clients = {"MD-CU-BOT": api(personas["specialist"]), "MD-CU-CEN": api(personas["specialist2"])}
    # (person id, sex, birth) of earlier children, by the side that may name them again
    known: dict[str, list[tuple[int, str, date | None]]] = {"MD-CU-BOT": [], "MD-CU-CEN": []}
    for index in range(40):
        area = rng.choice(["MD-CU-BOT", "MD-CU-BOT", "MD-CU-BOT-SIN", "MD-CU-BOT-VIL", "MD-CU-CEN"])
        side = "MD-CU-CEN" if area == "MD-CU-CEN" else "MD-CU-BOT"
        client = clients[side]
        this_year = index % 9 != 0
        when = datetime(
            year if this_year else year - 1,
            rng.randint(1, 12),
            rng.randint(1, 28),
            10,
            tzinfo=CHISINAU,
        )
        when = min(when, timezone.now())
        children: list[dict[str, Any]] = []
        facts: list[tuple[str, date | None]] = []
        for n in range(rng.choice([1, 1, 1, 2])):
            if known[side] and rng.random() < 0.15:
                pk, sex, born = rng.choice(known[side])
                children.append({"person": pk})
            else:
                sex = rng.choice(["F", "M", "F", "M", ""])
                born = (
                    None
                    if rng.random() < 0.1
                    else date(
                        when.year - rng.randint(0, 19), rng.randint(1, 12), rng.randint(1, 28)
                    )
                )
                child: dict[str, Any] = {"given_name": f"Copil{index}x{n}", "family_name": "Test"}
                if sex:
                    child["sex"] = sex
                if born:
                    child["birth_date"] = born.isoformat()
                children.append(child)
            facts.append((sex, born))
        forms = rng.sample(FORMS, rng.choice([0, 1, 1, 2]))
        others = rng.sample(OTHERS, rng.choice([0, 1, 2]))
        if not forms and not others:
            others = ["neglect"]
        body: dict[str, Any] = {
            "received_at": when.isoformat(),
            "channel": rng.choice(["phone", "notification_form", "self_referral", "hotline"]),
            "reporter": {"kind": "professional", "sector": rng.choice(SECTORS), "name": "X"},
            "children": children,
            "concerns": forms + others,
            "immediate_danger": False,
            "unit": area,
            "narrative": "Observed at school.",
        }
        if forms:
            body["most_serious"] = rng.choice(forms)
        response = client.post("/api/v1/reports/", body, format="json")
        assert response.status_code == 201, response.json()
        report = response.json()
        # The answer lists the children by name: find each one sent.
        by_name = {c["display_name"]: c["person"] for c in report["children"]}
        ids = []
        for sent_child in children:
            if "person" in sent_child:
                ids.append(sent_child["person"])
            else:
                name = sent_child["given_name"]
                ids.append(next(v for k, v in by_name.items() if name in k.split()))
        for pk, (sex, born) in zip(ids, facts, strict=True):
            known[side].append((pk, sex, born))
        confirmed = None
        if report["status"] == "new" and rng.random() < 0.4:
            triaged = client.post(
                f"/api/v1/reports/{report['id']}/triage/",
                {"decision": "open_case", "reason": "Seen", "risk_level": "high"},
                format="json",
            )
            if triaged.status_code == 200:
                confirmed = rng.choice(["yes", "partly", "no"])
                case_id = triaged.json()["cases"][0]["id"]
                assessed = client.post(
                    f"/api/v1/cases/{case_id}/assessments/",
                    {
                        "kind": "initial",
                        "findings": "Seen",
                        "risk_level": "high",
                        "confirmed": confirmed,
                        "protection_interview_done": True,
                    },
                    format="json",
                )
                assert assessed.status_code == 200, assessed.json()
        sent.append(
            {
                "body": body,
                "when": when,
                "children": list(zip(ids, facts, strict=True)),
                "confirmed": confirmed in ("yes", "partly"),
            }
        )
    return {"year": year, "sent": sent}
