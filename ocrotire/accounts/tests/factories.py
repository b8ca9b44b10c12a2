"""Builders of the test institutions and people: one persona per role (tests and module-scoped
test worlds call them; the root conftest's fixtures are thin wrappers)."""

from __future__ import annotations

from typing import Any

from ocrotire.accounts.models import Institution, User
from ocrotire.accounts.services import institution_upsert_reference, user_upsert
from ocrotire.geo.models import Unit

PASSWORD = "correct-horse-battery-staple"

INSTITUTIONS = [
    (
        "DGPDC",
        "Direcția generală pentru protecția drepturilor copilului",
        "child_protection",
        ["MD-CU"],
    ),
    ("DGPDC-BOT", "Secția Botanica", "child_protection", ["MD-CU-BOT"]),
    ("DGPDC-CEN", "Secția Centru", "child_protection", ["MD-CU-CEN"]),
    ("SCH-BOT", "Școala Botanica", "school", ["MD-CU-BOT"]),
    ("SCH-CEN", "Școala Centru", "school", ["MD-CU-CEN"]),
    ("IGP", "Inspectoratul General al Poliției", "police", ["MD"]),
]


def institutions_build() -> dict[str, Institution]:
    """The Chișinău institutions of the test territory, and the Chernihiv children's service."""
    result = {}
    for abbreviation, name, kind, units in INSTITUTIONS:
        result[abbreviation], _ = institution_upsert_reference(
            actor=None,
            country="MD",
            abbreviation=abbreviation,
            name=name,
            kind=kind,
            unit_codes=units,
        )
    result["UA-SSD"], _ = institution_upsert_reference(
        actor=None,
        country="UA",
        abbreviation="SSD",
        name="Служба у справах дітей",
        kind="child_protection",
        unit_codes=["UA-74"],
    )
    return result


def user_make(
    username: str,
    roles: tuple[str, ...] = (),
    units: tuple[str, ...] = (),
    institution: Institution | None = None,
    **extra: Any,
) -> User:
    """A user with the test password (the roles must exist: `roles_ensure`)."""
    user, _ = user_upsert(
        actor=None,
        username=username,
        password=PASSWORD,
        roles=roles,
        units=list(Unit.objects.filter(code__in=units)),
        institution=institution,
        **extra,
    )
    return user


def personas_build(institutions: dict[str, Institution]) -> dict[str, User]:
    """same unit / other unit / supervisor / outsider, and the other roles (after `roles_ensure`)."""
    return {
        "specialist": user_make(
            "specialist", ("specialist",), ("MD-CU-BOT",), institutions["DGPDC-BOT"]
        ),
        "specialist2": user_make(
            "specialist2", ("specialist",), ("MD-CU-CEN",), institutions["DGPDC-CEN"]
        ),
        "supervisor": user_make("supervisor", ("supervisor",), ("MD-CU",), institutions["DGPDC"]),
        "outsider": user_make("outsider"),
        "auditor": user_make("auditor", ("auditor",), ("MD-CU",), institutions["DGPDC"]),
        "admin": user_make("admin", ("administrator",), is_staff=True, is_superuser=True),
        "reporter": user_make("reporter", ("reporter",), (), institutions["SCH-BOT"]),
        "specialist_ua": user_make(
            "specialist_ua", ("specialist",), ("UA-74",), institutions["UA-SSD"]
        ),
    }
