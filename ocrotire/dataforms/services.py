"""Writes of forms: loading a country's forms from its pack, and an administrator's new field or
new form, each a new version written with its audit row."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ocrotire.accounts.models import User
from ocrotire.core.audit import audit_record
from ocrotire.core.errors import Conflict, NotAllowed
from ocrotire.core.models import AuditAction
from ocrotire.dataforms import steps
from ocrotire.dataforms.models import FormDefinition, FormVersion
from ocrotire.dataforms.permissions import can_edit_forms
from ocrotire.dataforms.spec import KEY, TYPES, definition_errors, languages
from ocrotire.geo.services import PACKS_DIR

# --- the packs --------------------------------------------------------------------------------


def _pack_forms(country: str) -> dict[str, dict[str, Any]]:
    """The country's forms by code: the common ones, then the country's own (which replace a
    common one of the same code)."""
    found: dict[str, dict[str, Any]] = {}
    for folder in (PACKS_DIR / "common" / "forms", PACKS_DIR / country.lower() / "forms"):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("countries") and country.upper() not in data["countries"]:
                continue
            errors = definition_errors(data.get("sections"))
            if errors:
                raise ImproperlyConfigured(f"{path}: {'; '.join(errors)}")
            found[data["code"]] = data
    return found


def _with_local_fields(
    sections: list[dict[str, Any]], latest: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The pack's new sections with the fields (and sections) the administrators added kept."""
    merged = copy.deepcopy(sections)
    by_key = {section["key"]: section for section in merged}
    for section in latest:
        local = [f for f in section.get("fields", []) if f.get("local")]
        if section.get("local") and section["key"] not in by_key:
            merged.append({**section, "fields": local})
            continue
        if section["key"] in by_key:
            target = by_key[section["key"]]
            present = {f["key"] for f in target["fields"]}
            target["fields"] += [f for f in local if f["key"] not in present]
    return merged


@transaction.atomic
def forms_load(*, country: str, actor: User | None = None) -> int:
    """Load the country's forms from its pack: a new form gets version 1, a form whose pack text
    changed gets a new version (keeping the fields its administrators added); loading again
    changes nothing. Answers the number of versions written."""
    code = country.upper()
    written = 0
    for data in _pack_forms(code).values():
        values = {
            "step": data.get("step", ""),
            "names": data["names"],
            "legal_reference": data.get("legal_reference", ""),
            "verified": bool(data.get("verified", False)),
            "source": data.get("source", ""),
        }
        definition, created = FormDefinition.objects.select_for_update().get_or_create(
            country=code, code=data["code"], defaults=values
        )
        if not created and any(getattr(definition, k) != v for k, v in values.items()):
            FormDefinition.objects.filter(pk=definition.pk).update(**values)
            audit_record(actor=actor, action=AuditAction.UPDATE, obj=definition, changes=values)
        if not created and definition.pack_sections == data["sections"]:
            continue
        latest = definition.versions.order_by("-number").first()
        sections = _with_local_fields(data["sections"], latest.sections if latest else [])
        version = FormVersion.objects.create(
            definition=definition,
            number=(latest.number if latest else 0) + 1,
            sections=sections,
            note="pack",
            created_by=actor,
        )
        FormDefinition.objects.filter(pk=definition.pk).update(pack_sections=data["sections"])
        audit_record(
            actor=actor,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            obj=definition,
            changes={**values, "version": version.number},
        )
        written += 1
    return written


# --- an administrator's changes ------------------------------------------------------------------


@dataclass
class FieldInput:
    """A new question: its type, its names (and help) by language, whether it must be answered;
    `choices` a list of names by language; `section` an existing section's key, or "" for a new
    section named `section_names`."""

    type: str
    names: dict[str, str]
    section: str = ""
    section_names: dict[str, str] = field(default_factory=dict)
    help: dict[str, str] = field(default_factory=dict)
    required: bool = False
    choices: list[dict[str, str]] = field(default_factory=list)
    min: int | None = None
    max: int | None = None


def _key(names: Mapping[str, str], taken: set[str], fallback: str) -> str:
    """A key made from the English name, unique in the form (never shown to a reader)."""
    base = slugify(names.get("en", "")).replace("-", "_")[:32].strip("_")
    base = base if base and KEY.match(base) else fallback
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def _field_errors(data: FieldInput, sections: list[dict[str, Any]]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if data.type not in TYPES:
        errors["type"] = [_("Choose one of the offered types.")]
    for code in languages():
        if not (data.names.get(code) or "").strip():
            errors[f"name_{code}"] = [_("Give the question's name in every language.")]
    if data.section:
        if data.section not in {s["key"] for s in sections}:
            errors["section"] = [_("Choose one of the form's sections.")]
    elif any(not (data.section_names.get(code) or "").strip() for code in languages()):
        errors["section"] = [
            _("Choose a section, or name the new section in every language."),
        ]
    if data.type in ("choice", "multichoice") and (
        len(data.choices) < 2
        or any(
            len([v for v in (c.get(code, "").strip() for code in languages()) if v])
            != len(languages())
            for c in data.choices
        )
    ):
        errors["choices"] = [_("Give at least two answers, each in every language.")]
    if data.min is not None and data.max is not None and data.min > data.max:
        errors["max"] = [_("The largest number cannot be less than the smallest.")]
    return errors


def _clean_names(names: Mapping[str, str]) -> dict[str, str]:
    return {code: (names.get(code) or "").strip() for code in languages()}


@transaction.atomic
def form_field_add(
    *, actor: User, definition: FormDefinition, version: int, data: FieldInput
) -> FormVersion:
    """Add a question to a form: a new version with it; records filled before keep theirs.
    `version` is the number of the version the administrator read (a newer one: Conflict)."""
    locked = FormDefinition.objects.select_for_update().get(pk=definition.pk)
    if not can_edit_forms(actor, locked.country):
        raise NotAllowed
    latest = locked.versions.order_by("-number").first()
    if latest is None or latest.number != version:
        raise Conflict
    sections = copy.deepcopy(latest.sections)
    errors = _field_errors(data, sections)
    if errors:
        raise ValidationError(errors)
    if data.section:
        section = next(s for s in sections if s["key"] == data.section)
    else:
        section_key = _key(data.section_names, {s["key"] for s in sections}, "section")
        section = {
            "key": section_key,
            "names": _clean_names(data.section_names),
            "fields": [],
            "local": True,
        }
        sections.append(section)
    taken = {f["key"] for s in sections for f in s["fields"]}
    new: dict[str, Any] = {
        "key": _key(data.names, taken, "question"),
        "type": data.type,
        "names": _clean_names(data.names),
        "required": data.required,
        "local": True,
        # A question the directorate added is its own, not a text a lawyer checked.
        "verified": False,
    }
    if any((data.help.get(code) or "").strip() for code in languages()):
        new["help"] = _clean_names(data.help)
    if data.type in ("choice", "multichoice"):
        values: set[str] = set()
        new["choices"] = []
        for index, names in enumerate(data.choices, start=1):
            value = _key(names, values, f"answer_{index}")
            values.add(value)
            new["choices"].append({"value": value, "names": _clean_names(names)})
    if data.type == "integer":
        new.update({k: v for k, v in (("min", data.min), ("max", data.max)) if v is not None})
    section["fields"].append(new)
    added = FormVersion.objects.create(
        definition=locked,
        number=latest.number + 1,
        sections=sections,
        note=f"+ {section['key']}.{new['key']}",
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={"version": [latest.number, added.number], "field": new},
    )
    return added


@transaction.atomic
def form_create(*, actor: User, country: str, names: dict[str, str], step: str) -> FormDefinition:
    """A new form of a country, with no question yet (version 1); `step` the case step that
    shows it, or "" for none. A step shows one form per country."""
    country = country.upper()
    if not can_edit_forms(actor, country):
        raise NotAllowed
    errors: dict[str, list[str]] = {}
    for code in languages():
        if not (names.get(code) or "").strip():
            errors[f"name_{code}"] = [_("Give the form's name in every language.")]
    if step and step not in steps.steps_with_forms():
        errors["step"] = [_("Choose one of the offered steps.")]
    elif step and FormDefinition.objects.filter(country=country, step=step).exists():
        errors["step"] = [_("This step already shows a form of this country.")]
    if errors:
        raise ValidationError(errors)
    taken = set(FormDefinition.objects.filter(country=country).values_list("code", flat=True))
    definition = FormDefinition.objects.create(
        country=country,
        code=_key(names, taken, "form"),
        step=step,
        names=_clean_names(names),
    )
    FormVersion.objects.create(definition=definition, number=1, sections=[], created_by=actor)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=definition,
        changes={"names": definition.names, "step": step, "version": 1},
    )
    return definition
