"""Referral of a case to a service point of the register, the provider side of the cases app's
referral step (`cases.referrals`): which points a case can go to, why a point refuses it, and
the field the step shows, registered in ProvidersConfig.ready()."""

from __future__ import annotations

from functools import partial

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ocrotire.cases import referrals
from ocrotire.cases.models import Case
from ocrotire.providers.models import ServicePoint, open_points


def referral_points(case: Case) -> QuerySet[ServicePoint]:
    """Service points of the register that can take a referral from this case: the active ones
    of the case's country, by service (catalogue order), then by name."""
    return (
        ServicePoint.objects.filter(
            open_points(timezone.localdate()), unit__country=case.unit.country
        )
        .select_related("provider__institution", "service_type", "unit")
        .order_by("service_type__ordering", "name", "id")
    )


def referral_point_refusal(case: Case, point: ServicePoint) -> str | None:
    """Why a case cannot be referred to this service point, or None."""
    if not point.open_on(timezone.localdate()):
        return str(_("This service point no longer takes referrals."))
    if point.unit.country != case.unit.country:
        return str(_("This service point is in another country than the case."))
    return None


class _PointField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: ServicePoint) -> str:
        return f"{obj.name} — {obj.provider.institution.name} ({obj.service_type.label()})"


def _point_field(case: Case) -> forms.Field:
    return _PointField(
        label=gettext_lazy("Service point of the register"),
        queryset=referral_points(case),
        required=False,
        help_text=gettext_lazy(
            "The provider answers the referral in Ocrotire. Otherwise describe the service."
        ),
    )


def referral_target(point: ServicePoint) -> referrals.ReferralTarget:
    """A service point as the referral step's target: its provider answers the referral."""
    return referrals.ReferralTarget(
        field="service_point",
        service_point_id=point.pk,
        institution=point.provider.institution,
        service_label=point.service_type.label(),
        refusal=partial(referral_point_refusal, point=point),
    )


def register_referral_target() -> None:
    referrals.register_target("service_point", field=_point_field, target=referral_target)
