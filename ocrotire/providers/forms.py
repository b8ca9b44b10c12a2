"""Forms of the provider register's pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ocrotire.care.models import InstitutionChangeKind
from ocrotire.core.bounds import validate_past_date, validate_record_date
from ocrotire.providers.models import ServicePoint


class InstitutionChangeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Change"), choices=InstitutionChangeKind.choices)
    decision_reference = forms.CharField(label=_("Decision reference"), max_length=100)
    decided_on = forms.DateField(
        label=_("Decision date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_past_date],
    )
    effective_on = forms.DateField(
        label=_("Effective from"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_record_date],
    )
    successors = forms.ModelMultipleChoiceField(
        label=_("Services that replace it"),
        queryset=ServicePoint.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, successors: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if successors is not None:
            self.fields["successors"].queryset = successors  # type: ignore[attr-defined]
