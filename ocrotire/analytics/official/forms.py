"""The choice of area and period for a report, shared by the pages and the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ocrotire.accounts.models import User
from ocrotire.accounts.permissions import scope_of
from ocrotire.geo.models import PATH_SEPARATOR, Unit

FIRST_YEAR = 2000


def default_unit_code(user: User) -> str:
    """The reader's own area: the first unit of their scope (none for a global scope)."""
    scope = scope_of(user)
    if scope.is_global or not scope.unit_paths:
        return ""
    codes = [c for c in sorted(scope.unit_paths, key=len)[0].split(PATH_SEPARATOR) if c]
    return codes[-1] if codes else ""


class UnitYearForm(forms.Form):
    unit = forms.CharField(label=_("Area"), max_length=40, required=False)
    year = forms.IntegerField(label=_("Year"), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_unit(self) -> Unit:
        code = (self.cleaned_data.get("unit") or "").strip() or default_unit_code(self.user)
        if not code:
            raise forms.ValidationError(_("Choose an area."), code="required")
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            raise forms.ValidationError(_("There is no unit with this code."), code="unknown")
        if not scope_of(self.user).covers_path(unit.path):
            raise forms.ValidationError(_("This unit is outside your area."), code="scope")
        return unit

    def clean_year(self) -> int:
        this_year = timezone.localdate().year
        year = self.cleaned_data.get("year")
        if year is None:
            return this_year - 1 if timezone.localdate().month <= 3 else this_year
        if not FIRST_YEAR <= year <= this_year:
            raise forms.ValidationError(
                _("Choose a year from %(first)s to %(last)s.")
                % {"first": FIRST_YEAR, "last": this_year},
                code="range",
            )
        return int(year)
