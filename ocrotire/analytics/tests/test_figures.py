"""The dashboards' kept day figures are exact at every moment: after each kind of change (a new
report, a report moved, its channel or concerns or children changed, a child's sex, birth date or
marks changed, two children merged, a merge undone), the figures read from the kept tables plus
the days changed since equal the figures counted from the records, before and after a refresh;
the triggers note every writer, the ORM's bulk updates included."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from ocrotire.analytics.common import figures as day_figures
from ocrotire.analytics.dashboards.area import Area, Filters
from ocrotire.analytics.dashboards.counts import children_figures, report_figures
from ocrotire.analytics.dashboards.series import dashboard
from ocrotire.analytics.models import ChildDayFigure, FigureBuild, FigureChange, ReportDayFigure
from ocrotire.geo.models import Unit
from ocrotire.intake.models import ConcernCategory, Report, ReportChild
from ocrotire.registry.models import Person, VulnerabilityCategory
from ocrotire.registry.services import merge_undo, person_merge, person_update

pytestmark = pytest.mark.django_db


def _filters(world: dict[str, Any], unit: str | None = None) -> Filters:
    year = world["year"]
    return Filters(
        unit=Unit.objects.get(code=unit) if unit else None,
        since=date(year - 1, 1, 1),
        until=timezone.localdate(),
    )


def _both(user: Any, filters: Filters) -> tuple[Any, Any, day_figures.Period]:
    """The figures as the dashboard reads them, and counted from the records alone."""
    area = Area(user, filters.unit)
    period = day_figures.period(area.q, filters.since, filters.until)
    kept = (
        report_figures(user=user, filters=filters, area=area, period=period),
        children_figures(user=user, filters=filters, area=area, period=period),
    )
    live_period = day_figures.Period(area.q, filters.since, filters.until, None)
    live = (
        report_figures(user=user, filters=filters, area=area, period=live_period),
        children_figures(user=user, filters=filters, area=area, period=live_period),
    )
    return kept, live, period


def _exact(user: Any, world: dict[str, Any], *, pending: bool) -> None:
    for unit in (None, "MD-CU-BOT", "MD-CU-CEN"):
        kept, live, period = _both(user, _filters(world, unit))
        assert period.pending is not None, "the kept figures were not used"
        assert bool(period.pending) == pending or unit is not None
        assert kept == live
    assert live[0]["total"] > 0
    # A period starting and ending inside months (day rows at its edges, month rows between),
    # and one inside a single month (day rows only).
    year = world["year"]
    for since, until in (
        (date(year - 1, 3, 17), date(year, 5, 9)),
        (date(year, 2, 3), date(year, 2, 25)),
    ):
        filters = Filters(unit=None, since=since, until=until)
        kept, live, _period = _both(user, filters)
        assert kept == live


def _refreshed(user: Any, world: dict[str, Any]) -> None:
    """Exact with the change pending, then exact from the kept tables alone after a refresh."""
    assert FigureChange.objects.exists(), "the change was not noted"
    _exact(user, world, pending=True)
    assert day_figures.refresh() > 0
    assert not FigureChange.objects.exists()
    _exact(user, world, pending=False)


@pytest.fixture
def built(world: dict[str, Any]) -> dict[str, Any]:
    assert FigureChange.objects.exists()  # the reports sent were noted
    rows = day_figures.rebuild()
    assert rows == sum(f.model._default_manager.count() for f in day_figures.FAMILIES) > 0
    assert not FigureChange.objects.exists()
    return world


def test_kept_figures_equal_the_records(personas: dict[str, Any], built: Any) -> None:
    _exact(personas["supervisor"], built, pending=False)
    assert ReportDayFigure.objects.exists()
    assert ChildDayFigure.objects.exists()


def test_a_new_report_is_counted_at_once(personas: dict[str, Any], built: Any, api: Any) -> None:
    before = _both(personas["supervisor"], _filters(built))[0][0]["total"]
    body = dict(built["sent"][1]["body"])
    body["received_at"] = timezone.now().isoformat()
    body["children"] = [{"given_name": "Nou", "family_name": "Test", "sex": "F"}]
    response = api(personas["specialist"]).post("/api/v1/reports/", body, format="json")
    assert response.status_code == 201, response.json()
    kept, live, _period = _both(personas["supervisor"], _filters(built))
    assert kept[0]["total"] == live[0]["total"] == before + 1
    _refreshed(personas["supervisor"], built)


def test_a_report_moved_or_redescribed(personas: dict[str, Any], built: Any) -> None:
    report = Report.objects.filter(unit__code="MD-CU-BOT").order_by("pk").first()
    assert report is not None
    report.unit = Unit.objects.get(code="MD-CU-CEN")
    report.received_at = report.received_at - timedelta(days=3)
    report.save()
    _refreshed(personas["supervisor"], built)
    # A bulk update (no save(), no signal) is noted all the same.
    Report.objects.filter(unit__code="MD-CU-CEN").update(channel="walk_in", reporter_sector="")
    _refreshed(personas["supervisor"], built)


def test_concerns_and_children_added_and_taken(personas: dict[str, Any], built: Any) -> None:
    report = Report.objects.filter(unit__code="MD-CU-BOT").order_by("-pk").first()
    assert report is not None
    neglect = ConcernCategory.objects.get(country="MD", code="neglect")
    report.concerns.remove(*report.concerns.all())
    report.concerns.add(neglect)
    _refreshed(personas["supervisor"], built)
    child = Person.objects.exclude(report_links__report=report).order_by("pk").first()
    assert child is not None
    ReportChild.objects.create(report=report, person=child)
    _refreshed(personas["supervisor"], built)
    ReportChild.objects.filter(report=report).order_by("pk")[:1].get().delete()
    _refreshed(personas["supervisor"], built)


def test_a_childs_marks_changed(personas: dict[str, Any], built: Any) -> None:
    child = Person.objects.filter(report_links__isnull=False).order_by("pk").first()
    assert child is not None
    person_update(
        actor=personas["specialist"],
        person=child,
        version=child.version,
        data={"sex": "M" if child.sex != "M" else "F", "birth_date": date(2012, 2, 2)},
    )
    _refreshed(personas["supervisor"], built)
    Person.objects.filter(pk=child.pk).update(displacement="refugee", disability=True)
    _refreshed(personas["supervisor"], built)
    refugee = VulnerabilityCategory.objects.filter(code="refugee").first()
    if refugee is not None:
        other = Person.objects.filter(report_links__isnull=False).order_by("-pk").first()
        assert other is not None
        other.vulnerabilities.add(refugee)
        _refreshed(personas["supervisor"], built)
        other.vulnerabilities.remove(refugee)
        _refreshed(personas["supervisor"], built)


def test_a_merge_and_its_undoing(personas: dict[str, Any], built: Any) -> None:
    named = list(
        Person.objects.filter(report_links__report__unit__code__startswith="MD-CU-BOT")
        .distinct()
        .order_by("pk")[:2]
    )
    survivor, merged = named
    Person.objects.filter(pk=merged.pk).update(sex="F", birth_date=date(2015, 1, 1))
    Person.objects.filter(pk=survivor.pk).update(sex="M", birth_date=date(2010, 1, 1))
    day_figures.refresh()
    merge = person_merge(actor=personas["supervisor"], survivor=survivor, merged=merged)
    _refreshed(personas["supervisor"], built)
    merge_undo(actor=personas["supervisor"], merge=merge)
    _refreshed(personas["supervisor"], built)


def test_too_many_changed_days_counts_everything_live(
    personas: dict[str, Any], built: Any, settings: Any
) -> None:
    Report.objects.filter(unit__code__startswith="MD-CU").update(channel="phone")
    settings.OCROTIRE_FIGURES_PENDING_LIMIT = 2
    area = Area(personas["supervisor"], None)
    filters = _filters(built)
    assert day_figures.period(area.q, filters.since, filters.until).pending is None
    settings.OCROTIRE_FIGURES_PENDING_LIMIT = -1  # never the kept figures
    never = day_figures.period(area.q, filters.since, filters.until)
    assert never.pending is None
    settings.OCROTIRE_FIGURES_PENDING_LIMIT = 300
    _refreshed(personas["supervisor"], built)


def test_another_time_zone_is_counted_afresh(
    personas: dict[str, Any], built: Any, settings: Any
) -> None:
    settings.TIME_ZONE = "Asia/Bishkek"
    assert not day_figures.is_built()
    area = Area(personas["supervisor"], None)
    filters = _filters(built)
    assert day_figures.period(area.q, filters.since, filters.until).pending is None
    day_figures.refresh()  # counts every report again, in the new zone's days
    assert FigureBuild.objects.get().time_zone == "Asia/Bishkek"


def test_the_whole_dashboard_is_the_same_either_way(personas: dict[str, Any], built: Any) -> None:
    supervisor = personas["supervisor"]
    filters = _filters(built)
    kept = [(s.name, s.rows) for s in dashboard(user=supervisor, filters=filters)]
    FigureBuild.objects.all().delete()
    live = [(s.name, s.rows) for s in dashboard(user=supervisor, filters=filters)]
    assert kept == live


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers' off switch")
def test_a_bulk_load_may_switch_the_noting_off(personas: dict[str, Any], built: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL ocrotire.figures = 'off'")
    Report.objects.update(channel="phone")
    assert not FigureChange.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL ocrotire.figures = 'on'")
    Report.objects.update(channel="hotline")
    assert FigureChange.objects.exists()


def test_the_generator_counts_the_figures_of_what_it_loads(db: Any) -> None:
    """A bulk load leaves the day figures counted (one step at its end) and nothing pending."""
    import io

    from django.core.management import call_command

    from ocrotire.demo.synthetic.generation import Scale, generate

    call_command("load_packs", "MD", stdout=io.StringIO())
    until = timezone.localdate()
    generation = generate(Scale.default(300, years=1, until=until, batch=500), progress=False)
    assert day_figures.is_built()
    assert not FigureChange.objects.exists()
    assert generation.extra_counts["analytics day figures"][0] > 0
    everywhere = lambda field: Q()  # noqa: E731
    since = until - timedelta(days=400)
    assert day_figures.period(everywhere, since, until).pending == []
    for family in day_figures.FAMILIES:
        by = (day_figures.MONTH, day_figures.UNIT, *family.dims)
        kept = day_figures.counts(family, by, day_figures.Period(everywhere, since, until, []))
        live = day_figures.counts(family, by, day_figures.Period(everywhere, since, until, None))
        assert kept == live
        assert sum(live.values()) > 0


def test_the_command_counts_what_was_never_counted(world: dict[str, Any]) -> None:
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("refresh_figures", stdout=out)
    assert day_figures.is_built()
    assert "day figures counted" in out.getvalue()
    assert ReportDayFigure.objects.exists()
    Report.objects.update(channel="walk_in")
    out = io.StringIO()
    call_command("refresh_figures", stdout=out)
    assert not FigureChange.objects.exists()
    assert "changes counted" in out.getvalue()
