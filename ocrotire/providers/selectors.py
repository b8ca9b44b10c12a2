"""Reads of the provider register, scoped to the user: a provider is visible to whoever sees
its institution (its units, or a wider area it serves)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, JSONField, OuterRef, Q, QuerySet, Subquery, Sum
from django.http import Http404
from django.utils import timezone

from ocrotire.accounts.models import Institution, RoleCode, User
from ocrotire.accounts.permissions import has_role, scope_of
from ocrotire.accounts.selectors import institution_visible_q
from ocrotire.cases.models import OPEN_STAGES, Assessment, Case, Referral, ReferralStatus
from ocrotire.cases.selectors import case_scope
from ocrotire.geo.models import Unit
from ocrotire.providers.gaps import needs_answered
from ocrotire.providers.models import (
    Enrolment,
    EnrolmentStatus,
    Provider,
    ProviderKind,
    ServiceBundle,
    ServicePoint,
    ServiceType,
    open_points,
)
from ocrotire.providers.permissions import can_browse_providers


def _visible_providers(user: User) -> QuerySet[Provider]:
    if not can_browse_providers(user):
        return Provider.objects.none()
    qs = Provider.objects.all()
    condition = institution_visible_q(user)
    if condition is not None:
        qs = qs.filter(institution__in=Institution.objects.filter(condition).values("pk"))
    return qs


def provider_list(
    *,
    user: User,
    search: str = "",
    kind: str = "",
    unit: Unit | None = None,
    service_code: str = "",
    licence: str = "",
    include_inactive: bool = False,
    today: date | None = None,
) -> QuerySet[Provider]:
    qs = _visible_providers(user)
    if not include_inactive:
        qs = qs.filter(active=True)
    if search:
        qs = qs.filter(
            Q(institution__name__icontains=search)
            | Q(institution__abbreviation__icontains=search)
            | Q(registration_number__icontains=search)
        )
    if kind:
        qs = qs.filter(kind=kind)
    if unit is not None:
        qs = qs.filter(
            pk__in=Provider.objects.filter(institution__units__path__startswith=unit.path).values(
                "pk"
            )
        )
    if service_code:
        # By code: the same service (guardianship, a family-type home) has a catalogue row in
        # each country.
        qs = qs.filter(
            pk__in=ServicePoint.objects.filter(service_type__code=service_code, active=True).values(
                "provider_id"
            )
        )
    if licence:
        today = today or timezone.localdate()
        if licence == "expired":
            qs = qs.filter(licence_valid_until__lt=today)
        elif licence == "expiring":
            window = timedelta(days=settings.OCROTIRE_LICENCE_WARNING_DAYS)
            qs = qs.filter(licence_valid_until__gte=today, licence_valid_until__lte=today + window)
    return (
        qs.select_related("institution")
        .prefetch_related("institution__units")
        .order_by("institution__name", "id")
    )


def provider_list_from_query(
    *, user: User, params: Mapping[str, Any]
) -> tuple[QuerySet[Provider], dict[str, str]]:
    """The providers as the list page filters them from its query string (the export of the
    list reads the same filters the same way): the providers and the filters as understood."""
    search = params.get("q", "").strip()[:100]
    kind = params.get("kind", "")
    if kind not in ProviderKind.values:
        kind = ""
    licence = params.get("licence", "")
    if licence not in ("expiring", "expired"):
        licence = ""
    qs = provider_list(user=user, search=search, kind=kind, licence=licence)
    return qs, {"q": search, "kind": kind, "licence": licence}


def provider_get(*, user: User, pk: int | str) -> Provider:
    """The provider, or 404 when it is missing or outside the user's scope."""
    try:
        return provider_list(user=user, include_inactive=True).get(pk=pk)
    except (Provider.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def service_point_list(
    *,
    user: User,
    unit: Unit | None = None,
    service_code: str = "",
    provider: Provider | None = None,
    search: str = "",
    include_inactive: bool = False,
) -> QuerySet[ServicePoint]:
    qs = ServicePoint.objects.filter(provider__in=_visible_providers(user).values("pk"))
    if not include_inactive:
        qs = qs.filter(open_points(timezone.localdate()))
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if service_code:
        qs = qs.filter(service_type__code=service_code)
    if provider is not None:
        qs = qs.filter(provider=provider)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(provider__institution__name__icontains=search))
    return qs.select_related("provider__institution", "service_type", "unit").order_by("name", "id")


def service_point_list_from_query(
    *, user: User, params: Mapping[str, Any]
) -> tuple[QuerySet[ServicePoint], dict[str, str]]:
    """The service points as the list page filters them from its query string (the export of
    the list reads the same filter the same way): the points and the filter as understood."""
    code = params.get("service", "")
    if not ServiceType.objects.filter(code=code).exists():
        code = ""
    return service_point_list(user=user, service_code=code), {"service": code}


def service_point_get(*, user: User, pk: int | str) -> ServicePoint:
    try:
        return service_point_list(user=user, include_inactive=True).get(pk=pk)
    except (ServicePoint.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def service_types(*, country: str, include_inactive: bool = False) -> QuerySet[ServiceType]:
    qs = ServiceType.objects.filter(country=country.upper())
    if not include_inactive:
        qs = qs.filter(active=True)
    return qs.order_by("ordering", "code")


def service_bundles(*, country: str) -> QuerySet[ServiceBundle]:
    return (
        ServiceBundle.objects.filter(country=country.upper())
        .prefetch_related("types")
        .order_by("code")
    )


def referral_list(
    *, user: User, status: str = "", service_point: ServicePoint | None = None
) -> QuerySet[Referral]:
    """A provider's staff see the referrals addressed to their service points, and no others;
    case workers see the referrals of the cases they may see."""
    if not can_browse_providers(user):
        return Referral.objects.none()
    condition = Q(case__in=case_scope(user).values("pk"))
    if has_role(user, RoleCode.PROVIDER) and user.institution_id is not None:
        condition |= Q(service_point__provider__institution_id=user.institution_id)
    qs = Referral.objects.filter(condition)
    if status:
        qs = qs.filter(status=status)
    if service_point is not None:
        qs = qs.filter(service_point=service_point)
    return qs.select_related(
        "case__child",
        "case__unit",
        "service_point__provider__institution",
        "to_institution",
        "enrolment",
    ).order_by("-sent_at", "-id")


def referral_list_from_query(
    *, user: User, params: Mapping[str, Any]
) -> tuple[QuerySet[Referral], dict[str, str]]:
    """The referrals as the inbox filters them from its query string (the export of the list
    reads the same filter the same way): the referrals and the filter as understood."""
    status = params.get("status", "")
    if status not in ReferralStatus.values:
        status = ""
    return referral_list(user=user, status=status), {"status": status}


def referral_get(*, user: User, pk: int | str) -> Referral:
    try:
        return referral_list(user=user).get(pk=pk)
    except (Referral.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc


def waiting_list(point: ServicePoint) -> QuerySet[Enrolment]:
    """The children waiting for a place, first come first."""
    return (
        Enrolment.objects.filter(service_point=point, status=EnrolmentStatus.WAITING)
        .select_related("child", "referral")
        .order_by("queued_at", "id")
    )


def enrolment_history(
    point: ServicePoint, *, at: datetime | None = None, status: str = ""
) -> QuerySet[Enrolment]:
    """Who was at the service point and when, newest first; with `at`, the children enrolled at
    that moment."""
    qs = Enrolment.objects.filter(service_point=point)
    if at is not None:
        qs = qs.filter(enrolled_at__lte=at).exclude(ended_at__lte=at)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("child", "referral", "created_by").order_by("-queued_at", "-id")


def waiting_positions(referrals: list[Referral]) -> dict[int, int]:
    """Place in the queue (1 = next) of every waiting enrolment of these referrals' service
    points, in one query: enrolment id -> position."""
    points = {r.service_point_id for r in referrals if r.service_point_id is not None}
    positions: dict[int, int] = {}
    seen: dict[int, int] = {}
    for pk, point in (
        Enrolment.objects.filter(service_point__in=points, status=EnrolmentStatus.WAITING)
        .order_by("service_point_id", "queued_at", "id")
        .values_list("pk", "service_point_id")
    ):
        seen[point] = seen.get(point, 0) + 1
        positions[pk] = seen[point]
    return positions


def point_figures(
    points: list[ServicePoint], *, served_since: datetime | None = None
) -> dict[int, dict[str, int]]:
    """Per service point, in one query: children enrolled now (and how many of them are
    refugees), children waiting, and children served — enrolled at some time since
    `served_since` (default: the last 365 days), whether they are still there or not."""
    since = served_since or timezone.now() - timedelta(days=365)
    enrolled = Q(status=EnrolmentStatus.ENROLLED)
    rows = (
        Enrolment.objects.filter(service_point__in=[p.pk for p in points])
        .values("service_point_id")
        .annotate(
            occupied=Count("id", filter=enrolled),
            refugees=Count("id", filter=enrolled & Q(child__displacement="refugee")),
            waiting=Count("id", filter=Q(status=EnrolmentStatus.WAITING)),
            served=Count(
                "id",
                filter=Q(enrolled_at__isnull=False)
                & (Q(ended_at__isnull=True) | Q(ended_at__gte=since)),
            ),
        )
    )
    figures = {p.pk: {"occupied": 0, "refugees": 0, "waiting": 0, "served": 0} for p in points}
    for row in rows:
        figures[row["service_point_id"]] = {
            k: row[k] for k in ("occupied", "refugees", "waiting", "served")
        }
    return figures


# A referral in these states is the service coming: the need it answers is not a gap.
REFERRAL_UNDER_WAY = (ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.ENROLLED)


def unmet_needs(*, unit: Unit) -> list[tuple[str, str]]:
    """The service needs of the latest assessment of each open case of the area that nothing
    answers yet: (the case's unit path, the service code) once per case and need. A need is
    answered by an open enrolment or an active placement of the child at a service of that type
    (care tells, through `providers.gaps`), by a referral of the case to one that is under way,
    or by one completed after the assessment."""
    latest = Assessment.objects.filter(case=OuterRef("pk")).order_by("-completed_at", "-id")
    cases = list(
        Case.objects.filter(stage__in=OPEN_STAGES, unit__path__startswith=unit.path)
        .annotate(
            needs=Subquery(latest.values("needs")[:1], output_field=JSONField()),
            assessed_at=Subquery(latest.values("completed_at")[:1]),
        )
        .exclude(needs=None)
        .values_list("pk", "child_id", "unit__path", "needs", "assessed_at")
    )
    cases = [row for row in cases if isinstance(row[3], list) and row[3]]
    if not cases:
        return []
    children = [row[1] for row in cases]
    receiving: dict[int, set[str]] = {}
    for child, code in Enrolment.objects.filter(
        child_id__in=children, status__in=[EnrolmentStatus.WAITING, EnrolmentStatus.ENROLLED]
    ).values_list("child_id", "service_point__service_type__code"):
        receiving.setdefault(child, set()).add(code)
    for child, code in needs_answered(children):
        receiving.setdefault(child, set()).add(code)
    referred: dict[int, list[tuple[str, str, datetime | None]]] = {}
    for case_id, code, state, ended in Referral.objects.filter(
        case_id__in=[row[0] for row in cases], service_point__isnull=False
    ).values_list("case_id", "service_point__service_type__code", "status", "ended_at"):
        referred.setdefault(case_id, []).append((code, state, ended))
    gaps = []
    for case_id, child, path, needs, assessed_at in cases:
        for code in dict.fromkeys(str(n) for n in needs):
            if code in receiving.get(child, ()):
                continue
            if any(
                got == code
                and (
                    state in REFERRAL_UNDER_WAY
                    or (
                        state == ReferralStatus.COMPLETED
                        and ended is not None
                        and ended >= assessed_at
                    )
                )
                for got, state, ended in referred.get(case_id, [])
            ):
                continue
            gaps.append((path, code))
    return gaps


def gap_analysis(*, unit: Unit) -> dict[str, Any]:
    """Supply against demand for the units directly under `unit` (or `unit` itself when it has
    none), per service type of the country's catalogue: service points, places, children
    enrolled and waiting, referrals sent and not yet answered or placed, and where a unit has no
    service of a type at all. Figures are counts of the area (no child is named), so anyone who
    sees the area may read them."""
    parts = list(Unit.objects.filter(parent=unit).order_by("code"))
    # Service points registered at the area itself (a municipal service for the whole city) get
    # a column of their own after the parts; an area without parts is its own only column.
    today = timezone.localdate()
    at_area = ServicePoint.objects.filter(open_points(today), unit=unit).exists()
    areas = [*parts, unit] if (at_area or not parts) else parts
    types = list(service_types(country=unit.country))
    cells: dict[tuple[Any, Any], dict[str, int]] = {
        (a.code, t.code): {
            "points": 0,
            "capacity": 0,
            "occupied": 0,
            "waiting": 0,
            "pending_referrals": 0,
            "unmet_needs": 0,
        }
        for a in areas
        for t in types
    }

    def area_of(path: str) -> str | None:
        found = next((a.code for a in parts if path.startswith(a.path)), None)
        return found if found is not None else (unit.code if unit in areas else None)

    points = (
        ServicePoint.objects.filter(open_points(today), unit__path__startswith=unit.path)
        .values("unit__path", "service_type__code")
        .annotate(points=Count("id"), capacity=Sum("capacity"))
    )
    for row in points:
        area = area_of(row["unit__path"])
        key = (area, row["service_type__code"])
        if area is not None and key in cells:
            cells[key]["points"] += row["points"]
            cells[key]["capacity"] += row["capacity"] or 0
    enrolments = (
        Enrolment.objects.filter(
            service_point__unit__path__startswith=unit.path,
            status__in=[EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITING],
        )
        .values("service_point__unit__path", "service_point__service_type__code", "status")
        .annotate(n=Count("id"))
    )
    for row in enrolments:
        area = area_of(row["service_point__unit__path"])
        key = (area, row["service_point__service_type__code"])
        if area is not None and key in cells:
            name = "occupied" if row["status"] == EnrolmentStatus.ENROLLED else "waiting"
            cells[key][name] += row["n"]
    pending = (
        Referral.objects.filter(
            status=ReferralStatus.SENT, service_point__unit__path__startswith=unit.path
        )
        .values("service_point__unit__path", "service_point__service_type__code")
        .annotate(n=Count("id"))
    )
    for row in pending:
        area = area_of(row["service_point__unit__path"])
        key = (area, row["service_point__service_type__code"])
        if area is not None and key in cells:
            cells[key]["pending_referrals"] += row["n"]
    for path, code in unmet_needs(unit=unit):
        key = (area_of(path), code)
        if key in cells:
            cells[key]["unmet_needs"] += 1
    rows = [
        {
            "unit": a.code,
            "service_type": t.code,
            **cells[(a.code, t.code)],
            "free": max(
                0, cells[(a.code, t.code)]["capacity"] - cells[(a.code, t.code)]["occupied"]
            ),
        }
        for t in types
        for a in areas
    ]
    return {
        "unit": unit,
        "areas": areas,
        "types": types,
        "rows": rows,
        # Only the parts can lack a service: the area's own column holds what serves it whole.
        "uncovered": [
            (r["unit"], r["service_type"])
            for r in rows
            if r["points"] == 0 and (r["unit"] != unit.code or not parts)
        ],
    }


def area_choices(user: User) -> list[Unit]:
    """The areas a user may compare (coverage and gaps, residential care): the levels with parts,
    and the user's own units."""
    scope = scope_of(user)
    roots = set(scope.unit_paths)
    return [
        u
        for u in Unit.objects.filter(Q(level__in=GAP_LEVELS) | Q(path__in=roots)).order_by("path")
        if scope.covers_path(u.path)
    ]


# Areas whose units the gap table compares: a country's regions, a municipality's sectors.
GAP_LEVELS = ("country", "region", "municipality", "district", "city")
