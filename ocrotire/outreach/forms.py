"""Page forms of household screening: the country's sheet, and a child's follow-up."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ocrotire.dataforms.models import FormVersion
from ocrotire.dataforms.spec import answers_from_page, form_fields


class ScreeningForm(forms.Form):
    """The sheet's questions (named by their answers' addresses, as the service's errors are)
    and the day of the screening."""

    screened_on = forms.DateField(
        label=_("Day of the screening"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, version: FormVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("screened_on", timezone.localdate())
        self.fields.update(form_fields(version.sections, version.definition.verified))

    def answers(self) -> dict[str, Any]:
        return answers_from_page(self.cleaned_data) or {}


class ReportFollowUpForm(forms.Form):
    child = forms.IntegerField(widget=forms.HiddenInput)
    narrative = forms.CharField(
        label=_("What the authority should know"),
        help_text=_("The flags of the screening are written in the report for you."),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class VisitFollowUpForm(forms.Form):
    child = forms.IntegerField(widget=forms.HiddenInput)
    visit_on = forms.DateField(label=_("Visit on"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)
