"""Demo data: the country packs, the Chișinău institutions, one account per role, persons, and
reports and cases at every stage in Chișinău, Chernihiv, Bacău county and Alamüdün district."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from ocrotire.accounts.models import Institution, Role, RoleCode
from ocrotire.accounts.services import (
    institution_upsert_reference,
    role_policy_set,
    roles_ensure,
    user_upsert,
)
from ocrotire.demo.analytics import dhis2_demo_load
from ocrotire.demo.care import care_demo_load, institutions_demo_load
from ocrotire.demo.cases import cases_demo_load
from ocrotire.demo.complaints import complaints_demo_load
from ocrotire.demo.countries import areas_demo_load
from ocrotire.demo.outreach import outreach_demo_load
from ocrotire.demo.planning import planning_demo_load, projects_demo_load
from ocrotire.demo.programmes import programmes_demo_load
from ocrotire.demo.providers import providers_demo_load
from ocrotire.demo.providers_ua import providers_ua_demo_load
from ocrotire.demo.registry import registry_demo_load
from ocrotire.geo.models import Unit
from ocrotire.geo.services import available_packs
from ocrotire.site.packs import packs_load

DEMO_PASSWORD = "ocrotire-demo"  # noqa: S105  (published in the README; the demo refuses production)
INSTITUTIONS_FILE = (
    Path(__file__).resolve().parent.parent / "accounts" / "packs" / "demo_institutions.json"
)


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    roles: tuple[str, ...]
    units: tuple[str, ...] = ()
    institution: str | None = None
    language: str = "ro"
    superuser: bool = False


DEMO_USERS = [
    DemoUser("admin", "Ana", "Administrator", (RoleCode.ADMINISTRATOR,), superuser=True),
    DemoUser("specialist", "Elena", "Rusu", (RoleCode.SPECIALIST,), ("MD-CU-BOT",), "DGPDC-BOT"),
    DemoUser("specialist2", "Ion", "Ciobanu", (RoleCode.SPECIALIST,), ("MD-CU-CEN",), "DGPDC-CEN"),
    DemoUser("supervisor", "Maria", "Țurcanu", (RoleCode.SUPERVISOR,), ("MD-CU",), "DGPDC"),
    DemoUser("head", "Victor", "Ceban", (RoleCode.HEAD,), ("MD-CU",), "DGPDC"),
    DemoUser("reporter", "Natalia", "Popa", (RoleCode.REPORTER,), (), "DEMO-SCHOOL-BOT"),
    DemoUser("provider", "Olga", "Munteanu", (RoleCode.PROVIDER,), (), "DEMO-DAY-CENTRE"),
    DemoUser("planner", "Sergiu", "Lungu", (RoleCode.PLANNER,), ("MD-CU",), "DGPDC"),
    DemoUser("auditor", "Tatiana", "Moraru", (RoleCode.AUDITOR,), ("MD-CU",), "DGPDC"),
    DemoUser(
        "community",
        "Ludmila",
        "Cojocaru",
        (RoleCode.COMMUNITY_WORKER,),
        ("MD-CU-BOT-SIN",),
        "DGPDC-BOT",
    ),
    DemoUser(
        "specialist_ua",
        "Олена",
        "Шевченко",
        (RoleCode.SPECIALIST,),
        ("UA-74-CHE-CHEH",),
        "UA-CHN-SSD",
        "uk",
    ),
    DemoUser(
        "supervisor_ua",
        "Наталія",
        "Кравченко",
        (RoleCode.SUPERVISOR,),
        ("UA-74-CHE-CHEH",),
        "UA-CHN-SSD",
        "uk",
    ),
    DemoUser(
        "specialist_ro", "Andreea", "Popescu", (RoleCode.SPECIALIST,), ("RO-BC",), "RO-BC-DGASPC"
    ),
    DemoUser(
        "supervisor_ro", "Mihaela", "Stan", (RoleCode.SUPERVISOR,), ("RO-BC",), "RO-BC-DGASPC"
    ),
    DemoUser(
        "specialist_kg",
        "Айгуль",
        "Асанова",
        (RoleCode.SPECIALIST,),
        ("KG-C-ALA",),
        "KG-C-ALA-OPSD",
        "ru",
    ),
    DemoUser(
        "supervisor_kg",
        "Бакыт",
        "Джумабаев",
        (RoleCode.SUPERVISOR,),
        ("KG-C-ALA",),
        "KG-C-ALA-OPSD",
        "ru",
    ),
]


class DemoRefused(Exception):
    pass


@transaction.atomic
def demo_load() -> dict[str, int]:
    """Load everything the demo needs. Running it again changes nothing."""
    if settings.PRODUCTION:
        raise DemoRefused(
            "The demo data and its published passwords are never loaded in production."
        )
    counts = {
        "units_created": 0,
        "institutions_created": 0,
        "users_created": 0,
        "persons_created": 0,
        "concerns_created": 0,
        "rules_written": 0,
        "services_written": 0,
        "reports_created": 0,
        "cases_created": 0,
        "complaints_created": 0,
    }
    roles_ensure()
    for country in available_packs():
        loaded = packs_load(country=country)
        counts["units_created"] += loaded.units.created if loaded.units else 0
        counts["concerns_created"] += loaded.concerns
        counts["rules_written"] += loaded.rules
        counts["services_written"] += loaded.catalogue
    data = json.loads(INSTITUTIONS_FILE.read_text(encoding="utf-8"))
    by_key: dict[str, Institution] = {}
    for row in data["institutions"]:
        institution, outcome = institution_upsert_reference(
            actor=None,
            country=row["country"],
            abbreviation=row["abbreviation"],
            name=row["name"],
            kind=row["kind"],
            unit_codes=row["units"],
            parent=by_key.get(row.get("parent", "")),
            name_verified=row.get("name_verified", True),
        )
        by_key[row["key"]] = institution
        counts["institutions_created"] += outcome == "created"
    users = {}
    for spec in DEMO_USERS:
        users[spec.username], created = user_upsert(
            actor=None,
            username=spec.username,
            password=DEMO_PASSWORD,
            first_name=spec.first_name,
            last_name=spec.last_name,
            email=f"{spec.username}@demo.ocrotire.invalid",
            roles=spec.roles,
            units=list(Unit.objects.filter(code__in=spec.units)),
            institution=by_key.get(spec.institution) if spec.institution else None,
            language=spec.language,
            is_staff=spec.superuser,
            is_superuser=spec.superuser,
        )
        counts["users_created"] += created
    # Two-factor sign-in is off in the demo so that anyone can try every role.
    for role in Role.objects.filter(mfa_required=True):
        role_policy_set(actor=None, role=role, mfa_required=False)
    counts["persons_created"] = registry_demo_load(users)
    counts.update(cases_demo_load(users, by_key))
    counts.update(complaints_demo_load(users))
    for key, value in areas_demo_load(users, by_key).items():
        counts[key] += value
    counts.update(providers_demo_load(users, by_key))
    for key, value in providers_ua_demo_load(users, by_key).items():
        counts[key] += value
    counts.update(care_demo_load(users))
    counts.update(institutions_demo_load(users))
    counts.update(planning_demo_load(users))
    counts.update(projects_demo_load(users))
    counts.update(dhis2_demo_load())
    counts.update(programmes_demo_load(users))
    for key, value in outreach_demo_load(users).items():
        counts[key] = counts.get(key, 0) + value
    return counts
