"""Where a case's referral can go besides an institution named in free text: a target another app
offers — the provider register's service points, whose provider answers the referral. The app
registers the field the referral step shows for it, and how a chosen value becomes a target, in
its AppConfig.ready(), so that cases needs to know none of them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms

from ocrotire.accounts.models import Institution
from ocrotire.cases.models import Case


@dataclass(frozen=True)
class ReferralTarget:
    """A chosen target: the service point the referral goes to, the institution that answers it,
    the service it is for, and why a case may not be referred there."""

    # The input field that named it: a refusal is shown there.
    field: str
    service_point_id: int
    institution: Institution
    service_label: str
    # Why this case cannot be referred to the target now, or None.
    refusal: Callable[[Case], str | None]


@dataclass(frozen=True)
class TargetChoice:
    name: str
    # The field of the referral step, for this case (its choices depend on the case).
    field: Callable[[Case], forms.Field]
    # The field's cleaned value, once chosen, as a target.
    target: Callable[[Any], ReferralTarget]


_CHOICES: dict[str, TargetChoice] = {}


def register_target(
    name: str,
    *,
    field: Callable[[Case], forms.Field],
    target: Callable[[Any], ReferralTarget],
) -> None:
    """Registering a name again replaces it (an app's ready() may run twice in tests)."""
    _CHOICES[name] = TargetChoice(name, field, target)


def target_fields(case: Case) -> dict[str, forms.Field]:
    """The fields the referral step shows for this case, first on the form."""
    return {choice.name: choice.field(case) for choice in _CHOICES.values()}


def target_of(data: Mapping[str, Any]) -> ReferralTarget | None:
    """The target chosen in the referral step's cleaned data, if any."""
    for choice in _CHOICES.values():
        if data.get(choice.name):
            return choice.target(data[choice.name])
    return None
