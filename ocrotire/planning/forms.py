"""Forms of the plan's pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ocrotire.accounts.models import Institution
from ocrotire.core.bounds import validate_record_date
from ocrotire.geo.forms import UnitChoiceField
from ocrotire.geo.models import Unit
from ocrotire.planning.models import EventKind, PlanItem, ProgressStatus

LIMIT = 4000


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("The plan"),
        help_text=_(
            "The text of the plan's Word table (.txt, UTF-8) or the plan's workbook (.xlsx)."
        ),
    )
    unit = UnitChoiceField(label=_("Territory"), queryset=Unit.objects.none())
    name = forms.CharField(
        label=_("Name (if the document does not say it)"), max_length=500, required=False
    )
    period_start = forms.IntegerField(
        label=_("First year"), min_value=1990, max_value=2100, required=False
    )
    period_end = forms.IntegerField(
        label=_("Last year"), min_value=1990, max_value=2100, required=False
    )

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()  # type: ignore[attr-defined]


def _long_text(label: Any) -> forms.CharField:
    # No maxlength attribute: a browser would cut a long paste without a word; the form refuses.
    field = forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    field.validators.append(_at_most)
    return field


def _at_most(value: str) -> None:
    if len(value) > LIMIT:
        raise forms.ValidationError(
            _("At most %(limit)s characters."), params={"limit": f"{LIMIT:,}"}
        )


class ProgressForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    status = forms.ChoiceField(label=_("Status"), choices=ProgressStatus.choices)
    comment = _long_text(_("Comment"))
    evidence = _long_text(_("Evidence (documents, links)"))
    file = forms.FileField(label=_("Evidence file"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ValueForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    value = forms.DecimalField(label=_("Value"), max_digits=16, decimal_places=2, min_value=0)
    note = _long_text(_("Evidence"))
    file = forms.FileField(label=_("Evidence file"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    topic = _long_text(_("Topic"))
    held_on = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_record_date],
    )
    participants = forms.IntegerField(label=_("Participants"), min_value=0, max_value=10_000_000)
    items = forms.ModelMultipleChoiceField(
        label=_("Sub-actions it carries out"),
        queryset=PlanItem.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    def __init__(self, *args: Any, items: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if items is not None:
            self.fields["items"].queryset = items  # type: ignore[attr-defined]


class IndicatorForm(forms.Form):
    """A plan keeper defines an indicator: what counts it, its unit, baseline and targets."""

    computation = forms.ChoiceField(label=_("Counted from the system's data by"), required=False)
    unit = forms.CharField(label=_("Unit"), max_length=200, required=False)
    baseline = forms.DecimalField(
        label=_("Baseline"), max_digits=16, decimal_places=2, required=False
    )
    baseline_year = forms.IntegerField(
        label=_("Baseline year"), min_value=1990, max_value=2100, required=False
    )
    targets = forms.CharField(
        label=_("Targets"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line: a year and a value (2024: 600), or * for every year (*: 600)."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, computations: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["computation"].choices = [  # type: ignore[attr-defined]
            ("", _("Entered by the responsible institution")),
            *computations,
        ]

    def clean_targets(self) -> list[tuple[int | None, Any, str]]:
        rows: list[tuple[int | None, Any, str]] = []
        for number, line in enumerate(self.cleaned_data.get("targets", "").splitlines(), 1):
            if not line.strip():
                continue
            year, sep, value = line.partition(":")
            year = year.strip()
            try:
                amount = forms.DecimalField(max_digits=16, decimal_places=2).clean(value.strip())
            except forms.ValidationError:
                amount = None
            if (
                not sep
                or amount is None
                or not (year == "*" or (year.isdigit() and 1990 <= int(year) <= 2100))
            ):
                raise forms.ValidationError(
                    _("Line %(number)s is not a year and a value such as 2024: 600."),
                    params={"number": number},
                )
            rows.append((None if year == "*" else int(year), amount, "at_least"))
        return rows


class ItemForm(forms.Form):
    """A plan keeper corrects a row."""

    title = forms.CharField(label=_("Title"), widget=forms.Textarea(attrs={"rows": 3}))
    deadline_text = forms.CharField(
        label=_("Deadline or periodicity"), max_length=200, required=False
    )
    responsible = forms.ModelMultipleChoiceField(
        label=_("Responsible"),
        queryset=Institution.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Partners"),
        queryset=Institution.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    result_text = _long_text(_("Result indicators (as written)"))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, institutions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if institutions is not None:
            for name in ("responsible", "partners"):
                self.fields[name].queryset = institutions  # type: ignore[attr-defined]
        self.fields["title"].validators.append(_at_most)
