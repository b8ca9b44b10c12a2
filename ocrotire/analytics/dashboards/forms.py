"""The dashboard's filters (area and period), read the same way by the page, the drill-down and
the API: a unit outside the reader's area is refused, never silently widened."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ocrotire.accounts.models import User
from ocrotire.accounts.permissions import scope_of
from ocrotire.analytics.dashboards.area import (
    MAX_PERIOD_DAYS,
    Filters,
    default_period,
    default_unit,
)
from ocrotire.geo.models import Unit

# How deep under the reader's own units the unit picker goes (a city's sectors and their towns);
# any deeper unit of the area can still be asked for by its code.
PICKER_DEPTH = 2


def unit_picker(user: User) -> list[Unit]:
    scope = scope_of(user)
    units = Unit.objects.filter(active=True).prefetch_related("names").order_by("path")
    if scope.is_global:
        return list(units.filter(depth__lte=PICKER_DEPTH))
    roots = list(Unit.objects.filter(path__in=scope.unit_paths))
    if not roots:
        return []
    top = min(u.depth for u in roots)
    return list(units.subtree(*roots).filter(depth__lte=top + PICKER_DEPTH))


class DashboardFilterForm(forms.Form):
    unit = forms.CharField(label=_("Area"), max_length=40, required=False)
    since = forms.DateField(label=_("From"), required=False)
    until = forms.DateField(label=_("To"), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_unit(self) -> Unit | None:
        code = self.cleaned_data.get("unit") or ""
        if not code:
            return default_unit(self.user)
        unit = Unit.objects.prefetch_related("names").filter(code=code).first()
        if unit is None or not scope_of(self.user).covers_path(unit.path):
            # Missing and not yours read alike.
            raise forms.ValidationError(_("Choose a unit of your area."), code="outside")
        return unit

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = default_period()
        given_since: date | None = data.get("since")
        given_until: date | None = data.get("until")
        if given_until is not None:
            until = given_until
            if given_since is None:
                since = default_period(until)[0]
        if given_since is not None:
            since = given_since
        if "since" in self.errors or "until" in self.errors:
            return data
        if since > until:
            self.add_error("until", _("The end of the period comes before its start."))
        elif (until - since).days > MAX_PERIOD_DAYS:
            self.add_error("since", _("Choose a period of at most five years."))
        elif since.year < 1900:
            self.add_error("since", _("Choose a date after 1900."))
        elif until.year > 2100:
            self.add_error("until", _("Choose a date before 2100."))
        data["since"], data["until"] = since, until
        return data

    def filters(self) -> Filters:
        """The filters of a valid form."""
        data = self.cleaned_data
        return Filters(unit=data.get("unit"), since=data["since"], until=data["until"])
