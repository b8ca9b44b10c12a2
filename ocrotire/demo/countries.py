"""A working day in each country beside Moldova: the cases of Chernihiv, Bacău county and
Alamüdün district (`demo.areas`), then the escalation of what is overdue."""

from __future__ import annotations

from ocrotire.accounts.models import Institution, User
from ocrotire.cases.models import Case
from ocrotire.demo import area_kg, area_ro, area_ua
from ocrotire.demo.areas import area_load
from ocrotire.demo.desk import Desk
from ocrotire.intake.models import Report
from ocrotire.workflow.tasks import overdue_scan

AREAS = (area_ua.AREA, area_ro.AREA, area_kg.AREA)


def areas_demo_load(users: dict[str, User], institutions: dict[str, Institution]) -> dict[str, int]:
    """Each area's stories, once per country (see `areas.area_load`); the counts are of the
    reports and cases this run added."""
    reports, cases = Report.objects.count(), Case.objects.count()
    desk = Desk(users, institutions)
    loaded = [area_load(desk, area) for area in AREAS]
    if any(loaded):
        overdue_scan(now=desk.now)
    return {
        "reports_created": Report.objects.count() - reports,
        "cases_created": Case.objects.count() - cases,
    }
