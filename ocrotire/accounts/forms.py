"""Forms for signing in, two-factor steps, language and institutions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ocrotire.accounts.models import InstitutionKind
from ocrotire.geo.forms import UnitMultipleChoiceField
from ocrotire.geo.models import Unit


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=512,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class OtpForm(forms.Form):
    otp = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "autofocus": True,
            }
        ),
    )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class InstitutionForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=300)
    abbreviation = forms.CharField(label=_("Abbreviation"), max_length=30, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=InstitutionKind.choices)
    units = UnitMultipleChoiceField(
        label=_("Units served"),
        queryset=Unit.objects.none(),
        help_text=_("Hold Ctrl (or Cmd) to choose several units."),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, unit_queryset: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if unit_queryset is not None:
            units_field = self.fields["units"]
            assert isinstance(units_field, UnitMultipleChoiceField)
            units_field.queryset = unit_queryset
