"""The children's way to report (issue 21): one short question per page, big buttons, the
numbers to call first, and nothing stored before the last step.

Choices:

- No JavaScript and no session: each page is a POST that carries the answers given so far as
  hidden fields, and the server checks every answer up to the page shown, so a step cannot be
  skipped by editing the page. Nothing is kept before "Send": a child who closes the page leaves
  nothing behind.
- The first question is "are you in danger right now?". A "yes" shows the numbers to call at once,
  before anything has to be written, and files the report with immediate danger.
- The time trap (`public_forms.trap_error`) counts from the first page and is checked only at
  "Send": a child may answer "yes" or "no" in a second, but no person writes a whole report in
  four seconds. A failed trap shows the last page again with a fresh clock, answers kept.
- The reporter is a child; the child the report is about is either the reporter ("it is about
  me") or another child, named by a first name as on the full form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from ocrotire.intake import public
from ocrotire.intake.models import ReporterKind
from ocrotire.intake.public_forms import place_choices, place_input, started_token, trap_error

STEPS = ("danger", "about", "child", "what", "where", "check")
STEP_FIELDS: dict[str, tuple[str, ...]] = {
    "danger": ("danger",),
    "about": ("about",),
    "child": ("name", "age"),
    "what": ("narrative",),
    "where": ("place",),
    "check": (),
}
REQUIRED = {
    "danger": _("Press one of the two buttons."),
    "about": _("Press one of the two buttons."),
    "name": _("Write a first name."),
    "narrative": _("Write what happened, even a few words."),
    "place": _("Choose a place, or “I don't know”."),
}
# The services' error keys, as the step that asks for them.
SERVICE_STEPS = {
    "children": "child",
    "narrative": "what",
    "unit": "where",
    "country": "where",
    "immediate_danger": "danger",
}


class ChildStepsForm(forms.Form):
    started = forms.CharField(required=False, widget=forms.HiddenInput)
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    danger = forms.ChoiceField(
        label=_("Are you or another child in danger right now?"),
        choices=[("yes", _("Yes, right now")), ("no", _("No"))],
        required=False,
    )
    about = forms.ChoiceField(
        label=_("Who is it about?"),
        choices=[("me", _("About me")), ("other", _("About another child"))],
        required=False,
    )
    name = forms.CharField(max_length=100, required=False)
    age = forms.IntegerField(min_value=0, max_value=17, required=False)
    narrative = forms.CharField(
        label=_("What happened?"),
        help_text=_("Write it in your own words. A few words are enough."),
        max_length=public.TEXT_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    place = forms.ChoiceField(
        label=_("Where did it happen?"),
        help_text=_("If you do not know, choose “I don't know”."),
        required=False,
    )

    def __init__(self, *args: Any, step: str = "danger", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.step = step if step in STEPS else "danger"
        place = self.fields["place"]
        assert isinstance(place, forms.ChoiceField)
        place.choices = place_choices()
        me = self["about"].value() == "me"
        self.fields["name"].label = (
            _("What is your first name?") if me else _("What is the child's first name?")
        )
        self.fields["name"].help_text = _("Only a first name. You do not have to write more.")
        self.fields["age"].label = _("How old are you?") if me else _("How old is the child?")
        self.fields["age"].help_text = _("If you know it.")
        if not self.is_bound:
            self.initial.setdefault("started", started_token())

    def clean(self) -> dict[str, Any]:
        """Every answer up to the page shown; the first page missing one is shown again."""
        cleaned = super().clean() or {}
        for step in STEPS[: STEPS.index(self.step) + 1]:
            for name in STEP_FIELDS[step]:
                if name in REQUIRED and not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, str(REQUIRED[name]))
        return cleaned

    def first_step_with_errors(self) -> str | None:
        for step in STEPS:
            if any(name in self.errors for name in STEP_FIELDS[step]):
                return step
        return None

    def trap_error(self) -> str | None:
        """The time trap, checked at "Send" only (it counts from the first page)."""
        return trap_error(str(self.data.get("started", "")), self.cleaned_data.get("website"))

    def restart_clock(self) -> None:
        data = QueryDict(mutable=True)
        data.update(self.data)
        data["started"] = started_token()
        self.data = data

    def carried(self) -> list[forms.BoundField]:
        """The answers of the other pages, sent again as hidden fields."""
        shown = set(STEP_FIELDS[self.step])
        return [
            self[name] for fields in STEP_FIELDS.values() for name in fields if name not in shown
        ]

    def summary(self) -> list[tuple[str, str, str]]:
        """(step to change it, question, answer) for the last page; one button per page."""
        data = self.cleaned_data
        places = dict(_flat(self.fields["place"].choices))  # type: ignore[attr-defined]
        age = data.get("age")
        return [
            ("danger", str(self.fields["danger"].label), _choice(self, "danger")),
            ("about", str(self.fields["about"].label), _choice(self, "about")),
            ("child", str(self.fields["name"].label), data.get("name", "")),
            ("", str(self.fields["age"].label), "" if age is None else str(age)),
            ("what", str(self.fields["narrative"].label), data.get("narrative", "")),
            ("where", str(self.fields["place"].label), str(places.get(data.get("place"), ""))),
        ]

    def report_input(self) -> public.PublicReportInput:
        data = self.cleaned_data
        unit_code, country = place_input(data["place"])
        return public.PublicReportInput(
            reporter_kind=ReporterKind.CHILD.value,
            narrative=data["narrative"],
            children=[public.PublicChild(given_name=data["name"], age=data.get("age"))],
            unit_code=unit_code,
            country=country,
            immediate_danger=data["danger"] == "yes",
        )


@dataclass(frozen=True)
class StepPage:
    number: int
    total: int
    first: bool
    last: bool


def step_page(step: str) -> StepPage:
    return StepPage(
        number=STEPS.index(step) + 1,
        total=len(STEPS),
        first=step == STEPS[0],
        last=step == STEPS[-1],
    )


def step_after(step: str) -> str:
    return STEPS[min(STEPS.index(step) + 1, len(STEPS) - 1)]


def step_before(step: str) -> str:
    return STEPS[max(STEPS.index(step) - 1, 0)]


def _choice(form: ChildStepsForm, name: str) -> str:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return str(dict(field.choices).get(form.cleaned_data.get(name), ""))  # type: ignore[arg-type]


def _flat(choices: Any) -> list[tuple[Any, Any]]:
    flat: list[tuple[Any, Any]] = []
    for value, label in choices:
        if isinstance(label, list | tuple):
            flat.extend(label)
        else:
            flat.append((value, label))
    return flat
