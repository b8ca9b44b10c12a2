"""What the field app keeps on a worker's device (F8, issue 22 item 4): the households of the
worker's area with their children, latest screening and the services the family may be given,
the follow-up visits of the coming days, and the country's screening sheet with its names in the
reader's language.

Remote wipe: a device asks for the pack whenever it is online; a user who may no longer sync
(an administrator took the field role away, e.g. for a lost phone) gets `wipe: true` and nothing
else, and the app deletes its database and caches. No model is needed for that."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone, translation

from ocrotire.accounts.models import User
from ocrotire.dataforms.spec import name_in
from ocrotire.outreach.models import FollowUp, FollowUpKind, PackagePlan, Screening
from ocrotire.outreach.permissions import can_sync
from ocrotire.outreach.screening import screening_pack, sheet_of
from ocrotire.outreach.selectors import households_to_screen, screening_scope
from ocrotire.providers.models import ServiceBundle, ServiceGroup, ServiceType
from ocrotire.registry.models import HouseholdMember

# The visits a worker may make before the device next sees the network.
COMING_DAYS = 14
GROUPS = dict(ServiceGroup.choices)


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _sheet(country: str, language: str) -> dict[str, Any] | None:
    version = sheet_of(country)
    if version is None:
        return None
    return {
        "country": country,
        "name": name_in(version.definition.names, language),
        "sections": [
            {
                "key": section["key"],
                "name": name_in(section.get("names"), language),
                "fields": [
                    {
                        "key": field["key"],
                        "type": field["type"],
                        "name": name_in(field.get("names"), language),
                        "choices": [
                            {"value": c["value"], "name": name_in(c.get("names"), language)}
                            for c in field.get("choices", ())
                        ],
                    }
                    for field in section.get("fields", ())
                ],
            }
            for section in version.sections
        ],
    }


def _flags(screening: Screening, country: str, language: str) -> list[dict[str, str]]:
    pack = screening_pack(country)
    return [
        {"code": code, "name": flag.label(language)}
        for code in screening.flags
        if (flag := pack.flag(code)) is not None
    ]


def _service(service: ServiceType, language: str) -> dict[str, str]:
    return {
        "code": service.code,
        "name": service.label(language),
        "group": str(GROUPS.get(service.group, service.group)),
    }


def _services(households: list[tuple[int, str]], language: str) -> dict[int, list[dict[str, str]]]:
    """The services each family may be given (issue 22 item 4), by household id: those of its
    plans of package services; with no plan, those of its country's packages; in a country with
    no package (Moldova's pack has none), its country's whole active catalogue. Five queries at
    most, whatever the number of households."""
    active = ServiceType.objects.filter(active=True).order_by("ordering", "code")
    planned: dict[int, dict[str, ServiceType]] = {}
    plans = PackagePlan.objects.filter(household__in=[pk for pk, _c in households])
    for plan in plans.prefetch_related(Prefetch("services", queryset=active)):
        for service in plan.services.all():
            planned.setdefault(plan.household_id, {})[service.code] = service
    countries = {country for pk, country in households if country and pk not in planned}
    offered: dict[str, dict[str, ServiceType]] = {}
    bundles = ServiceBundle.objects.filter(country__in=countries).order_by("code")
    for bundle in bundles.prefetch_related(Prefetch("types", queryset=active)):
        for service in bundle.types.all():
            offered.setdefault(bundle.country, {}).setdefault(service.code, service)
    for service in active.filter(country__in=countries - set(offered)):
        offered.setdefault(service.country, {})[service.code] = service
    with translation.override(language):
        return {
            pk: [
                _service(s, language)
                for s in sorted(
                    (planned.get(pk) or offered.get(country) or {}).values(),
                    key=lambda s: (s.ordering, s.code),
                )
            ]
            for pk, country in households
        }


def field_pack(*, user: User, language: str) -> dict[str, Any]:
    """The worker's pack, scoped like the households page; `wipe` for a user who lost the
    right to work in the field."""
    today = timezone.localdate()
    if not can_sync(user):
        return {"wipe": True, "households": [], "visits": [], "sheets": {}}
    rows = households_to_screen(user=user)
    members = (
        HouseholdMember.objects.filter(household__in=[r.household.pk for r in rows])
        .select_related("person")
        .order_by("person__pk")
    )
    children: dict[int, list[dict[str, Any]]] = {}
    for member in members:
        born = member.person.birth_date
        if born is not None and _age(born, today) >= 18:
            continue
        children.setdefault(member.household_id, []).append(
            {
                "id": member.person.pk,
                "name": str(member.person),
                "age": _age(born, today) if born else None,
            }
        )
    services = _services(
        [(r.household.pk, r.place.country if r.place else "") for r in rows], language
    )
    sheets: dict[str, Any] = {}
    households = []
    for row in rows:
        country = row.place.country if row.place else ""
        if country and country not in sheets:
            sheets[country] = _sheet(country, language)
        last = row.last
        households.append(
            {
                "id": row.household.pk,
                "name": row.household.name,
                "address": row.household.address,
                "place": row.place.display_name(language) if row.place else "",
                "country": country,
                "version": row.household.version,
                "children": children.get(row.household.pk, []),
                "services": services[row.household.pk],
                "screening": None
                if last is None
                else {
                    "id": last.pk,
                    "version": last.version,
                    "screened_on": last.screened_on.isoformat(),
                    "answers": last.answers,
                    "flags": _flags(last, country, language),
                },
            }
        )
    visits = (
        FollowUp.objects.filter(
            kind=FollowUpKind.VISIT,
            visited_at__isnull=True,
            visit_on__gte=today,
            visit_on__lte=today + timedelta(days=COMING_DAYS),
            screening__in=screening_scope(user),
        )
        .select_related("child", "screening")
        .prefetch_related(Prefetch("screening__household"))
        .order_by("visit_on", "id")
    )
    return {
        "wipe": False,
        "households": households,
        "visits": [
            {
                "id": visit.pk,
                "household": visit.screening.household_id,
                "screening": visit.screening_id,
                "child": {"id": visit.child_id, "name": str(visit.child)},
                "visit_on": visit.visit_on.isoformat() if visit.visit_on else None,
                "note": visit.note,
            }
            for visit in visits
        ],
        "sheets": {k: v for k, v in sheets.items() if v is not None},
    }
