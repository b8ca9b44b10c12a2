"""Forms for registering and editing persons, identifiers, and merging two records."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from ocrotire.core.bounds import validate_birth_date
from ocrotire.geo.forms import UnitChoiceField
from ocrotire.geo.models import Unit
from ocrotire.registry.models import (
    BirthDatePrecision,
    Displacement,
    IdentifierScheme,
    Sex,
    VulnerabilityCategory,
)


class PersonForm(forms.Form):
    family_name = forms.CharField(label=_("Family name"), max_length=120, required=False)
    given_name = forms.CharField(label=_("Given name"), max_length=120, required=False)
    patronymic = forms.CharField(label=_("Patronymic"), max_length=120, required=False)
    other_names = forms.CharField(
        label=_("Other names (earlier or other spellings)"), max_length=300, required=False
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices], required=False)
    birth_date = forms.DateField(
        label=_("Birth date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_birth_date],
    )
    birth_date_precision = forms.ChoiceField(
        label=_("How exact is the birth date?"),
        choices=BirthDatePrecision.choices,
        initial=BirthDatePrecision.DAY,
    )
    birth_date_estimated = forms.BooleanField(
        label=_("The birth date is estimated"), required=False
    )
    unit = UnitChoiceField(label=_("Address (unit)"), queryset=Unit.objects.none(), required=False)
    address = forms.CharField(label=_("Street and house"), max_length=300, required=False)
    citizenship = forms.CharField(
        label=_("Citizenship (two-letter country code)"), max_length=2, required=False
    )
    displacement = forms.ChoiceField(
        label=_("Displacement status"), choices=Displacement.choices, initial=Displacement.NONE
    )
    disability = forms.NullBooleanField(label=_("Disability"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    vulnerabilities = forms.ModelMultipleChoiceField(
        label=_("Vulnerabilities"),
        queryset=VulnerabilityCategory.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, units: Any = None, country: str = "MD", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        if units is not None:
            unit_field.queryset = units
        vulnerability_field = self.fields["vulnerabilities"]
        assert isinstance(vulnerability_field, forms.ModelMultipleChoiceField)
        vulnerability_field.queryset = VulnerabilityCategory.objects.filter(
            country=country, active=True
        )
        vulnerability_field.label_from_instance = lambda obj: obj.label()  # type: ignore[method-assign]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("given_name") and not data.get("family_name"):
            raise forms.ValidationError(_("Enter at least a given name or a family name."))
        return data


class IdentifierForm(forms.Form):
    scheme = forms.ChoiceField(
        label=_("Identifier"), choices=[("", "—"), *IdentifierScheme.choices], required=False
    )
    value = forms.CharField(label=_("Number"), max_length=40, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("scheme")) != bool(data.get("value")):
            raise forms.ValidationError(_("Choose the kind of identifier and enter its number."))
        return data


IdentifierFormSet = formset_factory(IdentifierForm, extra=2, max_num=6)


class MergeForm(forms.Form):
    """One radio per field that differs: keep the survivor's value or take the other record's."""

    def __init__(
        self, *args: Any, differing: list[tuple[str, str, str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, label, left, right in differing:
            self.fields[name] = forms.ChoiceField(
                label=label,
                widget=forms.RadioSelect,
                initial="survivor",
                choices=[("survivor", left or "—"), ("merged", right or "—")],
            )
