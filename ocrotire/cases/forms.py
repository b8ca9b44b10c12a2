"""Forms of the case pages. The stage steps' forms are built from the step register
(steps/registry.py); here are what they stand on — the case version the user read — the edit of
the case's own fields, and the triage of a report, which opens cases."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ocrotire.accounts.models import Institution
from ocrotire.cases.models import RiskLevel
from ocrotire.intake.forms import moment_field
from ocrotire.intake.models import TriageDecision


class StepForm(forms.Form):
    """The version of the case the user saw; a newer one in the database means a conflict."""

    version = forms.IntegerField(min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, case: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case


class CaseEditForm(StepForm):
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    registration_disposition = forms.CharField(
        label=_("Registration disposition number"), max_length=60, required=False
    )


class UserChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.username)


class TriageForm(forms.Form):
    """The triage decision, on the report's card."""

    decision = forms.ChoiceField(
        label=_("Decision"), choices=TriageDecision.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    risk_level = forms.ChoiceField(
        label=_("Risk level (to open a case)"),
        choices=[("", "—"), *RiskLevel.choices],
        required=False,
    )
    registration_disposition = forms.CharField(
        label=_("Registration disposition number"), max_length=60, required=False
    )
    redirect_to = forms.ModelChoiceField(
        label=_("Competent authority (to redirect)"),
        queryset=Institution.objects.none(),
        required=False,
        empty_label="—",
    )
    redirect_to_text = forms.CharField(
        label=_("Other authority, if not in the list"), max_length=300, required=False
    )
    at = moment_field(
        _("Decision taken at"), help_text=_("Only if the decision was taken earlier, on paper.")
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, country: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["redirect_to"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Institution.objects.filter(active=True, country=country).order_by("name")
