"""The format of a form's fields, and what is done with it: checking a definition, building the
page's fields, checking answers on the server, and showing them in the reader's language.

A version's `sections` is a list of sections, each `{"key", "names", "fields"}`; a field is
`{"key", "type", "names", "help"?, "required"?, "choices"?, "min"?, "max"?, "verified"?,
"local"?}` with `names` and `help` in the four languages, `choices` a list of `{"value",
"names"}`. Answers are `{section key: {field key: value}}`: text for "text" and "textarea",
true/false for "yesno", a choice's value for "choice", a list of them for "multichoice", a whole
number for "integer", "YYYY-MM-DD" for "date". An answer's address is `answers.<section>.<field>`,
the name of its page field and of its API error alike.

A compact list of fields rather than JSON Schema with a separate UI layer: an administrator edits
one field at a time (its type, names, choices), the page needs order and sections, and the checks
used are few; `json_schema()` writes the same definition as JSON Schema (draft 2020-12) for the
API document."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

TYPES = ("text", "textarea", "yesno", "choice", "multichoice", "integer", "date")
TYPE_NAMES = {
    "text": gettext_lazy("Short text"),
    "textarea": gettext_lazy("Long text"),
    "yesno": gettext_lazy("Yes or no"),
    "choice": gettext_lazy("One of a list"),
    "multichoice": gettext_lazy("Several of a list"),
    "integer": gettext_lazy("Whole number"),
    "date": gettext_lazy("Date"),
}
# Long text may tell what happened to a child: never a column of an export.
NARRATIVE = ("textarea",)
MAX_LENGTH = {"text": 200, "textarea": 4000}
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
PREFIX = "answers"


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def name_in(names: Any, language: str | None = None) -> str:
    """A pack name in the reader's language, else in English."""
    if not isinstance(names, Mapping):
        return ""
    language = (language or get_language() or "ro")[:2]
    return str(names.get(language) or names.get("en") or "")


def address(section: str, field: str) -> str:
    return f"{PREFIX}.{section}.{field}"


# --- the definition -----------------------------------------------------------------------------


def _names_errors(names: Any, where: str) -> list[str]:
    if not isinstance(names, Mapping) or any(
        not isinstance(names.get(code), str) or not names.get(code, "").strip()
        for code in languages()
    ):
        return [f"{where}: names in {', '.join(languages())} are required"]
    return []


def definition_errors(sections: Any) -> list[str]:
    """What is wrong with a form's sections (for the pack loader and the tests); [] if nothing."""
    if not isinstance(sections, list):
        return ["sections: a list is required"]
    errors: list[str] = []
    seen_sections: set[str] = set()
    for section in sections:
        key = section.get("key", "") if isinstance(section, Mapping) else ""
        if not KEY.match(str(key)) or key in seen_sections:
            errors.append(f"section {key!r}: a new key of small letters is required")
            continue
        seen_sections.add(key)
        errors += _names_errors(section.get("names"), f"section {key}")
        seen: set[str] = set()
        for field in section.get("fields", []):
            name = f"{key}.{field.get('key', '')}"
            if not KEY.match(str(field.get("key", ""))) or field["key"] in seen:
                errors.append(f"field {name}: a new key of small letters is required")
                continue
            seen.add(field["key"])
            if field.get("type") not in TYPES:
                errors.append(f"field {name}: the type must be one of {', '.join(TYPES)}")
            errors += _names_errors(field.get("names"), f"field {name}")
            if "help" in field:
                errors += _names_errors(field["help"], f"help of {name}")
            if field.get("type") in ("choice", "multichoice"):
                values = [c.get("value") for c in field.get("choices", [])]
                if not values or len(set(values)) != len(values):
                    errors.append(f"field {name}: distinct choices are required")
                for choice in field.get("choices", []):
                    errors += _names_errors(choice.get("names"), f"choice {name}")
    return errors


def fields_of(sections: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Every (section, field) in the form's order."""
    return [(section, field) for section in sections for field in section.get("fields", [])]


# --- the page -----------------------------------------------------------------------------------


def _is_yes(value: str) -> bool:
    return value == "yes"


def _choices(field: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(str(c["value"]), name_in(c["names"])) for c in field.get("choices", [])]


def form_field(section: Mapping[str, Any], field: Mapping[str, Any], verified: bool) -> forms.Field:
    """The page's field of one question; it carries its section's title and whether it was
    verified, for the page to show them."""
    kind = field["type"]
    common: dict[str, Any] = {
        "label": name_in(field["names"]),
        "required": bool(field.get("required")),
        "help_text": name_in(field.get("help")),
    }
    built: forms.Field
    if kind in ("text", "textarea"):
        widget = forms.Textarea(attrs={"rows": 3}) if kind == "textarea" else None
        built = forms.CharField(max_length=MAX_LENGTH[kind], widget=widget, **common)
    elif kind == "yesno":
        yes_no = [("", "—"), ("yes", _("Yes")), ("no", _("No"))]
        built = forms.TypedChoiceField(choices=yes_no, coerce=_is_yes, empty_value=None, **common)
    elif kind == "choice":
        built = forms.ChoiceField(choices=[("", "—"), *_choices(field)], **common)
    elif kind == "multichoice":
        built = forms.MultipleChoiceField(
            choices=_choices(field), widget=forms.CheckboxSelectMultiple, **common
        )
    elif kind == "integer":
        built = forms.IntegerField(min_value=field.get("min"), max_value=field.get("max"), **common)
    else:
        built = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    setattr(built, "section", name_in(section["names"]))  # noqa: B010 - read by the template
    setattr(built, "unverified", not field.get("verified", verified))  # noqa: B010
    return built


def form_fields(sections: list[dict[str, Any]], verified: bool) -> dict[str, forms.Field]:
    """The page's fields of a form version, named by their answers' addresses."""
    return {
        address(section["key"], field["key"]): form_field(section, field, verified)
        for section, field in fields_of(sections)
    }


def answers_from_page(cleaned: Mapping[str, Any]) -> dict[str, dict[str, Any]] | None:
    """The answers out of what a page form cleaned (None when it had no form's fields), in the
    API's shape; a question left empty is left out."""
    answers: dict[str, dict[str, Any]] = {}
    found = False
    for name, value in cleaned.items():
        parts = name.split(".")
        if len(parts) != 3 or parts[0] != PREFIX:
            continue
        found = True
        if value in (None, "", [], ()):
            continue
        if isinstance(value, date):
            value = value.isoformat()
        answers.setdefault(parts[1], {})[parts[2]] = value
    return answers if found else None


# --- the answers on the server -----------------------------------------------------------------


def _answer_error(field: Mapping[str, Any], value: Any) -> str | None:
    kind = field["type"]
    if kind in ("text", "textarea"):
        if not isinstance(value, str):
            return _("Write this answer as text.")
        if len(value) > MAX_LENGTH[kind]:
            return _("Write at most %(count)s characters.") % {"count": MAX_LENGTH[kind]}
        return None
    if kind == "yesno":
        return None if isinstance(value, bool) else _("Answer yes or no.")
    values = [str(c["value"]) for c in field.get("choices", [])]
    if kind == "choice":
        return None if value in values else _("Choose one of the offered answers.")
    if kind == "multichoice":
        if not isinstance(value, list) or any(v not in values for v in value):
            return _("Choose only offered answers.")
        return None
    if kind == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            return _("Enter a whole number.")
        low, high = field.get("min"), field.get("max")
        if (low is not None and value < low) or (high is not None and value > high):
            return _("Enter a number from %(min)s to %(max)s.") % {
                "min": "—" if low is None else low,
                "max": "—" if high is None else high,
            }
        return None
    try:
        date.fromisoformat(value)
    except (TypeError, ValueError):
        return _("Enter a date as YYYY-MM-DD.")
    return None


def answers_clean(sections: list[dict[str, Any]], answers: Any) -> dict[str, dict[str, Any]]:
    """The answers as they are kept, or Django's ValidationError naming each wrong answer by its
    address (`answers.safety.risk_score`); an empty answer is left out, a required one missing is
    an error, a question the form does not have is refused."""
    if not isinstance(answers, Mapping) or any(
        not isinstance(v, Mapping) for v in answers.values()
    ):
        raise ValidationError(
            {PREFIX: _("Send the answers as an object of sections, each an object of answers.")}
        )
    errors: dict[str, list[str]] = {}
    known: set[tuple[str, str]] = set()
    kept: dict[str, dict[str, Any]] = {}
    for section, field in fields_of(sections):
        at = (section["key"], field["key"])
        known.add(at)
        value = answers.get(at[0], {}).get(at[1])
        if isinstance(value, str):
            value = value.strip()
        if value in (None, "", []):
            if field.get("required"):
                errors[address(*at)] = [_("Answer this question.")]
            continue
        message = _answer_error(field, value)
        if message:
            errors[address(*at)] = [message]
        else:
            kept.setdefault(at[0], {})[at[1]] = value
    for section_key, given in answers.items():
        for field_key in given:
            if (section_key, field_key) not in known:
                errors[address(str(section_key), str(field_key))] = [
                    _("This form has no such question.")
                ]
    if errors:
        raise ValidationError(errors)
    return kept


# --- showing the answers -------------------------------------------------------------------------


def answer_text(field: Mapping[str, Any], value: Any) -> str:
    """An answer as the reader reads it: a choice's name, never its value."""
    if value is None or value == "" or value == []:
        return ""
    kind = field["type"]
    if kind == "yesno":
        return _("Yes") if value else _("No")
    names = {str(c["value"]): name_in(c["names"]) for c in field.get("choices", [])}
    if kind == "choice":
        return names.get(str(value), "")
    if kind == "multichoice":
        return "; ".join(names.get(str(v), "") for v in value if str(v) in names)
    return str(value)


def answers_shown(sections: list[dict[str, Any]], answers: Mapping[str, Any]) -> list[Any]:
    """The answered questions by section: [{"title", "rows": [(question, answer)]}]."""
    shown = []
    for section in sections:
        rows = []
        for field in section.get("fields", []):
            text = answer_text(field, (answers.get(section["key"]) or {}).get(field["key"]))
            if text:
                rows.append((name_in(field["names"]), text))
        if rows:
            shown.append({"title": name_in(section["names"]), "rows": rows})
    return shown


# --- JSON Schema ---------------------------------------------------------------------------------


def _field_schema(field: Mapping[str, Any]) -> dict[str, Any]:
    kind = field["type"]
    schema: dict[str, Any]
    if kind in ("text", "textarea"):
        schema = {"type": "string", "maxLength": MAX_LENGTH[kind]}
    elif kind == "yesno":
        schema = {"type": "boolean"}
    elif kind == "choice":
        schema = {"enum": [c["value"] for c in field.get("choices", [])]}
    elif kind == "multichoice":
        schema = {
            "type": "array",
            "items": {"enum": [c["value"] for c in field.get("choices", [])]},
            "uniqueItems": True,
        }
    elif kind == "integer":
        schema = {"type": "integer"}
        if field.get("min") is not None:
            schema["minimum"] = field["min"]
        if field.get("max") is not None:
            schema["maximum"] = field["max"]
    else:
        schema = {"type": "string", "format": "date"}
    schema["title"] = name_in(field["names"], "en")
    return schema


def json_schema(sections: list[dict[str, Any]]) -> dict[str, Any]:
    """The answers' schema (JSON Schema draft 2020-12) of a form version."""
    properties = {}
    for section in sections:
        fields = section.get("fields", [])
        properties[section["key"]] = {
            "type": "object",
            "title": name_in(section["names"], "en"),
            "properties": {f["key"]: _field_schema(f) for f in fields},
            "required": [f["key"] for f in fields if f.get("required")],
            "additionalProperties": False,
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
