"""Writes to the territory: creating and updating units, loading a country pack."""

from __future__ import annotations

import gettext
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pycountry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from ocrotire.core.audit import audit_record, diff
from ocrotire.core.models import AuditAction
from ocrotire.geo.models import PATH_SEPARATOR, Unit, UnitLevel, UnitName

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

PACKS_DIR = Path(__file__).resolve().parent / "packs"
UI_LANGUAGES = [code for code, _name in settings.LANGUAGES]

# pycountry's subdivision types, mapped onto our levels.
_ISO_LEVELS = {
    "City": UnitLevel.MUNICIPALITY,
    "Municipality": UnitLevel.MUNICIPALITY,
    "District": UnitLevel.DISTRICT,
    "Region": UnitLevel.REGION,
    "Department": UnitLevel.REGION,
    "Autonomous territorial unit": UnitLevel.REGION,
    "Territorial unit": UnitLevel.REGION,
    "Republic": UnitLevel.REGION,
}
_ISO_URBAN = {"City", "Municipality"}


@dataclass
class UnitSpec:
    code: str
    level: str
    name: str
    parent_code: str | None = None
    iso_code: str = ""
    is_urban: bool | None = None
    names: dict[str, str] = field(default_factory=dict)


@dataclass
class PackResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _path_for(code: str, parent: Unit | None) -> str:
    prefix = parent.path if parent is not None else ""
    return f"{prefix}{code}{PATH_SEPARATOR}"


@transaction.atomic
def unit_upsert(*, actor: AbstractBaseUser | None, spec: UnitSpec) -> tuple[Unit, str]:
    """Create the unit or bring it in line with `spec`; returns the unit and
    "created", "updated" or "unchanged". Only real changes are audited."""
    if PATH_SEPARATOR in spec.code:
        raise ValidationError({"code": "A unit code cannot contain '/'."})
    if spec.level not in UnitLevel.values:
        raise ValidationError({"level": f"Unknown level {spec.level!r}."})
    parent = Unit.objects.get(code=spec.parent_code) if spec.parent_code else None
    country = parent.country if parent is not None else spec.code[:2]
    values: dict[str, Any] = {
        "country": country,
        "level": spec.level,
        "parent_id": parent.pk if parent is not None else None,
        "path": _path_for(spec.code, parent),
        "depth": (parent.depth + 1) if parent is not None else 0,
        "iso_code": spec.iso_code,
        "name": spec.name,
        "is_urban": spec.is_urban,
    }
    unit = Unit.objects.select_for_update().filter(code=spec.code).first()
    if unit is None:
        unit = Unit(code=spec.code, **values)
        unit.full_clean()
        unit.save(force_insert=True)
        outcome = "created"
        audit_record(actor=actor, action=AuditAction.CREATE, obj=unit, changes=values)
    else:
        before = {key: getattr(unit, key) for key in values}
        if before.get("path") != values["path"] and Unit.objects.filter(parent=unit).exists():
            raise ValidationError(
                {"parent": "A unit with children cannot be moved by a pack load."}
            )
        for key, value in values.items():
            setattr(unit, key, value)
        changed = diff(unit, before, values.keys())
        if changed:
            unit.full_clean()
            unit.save(update_fields=list(changed))
            audit_record(actor=actor, action=AuditAction.UPDATE, obj=unit, changes=changed)
            outcome = "updated"
        else:
            outcome = "unchanged"
    names_changed = _names_sync(unit=unit, names=spec.names)
    if names_changed:
        audit_record(
            actor=actor, action=AuditAction.UPDATE, obj=unit, changes={"names": names_changed}
        )
        if outcome == "unchanged":
            outcome = "updated"
    return unit, outcome


def _names_sync(*, unit: Unit, names: dict[str, str]) -> dict[str, Any]:
    existing = {row.language: row for row in unit.names.all()}
    changed: dict[str, Any] = {}
    for language, name in names.items():
        if not name:
            continue
        row = existing.get(language)
        if row is None:
            UnitName.objects.create(unit=unit, language=language, name=name)
            changed[language] = [None, name]
        elif row.name != name:
            changed[language] = [row.name, name]
            row.name = name
            row.save(update_fields=["name"])
    return changed


def _iso_translations(domain: str, text: str) -> dict[str, str]:
    names: dict[str, str] = {}
    for language in UI_LANGUAGES:
        try:
            catalogue = gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language])
        except OSError:
            names[language] = text
            continue
        names[language] = catalogue.gettext(text)
    return names


def _pack_specs(country: str) -> list[UnitSpec]:
    data = json.loads((PACKS_DIR / country.lower() / "units.json").read_text(encoding="utf-8"))
    country = data["country"].upper()
    iso_country = pycountry.countries.get(alpha_2=country)
    if iso_country is None:
        raise ValueError(f"{country} is not an ISO 3166-1 country code.")
    official = getattr(iso_country, "official_name", None) or iso_country.name
    explicit = {row["code"]: row for row in data["units"]}

    def merge(spec: UnitSpec) -> UnitSpec:
        # A pack may restate an ISO unit to give it better names or a different level.
        row = explicit.pop(spec.code, None)
        if row is not None:
            spec.name = row.get("name", spec.name)
            spec.level = row.get("level", spec.level)
            spec.names.update(row.get("names", {}))
            if "urban" in row:
                spec.is_urban = row["urban"]
        return spec

    specs = [
        merge(
            UnitSpec(
                code=country,
                level=UnitLevel.COUNTRY,
                name=official,
                iso_code=country,
                names=_iso_translations("iso3166-1", iso_country.name),
            )
        )
    ]
    if data.get("iso_subdivisions"):
        subdivisions = sorted(
            pycountry.subdivisions.get(country_code=country),  # type: ignore[no-untyped-call]
            key=lambda s: s.code,
        )
        for sub in subdivisions:
            specs.append(
                merge(
                    UnitSpec(
                        code=sub.code,
                        level=_ISO_LEVELS.get(sub.type, UnitLevel.REGION),
                        name=sub.name,
                        parent_code=sub.parent_code or country,
                        iso_code=sub.code,
                        is_urban=True if sub.type in _ISO_URBAN else None,
                        names=_iso_translations("iso3166-2", sub.name),
                    )
                )
            )
    for row in data["units"]:
        if row["code"] not in explicit:
            continue
        specs.append(
            UnitSpec(
                code=row["code"],
                level=row["level"],
                name=row["name"],
                parent_code=row.get("parent") or country,
                iso_code=row.get("iso", ""),
                is_urban=row.get("urban"),
                names=dict(row.get("names", {})),
            )
        )
    return specs


def available_packs() -> list[str]:
    return sorted(p.name.upper() for p in PACKS_DIR.iterdir() if (p / "units.json").is_file())


@transaction.atomic
def pack_load(*, actor: AbstractBaseUser | None, country: str) -> PackResult:
    """Load (or re-load) a country's units; running it again changes nothing."""
    result = PackResult()
    for spec in _pack_specs(country):
        _unit, outcome = unit_upsert(actor=actor, spec=spec)
        setattr(result, outcome, getattr(result, outcome) + 1)
    return result
