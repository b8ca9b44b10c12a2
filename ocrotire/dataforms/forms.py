"""The pages' forms: a new question of a form, a new form of a country."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ocrotire.dataforms.spec import TYPE_NAMES, languages, name_in
from ocrotire.dataforms.steps import steps_with_forms

NEW_SECTION = "__new__"


def _language_name(code: str) -> Any:
    return dict(settings.LANGUAGES)[code]


class FieldAddForm(forms.Form):
    """A new question: its section (or a new one), type, names in every language, help,
    whether it must be answered, its answers (one per line, in every language)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    section = forms.ChoiceField(label=_("Section"))
    type = forms.ChoiceField(label=_("Type of answer"), choices=list(TYPE_NAMES.items()))
    required = forms.BooleanField(label=_("An answer is required"), required=False)
    choices = forms.CharField(
        label=_("Answers to choose from"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "For a list: one answer per line, in Romanian | Ukrainian | Russian | English."
        ),
    )
    min = forms.IntegerField(label=_("Smallest number"), required=False)
    max = forms.IntegerField(label=_("Largest number"), required=False)

    def __init__(self, *args: Any, sections: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code in languages():
            language = _language_name(code)
            self.fields[f"name_{code}"] = forms.CharField(
                label=_("Question (%(language)s)") % {"language": language}, max_length=300
            )
            self.fields[f"help_{code}"] = forms.CharField(
                label=_("Help (%(language)s)") % {"language": language},
                max_length=500,
                required=False,
            )
        for code in languages():
            self.fields[f"section_name_{code}"] = forms.CharField(
                label=_("New section's name (%(language)s)") % {"language": _language_name(code)},
                max_length=200,
                required=False,
            )
        section_field = self.fields["section"]
        assert isinstance(section_field, forms.ChoiceField)
        section_field.choices = [
            *((s["key"], name_in(s["names"])) for s in sections),
            (NEW_SECTION, _("A new section")),
        ]
        names = [f"name_{c}" for c in languages()] + [f"help_{c}" for c in languages()]
        self.order_fields(
            ["version", "section", *[f"section_name_{c}" for c in languages()], "type", *names]
        )

    def clean_choices(self) -> list[dict[str, str]]:
        rows = []
        for line in (self.cleaned_data.get("choices") or "").splitlines():
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            if len(parts) != len(languages()):
                raise ValidationError(
                    _("Write each answer as: Romanian | Ukrainian | Russian | English.")
                )
            rows.append(dict(zip(languages(), parts, strict=True)))
        return rows


class FormAddForm(forms.Form):
    """A new form of a country: its names, and the case step that shows it (or none)."""

    country = forms.ChoiceField(label=_("Country"))
    step = forms.ChoiceField(label=_("Shown at the case step"), required=False)

    def __init__(self, *args: Any, countries: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        country, step = self.fields["country"], self.fields["step"]
        assert isinstance(country, forms.ChoiceField)
        assert isinstance(step, forms.ChoiceField)
        country.choices = countries
        step.choices = [
            ("", _("None: the form is kept for later use")),
            *steps_with_forms().items(),
        ]
        for code in languages():
            self.fields[f"name_{code}"] = forms.CharField(
                label=_("Name (%(language)s)") % {"language": _language_name(code)},
                max_length=200,
            )
