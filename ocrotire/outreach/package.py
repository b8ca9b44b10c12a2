"""The minimum package of services (F8, issue 22 item 2): a family's plan of the services of a
package, each service given recorded (day, provider, worker, duration), and the coverage per
community — which families received which services, and where a service of the package reaches
no family and no provider offers it.

The packages are the bundles of the country's catalogue (`geo/packs/<cc>/services.json`,
`bundles`: Ukraine's minimum package and Chernihiv's list, Romania's UNICEF minimum package).
A community is the household's place or its nearest commune above it (a hromada in Ukraine, a
commune in Romania and Moldova)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ocrotire.accounts.models import User
from ocrotire.core.audit import audit_record
from ocrotire.core.errors import Conflict, Invalid
from ocrotire.core.models import AuditAction
from ocrotire.geo.models import Unit
from ocrotire.outreach.models import Delivery, PackagePlan
from ocrotire.outreach.permissions import can_screen
from ocrotire.outreach.screening import check_household, place_of
from ocrotire.providers.models import Provider, ServiceBundle, ServicePoint, ServiceType
from ocrotire.registry.models import Household
from ocrotire.registry.selectors import scope_q

COMMUNITY_LEVEL = "commune"
MAX_MINUTES = 24 * 60


def bundles_for(household: Household) -> QuerySet[ServiceBundle]:
    """The packages of the household's country."""
    return ServiceBundle.objects.filter(country=place_of(household).country).prefetch_related(
        "types"
    )


# --- writes ------------------------------------------------------------------------------------


@transaction.atomic
def package_plan_set(
    *,
    actor: User,
    household: Household,
    bundle: ServiceBundle,
    services: list[ServiceType],
    note: str = "",
    base_version: int | None = None,
) -> PackagePlan:
    """The services of `bundle` the family should receive (a new plan, or the plan changed from
    `base_version`: a newer one is a Conflict)."""
    check_household(actor, household)
    if bundle.country != place_of(household).country:
        raise Invalid({"bundle": [_("Choose a package of the household's country.")]})
    offered = set(bundle.types.values_list("pk", flat=True))
    if not services:
        raise Invalid({"services": [_("Choose at least one service of the package.")]})
    if any(s.pk not in offered for s in services):
        raise Invalid({"services": [_("Choose only services of this package.")]})
    plan = (
        PackagePlan.objects.select_for_update().filter(household=household, bundle=bundle).first()
    )
    if plan is None:
        try:
            with transaction.atomic():
                plan = PackagePlan.objects.create(
                    household=household, bundle=bundle, note=note.strip(), created_by=actor
                )
        except IntegrityError:
            raise Conflict from None
        action = AuditAction.CREATE
    else:
        if base_version is not None and base_version != plan.version:
            raise Conflict
        plan.version += 1
        plan.note = note.strip()
        plan.save(update_fields=["version", "note"])
        action = AuditAction.UPDATE
    plan.services.set(services)
    audit_record(
        actor=actor,
        action=action,
        obj=plan,
        changes={"bundle": bundle.code, "services": sorted(s.code for s in services)},
    )
    return plan


@dataclass
class DeliveryInput:
    service: ServiceType
    delivered_on: date
    minutes: int
    provider: Provider | None = None
    note: str = ""
    client_id: uuid.UUID | None = None


@transaction.atomic
def delivery_record(*, actor: User, household: Household, data: DeliveryInput) -> Delivery:
    """One service given to the family. The same `client_id` again (a device sending its queue
    twice) returns the first record and writes nothing."""
    check_household(actor, household)
    if data.client_id is not None:
        existing = Delivery.objects.filter(client_id=data.client_id).first()
        if existing is not None:
            if existing.worker_id != actor.pk:
                raise Invalid({"client_id": [_("This identifier was already used.")]})
            return existing
    place = place_of(household)
    errors: dict[str, list[str]] = {}
    if data.service.country != place.country:
        errors["service"] = [_("Choose a service of the household's country.")]
    if data.delivered_on > timezone.localdate():
        errors["delivered_on"] = [_("The day the service was given cannot be in the future.")]
    if not 0 < data.minutes <= MAX_MINUTES:
        errors["minutes"] = [_("Give the duration in minutes, from 1 to 1440.")]
    if (
        data.provider is not None
        and not ServicePoint.objects.filter(
            provider=data.provider, service_type=data.service
        ).exists()
    ):
        errors["provider"] = [_("This provider does not offer this service.")]
    if errors:
        raise Invalid(errors)
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(
                household=household,
                unit=place,
                service=data.service,
                provider=data.provider,
                worker=actor,
                delivered_on=data.delivered_on,
                minutes=data.minutes,
                note=data.note.strip(),
                client_id=data.client_id,
            )
    except IntegrityError:
        # The same client_id arrived twice at once: the first one stands.
        raise Conflict from None
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=delivery,
        changes={
            "household": household.pk,
            "service": data.service.code,
            "delivered_on": data.delivered_on.isoformat(),
            "minutes": data.minutes,
        },
    )
    return delivery


# --- reads -------------------------------------------------------------------------------------


def plans_of(household: Household) -> QuerySet[PackagePlan]:
    return PackagePlan.objects.filter(household=household).prefetch_related("services", "bundle")


def deliveries_of(household: Household) -> QuerySet[Delivery]:
    return Delivery.objects.filter(household=household).select_related(
        "service", "provider__institution", "worker"
    )


def community_of(unit: Unit, ancestors: dict[str, Unit]) -> Unit:
    """The household's place or its nearest commune (hromada) above it."""
    for code in reversed(unit.ancestor_codes()):
        above = ancestors.get(code)
        if above is not None and above.level == COMMUNITY_LEVEL:
            return above
    return unit


@dataclass
class ServiceCoverage:
    planned: int = 0
    served: int = 0
    offered: bool = False

    @property
    def lacking(self) -> bool:
        """Planned for a family here, given to none, and no provider offers it here."""
        return self.planned > 0 and self.served == 0 and not self.offered


@dataclass
class CommunityCoverage:
    unit: Unit
    families: int = 0
    services: dict[int, ServiceCoverage] = field(default_factory=dict)


def coverage(
    *,
    user: User,
    bundle: ServiceBundle,
    since: date | None = None,
    until: date | None = None,
) -> tuple[list[ServiceType], list[CommunityCoverage]]:
    """Per community of the reader's area with families planned for the package: how many
    families were planned for each service, how many received it in the period, and whether a
    provider offers it there."""
    if not can_screen(user):
        return [], []
    services = list(bundle.types.order_by("ordering", "code"))
    plans = (
        PackagePlan.objects.filter(bundle=bundle)
        .select_related("household__unit", "household__scope_unit")
        .prefetch_related("services")
    )
    condition = scope_q(user, "household__scope_unit")
    if condition is not None:
        plans = plans.filter(condition)
    deliveries = Delivery.objects.filter(
        service__in=services, household__in=plans.values("household")
    )
    if since:
        deliveries = deliveries.filter(delivered_on__gte=since)
    if until:
        deliveries = deliveries.filter(delivered_on__lte=until)
    served: set[tuple[int, int]] = set(deliveries.values_list("household_id", "service_id"))
    places = {place_of(p.household) for p in plans}
    codes = {code for place in places for code in place.ancestor_codes()}
    ancestors = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    rows: dict[int, CommunityCoverage] = {}
    for plan in plans:
        community = community_of(place_of(plan.household), ancestors)
        row = rows.setdefault(
            community.pk,
            CommunityCoverage(community, services={s.pk: ServiceCoverage() for s in services}),
        )
        row.families += 1
        for service in plan.services.all():
            if service.pk not in row.services:
                continue
            row.services[service.pk].planned += 1
            if (plan.household_id, service.pk) in served:
                row.services[service.pk].served += 1
    points = list(
        ServicePoint.objects.filter(
            service_type__in=services, closed_on__isnull=True
        ).select_related("unit")
    )
    for row in rows.values():
        for point in points:
            if row.unit.path.startswith(point.unit.path) or point.unit.path.startswith(
                row.unit.path
            ):
                row.services[point.service_type_id].offered = True
    return services, sorted(rows.values(), key=lambda r: r.unit.path)


def families_served(
    *, user: User, bundle: ServiceBundle, service: ServiceType
) -> list[dict[str, Any]]:
    """Which families received a service of the package (for the coverage's detail)."""
    plans = PackagePlan.objects.filter(bundle=bundle, services=service)
    condition = scope_q(user, "household__scope_unit")
    if condition is not None:
        plans = plans.filter(condition)
    households = [p.household_id for p in plans]
    rows: dict[int, dict[str, Any]] = {}
    for delivery in Delivery.objects.filter(
        service=service, household_id__in=households
    ).select_related("household"):
        row = rows.setdefault(
            delivery.household_id,
            {"household": delivery.household, "times": 0, "minutes": 0, "last": None},
        )
        row["times"] += 1
        row["minutes"] += delivery.minutes
        row["last"] = max(filter(None, [row["last"], delivery.delivered_on]))
    return sorted(rows.values(), key=lambda r: r["household"].name)
