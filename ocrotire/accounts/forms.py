"""Forms for signing in, two-factor steps, passwords, language and institutions."""

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


class RecoveryCodeForm(forms.Form):
    recovery_code = forms.CharField(
        label=_("Recovery code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


def _password_field() -> forms.CharField:
    return forms.CharField(
        label=_("Your password"),
        max_length=512,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class DeviceSetupForm(OtpForm):
    """The code from the new device; its name; the password again when it is a further device."""

    name = forms.CharField(
        label=_("A name for this device"),
        max_length=64,
        required=False,
        help_text=_("For example “work phone”; you will see it in your account and in notices."),
    )
    password = _password_field()

    def __init__(self, *args: Any, further: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not further:
            del self.fields["password"]


class PasswordConfirmForm(forms.Form):
    password = _password_field()


class PasswordChangeForm(forms.Form):
    current_password = forms.CharField(
        label=_("Current password"),
        max_length=512,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        max_length=512,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label=_("New password again"),
        max_length=512,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", _("The two new passwords are not the same."))
        return data


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
