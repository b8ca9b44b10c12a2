"""Exports of lists: each list gives exactly the rows its page shows the same user with the same
filters (never a record outside their area), CSV that Excel reads and that cannot run a formula,
a workbook openpyxl opens; a long list is a background job with progress that only its requester
downloads; every export is audited; and the same through the API."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from ocrotire.analytics.exports.lists import KINDS
from ocrotire.analytics.models import ExportJob
from ocrotire.care.services import placement_start
from ocrotire.care.tests.factories import decided
from ocrotire.cases.models import Case
from ocrotire.cases.tests.test_case_pages import open_case
from ocrotire.core.models import AuditEvent
from ocrotire.core.tabular import write_csv, write_xlsx
from ocrotire.providers.models import ServicePoint, ServiceType
from ocrotire.providers.services import catalogue_load, provider_create, service_point_create

pytestmark = pytest.mark.django_db

PAGES = {
    "reports": "/reports/",
    "cases": "/cases/",
    "persons": "/registry/",
    "referrals": "/providers/referrals/",
    "placements": "/cases/placements/",
    "providers": "/providers/",
    "services": "/providers/services/",
    "audit": "/audit/",
}


@pytest.fixture(autouse=True)
def english(personas: dict[str, Any]) -> None:
    for user in personas.values():
        user.language = "en"
        user.save(update_fields=["language"])


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _point(supervisor: Any, unit: Any, name: str) -> ServicePoint:
    provider = provider_create(actor=supervisor, kind="ngo", name=f"Prestator {name}", units=[unit])
    return service_point_create(
        actor=supervisor,
        provider=provider,
        service_type=ServiceType.objects.get(country="MD", code="day_centre_risk"),
        unit=unit,
        name=name,
        capacity=5,
    )


def _refer(api: Any, user: Any, case: Case, point: ServicePoint) -> None:
    case.refresh_from_db()
    response = api(user).post(
        "/api/v1/referrals/",
        {"case": case.pk, "version": case.version, "service_point": point.pk, "reason": "Zi"},
        format="json",
    )
    assert response.status_code == 201, response.content


@pytest.fixture
def world(api: Any, personas: dict[str, Any], casework: None, territory: dict[str, Any]) -> Any:
    """A Botanica case (the specialist's area) and a Centru case (specialist2's), each with a
    referral to a day centre of its sector and a placement in foster care."""
    catalogue_load(country="MD")
    bot = open_case(api, personas["specialist"], given="Ion")
    cen = open_case(api, personas["specialist2"], unit="MD-CU-CEN", given="Ana")
    points = {
        "bot": _point(personas["supervisor"], territory["MD-CU-BOT"], "Centrul de zi Botanica"),
        "cen": _point(personas["supervisor"], territory["MD-CU-CEN"], "Centrul de zi Centru"),
    }
    _refer(api, personas["specialist"], bot, points["bot"])
    _refer(api, personas["specialist2"], cen, points["cen"])
    for user, case in ((personas["specialist"], bot), (personas["specialist2"], cen)):
        case.refresh_from_db()
        placement_start(
            actor=user,
            child=case.child,
            case=case,
            form="foster",
            carer_name="Familia Popa",
            started_at=timezone.now() - timedelta(days=3),
            **decided(),
        )
    return {"bot": bot, "cen": cen, "points": points}


def _sheet(raw: bytes) -> Any:
    return load_workbook(io.BytesIO(raw)).active


def _content(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def _csv_rows(response: Any) -> list[list[str]]:
    raw = _content(response)
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def _export(client: Any, kind: str, fmt: str = "csv", **filters: str) -> Any:
    return client.get("/analytics/exports/new/", {"kind": kind, "format": fmt, **filters})


# What identifies a row in the page's HTML: the export's first column, as the page writes it.
FIRST_COLUMN_ON_PAGE = {"audit": False}


@pytest.mark.parametrize("kind", sorted(PAGES))
@pytest.mark.parametrize("persona", ["specialist", "supervisor", "auditor"])
def test_each_list_exports_the_rows_of_its_page(client, personas, world, kind, persona):
    user = personas[persona]
    client.force_login(user)
    filters = {"object_type": "cases.case"} if kind == "audit" else {}
    page = client.get(PAGES[kind], filters)
    exported = _export(client, kind, **filters)
    if page.status_code != 200:
        assert exported.status_code == page.status_code == 403
        return
    assert exported.status_code == 200
    rows = _csv_rows(exported)
    assert rows[0] == KINDS[kind].header_texts()
    assert len(rows) - 1 == page.context["page"].paginator.count
    html = page.content.decode()
    if FIRST_COLUMN_ON_PAGE.get(kind, True):
        for row in rows[1:]:
            assert row[0] in html, (kind, row[0])


@pytest.mark.parametrize(
    ("kind", "column", "ours", "theirs"),
    [
        ("reports", 3, "Rusu Ion", "Rusu Ana"),
        ("cases", 1, "Rusu Ion", "Rusu Ana"),
        ("persons", 0, "Rusu Ion", "Rusu Ana"),
        ("referrals", 0, "Rusu Ion", "Rusu Ana"),
        ("placements", 0, "Rusu Ion", "Rusu Ana"),
        ("providers", 0, "Prestator Centrul de zi Botanica", "Prestator Centrul de zi Centru"),
        ("services", 0, "Centrul de zi Botanica", "Centrul de zi Centru"),
    ],
)
def test_a_record_outside_the_users_area_never_appears(
    client, personas, world, kind, column, ours, theirs
):
    client.force_login(personas["specialist"])
    for fmt in ("csv", "xlsx"):
        response = _export(client, kind, fmt)
        assert response.status_code == 200
        if fmt == "csv":
            values = [row[column] for row in _csv_rows(response)[1:]]
        else:
            sheet = _sheet(_content(response))
            values = [row[column] for row in list(sheet.iter_rows(values_only=True))[1:]]
        assert ours in values
        assert theirs not in values


def test_the_page_filters_apply_to_the_export(client, personas, world):
    client.force_login(personas["supervisor"])
    bot = world["bot"]
    rows = _csv_rows(_export(client, "cases", q=bot.number))
    assert [row[0] for row in rows[1:]] == [bot.number]
    rows = _csv_rows(_export(client, "cases", unit="MD-CU-CEN"))
    assert [row[0] for row in rows[1:]] == [world["cen"].number]
    rows = _csv_rows(_export(client, "placements", state="ended"))
    assert rows[1:] == []
    # A value the page ignores is ignored here too: the same rows as without it.
    rows = _csv_rows(_export(client, "cases", stage="no-such-stage"))
    assert len(rows) == 3


def test_values_read_as_the_page_shows_them(client, personas, world):
    client.force_login(personas["specialist"])
    header, row = _csv_rows(_export(client, "cases"))
    values = dict(zip(header, row, strict=True))
    case = world["bot"]
    assert values["Case"] == case.number
    assert values["Risk level"] == "High"
    assert values["Stage"] == case.get_stage_display()
    assert values["Unit"] == "Botanica"
    assert values["Opened"] == timezone.localtime(case.opened_at).date().isoformat()


def test_narratives_are_not_exported(client, personas, world):
    client.force_login(personas["specialist"])
    text = _content(_export(client, "reports")).decode("utf-8-sig")
    assert "Bruises" not in text
    assert "Physical" in text or "physical" in text.lower()


def test_csv_is_excel_readable_and_cannot_run_a_formula():
    out = io.BytesIO()
    write_csv(
        out,
        ["Nume", "Имя"],
        [['=HYPERLINK("http://x")', "+1"], ["-2", "@SUM(A1)"], ["Țurcanu", "Цуркану"], [3, None]],
    )
    raw = out.getvalue()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows == [
        ["Nume", "Имя"],
        ['\'=HYPERLINK("http://x")', "'+1"],
        ["'-2", "'@SUM(A1)"],
        ["Țurcanu", "Цуркану"],
        ["3", ""],
    ]


def test_xlsx_keeps_formula_looking_text_as_text():
    out = io.BytesIO()
    write_xlsx(out, ["A", "B"], [["=1+1", "Цуркану"], [5, None]], title="cases")
    sheet = _sheet(out.getvalue())
    assert sheet["A1"].value == "A"
    assert sheet["A2"].value == "=1+1"
    assert sheet["A2"].data_type == "s"
    assert sheet["B2"].value == "Цуркану"
    assert sheet["A3"].value == 5


def test_an_excel_export_of_the_cases_opens_with_its_headers(client, personas, world):
    client.force_login(personas["specialist"])
    response = _export(client, "cases", "xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = _sheet(_content(response))
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == KINDS["cases"].header_texts()
    assert rows[1][0] == world["bot"].number


def test_an_export_is_audited(client, personas, world):
    client.force_login(personas["specialist"])
    _export(client, "cases", "csv", risk_level="high")
    event = AuditEvent.objects.filter(action="export").latest("id")
    assert event.actor == personas["specialist"]
    assert event.object_type == "cases.case"
    assert event.changes["list"] == "cases"
    assert event.changes["filters"] == {"risk_level": "high"}
    assert event.changes["rows"] == 1
    assert event.changes["step"] == "downloaded"


@pytest.mark.parametrize(
    ("persona", "query", "status"),
    [
        ("outsider", {"kind": "cases", "format": "csv"}, 403),
        ("specialist", {"kind": "audit", "format": "csv"}, 403),
        ("reporter", {"kind": "persons", "format": "csv"}, 403),
        ("specialist", {"kind": "nothing", "format": "csv"}, 400),
        ("specialist", {"kind": "cases", "format": "pdf"}, 400),
        ("specialist", {"kind": "reports", "format": "csv", "received_from": "2024-13-45"}, 400),
        ("auditor", {"kind": "audit", "format": "csv", "since": "yesterday"}, 400),
    ],
)
def test_refused_exports(client, personas, world, persona, query, status):
    client.force_login(personas[persona])
    before = AuditEvent.objects.filter(action="export").count()
    assert client.get("/analytics/exports/new/", query).status_code == status
    assert AuditEvent.objects.filter(action="export").count() == before
    assert not ExportJob.objects.exists()


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/analytics/exports/new/", {"kind": "cases", "format": "csv"})
    assert response.status_code == 302


# --- long lists: background jobs ---------------------------------------------------------------


def test_a_long_list_is_written_in_the_background_for_its_requester_alone(
    client, personas, world, settings, immediate_tasks, django_capture_on_commit_callbacks
):
    settings.OCROTIRE_EXPORT_INLINE_ROWS = 1
    supervisor = personas["supervisor"]
    client.force_login(supervisor)
    url = "/analytics/exports/new/?kind=cases&format=xlsx&open=1"
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert b'id="export-start"' in confirm.content
    assert not ExportJob.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/analytics/exports/{job.pk}/"
    assert (job.status, job.total, job.written, job.percent) == ("done", 2, 2, 100)
    assert job.params["filters"] == {"open": "1"}
    assert job.file.name.startswith("exports/")
    assert job.size > 0

    detail = client.get(f"/analytics/exports/{job.pk}/")
    assert b'id="export-download"' in detail.content
    assert b"hx-trigger" not in detail.content
    assert f"/analytics/exports/{job.pk}/".encode() in client.get("/analytics/exports/").content
    download = client.get(f"/analytics/exports/{job.pk}/download/")
    assert download.status_code == 200
    sheet = _sheet(_content(download))
    numbers = {row[0] for row in list(sheet.iter_rows(values_only=True))[1:]}
    assert numbers == {world["bot"].number, world["cen"].number}

    steps = list(
        AuditEvent.objects.filter(action="export", actor=supervisor)
        .order_by("id")
        .values_list("changes__step", "changes__export")
    )
    assert steps == [("requested", job.pk), ("downloaded", job.pk)]

    client.force_login(personas["specialist"])
    assert client.get(f"/analytics/exports/{job.pk}/").status_code == 404
    assert client.get(f"/analytics/exports/{job.pk}/download/").status_code == 404
    assert f"/analytics/exports/{job.pk}/".encode() not in client.get("/analytics/exports/").content


def test_progress_is_polled_until_the_job_ends(client, personas, world, settings):
    """Without a worker the job waits: the page asks again every 2 s and offers no file."""
    settings.OCROTIRE_EXPORT_INLINE_ROWS = 0
    client.force_login(personas["specialist"])
    client.post("/analytics/exports/new/?kind=cases&format=csv")
    job = ExportJob.objects.get()
    assert job.status == "queued"
    page = client.get(f"/analytics/exports/{job.pk}/")
    assert b'hx-trigger="every 2s"' in page.content
    assert b"<progress" in page.content
    assert b'id="export-download"' not in page.content
    partial = client.get(f"/analytics/exports/{job.pk}/", headers={"HX-Request": "true"})
    assert partial.content.strip().startswith(b'<div id="export-progress"')
    assert client.get(f"/analytics/exports/{job.pk}/download/").status_code == 404

    from ocrotire.analytics.exports.jobs import export_job_run

    export_job_run(job.pk)
    export_job_run(job.pk)  # a second run of the same job changes nothing
    job.refresh_from_db()
    assert (job.status, job.percent) == ("done", 100)
    partial = client.get(f"/analytics/exports/{job.pk}/", headers={"HX-Request": "true"})
    assert b"hx-trigger" not in partial.content
    assert b'id="export-download"' in partial.content


def test_a_job_whose_requester_lost_the_list_fails_without_a_file(
    client, personas, world, settings
):
    settings.OCROTIRE_EXPORT_INLINE_ROWS = 0
    auditor = personas["auditor"]
    client.force_login(auditor)
    client.post("/analytics/exports/new/?kind=audit&format=csv")
    job = ExportJob.objects.get()
    auditor.roles.clear()
    from ocrotire.analytics.exports.jobs import export_job_run

    export_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == "failed"
    assert not job.file


# --- the API -----------------------------------------------------------------------------------


def test_api_export_of_a_short_list_is_ready_at_once(api, personas, world):
    client = api(personas["specialist"])
    response = client.post(
        "/api/v1/exports/",
        {"kind": "cases", "format": "csv", "filters": {"risk_level": "high", "open": True}},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "done"
    assert body["percent"] == 100
    assert body["filters"] == {"risk_level": "high", "open": "1"}
    assert body["download"] == f"/api/v1/exports/{body['id']}/download/"
    assert client.get(f"/api/v1/exports/{body['id']}/").json()["status"] == "done"
    download = client.get(body["download"])
    assert download.status_code == 200
    rows = _csv_rows(download)
    assert [row[0] for row in rows[1:]] == [world["bot"].number]
    listed = client.get("/api/v1/exports/").json()
    assert [item["id"] for item in listed["results"]] == [body["id"]]

    other = api(personas["specialist2"])
    assert other.get(f"/api/v1/exports/{body['id']}/").status_code == 404
    assert other.get(body["download"]).status_code == 404
    assert other.get("/api/v1/exports/").json()["count"] == 0


def test_api_export_of_a_long_list_runs_in_the_worker(
    api, personas, world, settings, immediate_tasks, django_capture_on_commit_callbacks
):
    settings.OCROTIRE_EXPORT_INLINE_ROWS = 0
    client = api(personas["supervisor"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            "/api/v1/exports/", {"kind": "reports", "format": "xlsx"}, format="json"
        )
    assert response.status_code == 201
    assert response.json()["status"] == "queued"
    assert response.json()["download"] is None
    job_id = response.json()["id"]
    assert client.get(f"/api/v1/exports/{job_id}/download/").status_code == 404
    for callback in callbacks:
        callback()
    status = client.get(f"/api/v1/exports/{job_id}/").json()
    assert (status["status"], status["written"], status["total"], status["percent"]) == (
        "done",
        2,
        2,
        100,
    )
    download = client.get(status["download"])
    sheet = _sheet(_content(download))
    assert len(list(sheet.iter_rows())) == 3


def test_api_idempotency_key_gives_back_the_first_export(api, personas, world):
    client = api(personas["specialist"])
    body = {"kind": "persons", "format": "csv", "filters": {"q": "Rusu"}}
    first = client.post("/api/v1/exports/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post("/api/v1/exports/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert ExportJob.objects.count() == 1


@pytest.mark.parametrize(
    ("persona", "body", "status", "field"),
    [
        ("specialist", {"kind": "nothing", "format": "csv"}, 400, "kind"),
        ("specialist", {"kind": "cases", "format": "pdf"}, 400, "format"),
        ("specialist", {"format": "csv"}, 400, "kind"),
        (
            "specialist",
            {"kind": "cases", "format": "csv", "filters": {"colour": "red"}},
            400,
            "filters",
        ),
        (
            "specialist",
            {"kind": "cases", "format": "csv", "filters": {"stage": "nope"}},
            400,
            "filters",
        ),
        ("specialist", {"kind": "cases", "format": "csv", "filters": {"q": ["a"]}}, 400, "filters"),
        ("specialist", {"kind": "cases", "format": "csv", "filters": "stage"}, 400, "filters"),
        (
            "specialist",
            {"kind": "cases", "format": "csv", "filters": {"q": "a\x00b"}},
            400,
            "filters",
        ),
        (
            "specialist",
            {"kind": "reports", "format": "csv", "filters": {"received_to": "2024-02-30"}},
            400,
            "filters",
        ),
        ("specialist", {"kind": "audit", "format": "csv"}, 403, None),
        ("reporter", {"kind": "reports", "format": "csv"}, 403, None),
        ("outsider", {"kind": "cases", "format": "csv"}, 403, None),
    ],
)
def test_api_refusals(api, personas, world, persona, body, status, field):
    response = api(personas[persona]).post("/api/v1/exports/", body, format="json")
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    if field:
        assert field in error["fields"]
    assert not ExportJob.objects.exists()


def test_api_needs_authentication(api):
    assert api(None).post("/api/v1/exports/", {"kind": "cases", "format": "csv"}).status_code == 401
    assert api(None).get("/api/v1/exports/").status_code == 401


def test_api_operations_are_in_the_schema(client):
    import yaml

    document = yaml.safe_load(client.get("/api/schema/").content)
    ids = {
        operation["operationId"]
        for path, operations in document["paths"].items()
        if path.startswith("/api/v1/exports/")
        for operation in operations.values()
    }
    assert ids == {
        "v1_exports_list",
        "v1_exports_create",
        "v1_exports_retrieve",
        "v1_exports_download",
    }


def test_an_export_whose_worker_stopped_is_marked_failed(personas):
    from ocrotire.analytics.exports.jobs import export_jobs_expire

    user = personas["specialist"]
    stuck = ExportJob.objects.create(requested_by=user, kind="cases", format="csv")
    fresh = ExportJob.objects.create(requested_by=user, kind="cases", format="csv")
    done = ExportJob.objects.create(
        requested_by=user, kind="cases", format="csv", status=ExportJob.Status.DONE
    )
    long_ago = timezone.now() - timedelta(hours=2)
    ExportJob.objects.filter(pk=stuck.pk).update(
        created_at=long_ago, status=ExportJob.Status.RUNNING
    )
    ExportJob.objects.filter(pk=done.pk).update(created_at=long_ago)
    assert export_jobs_expire() == 1
    statuses = dict(ExportJob.objects.values_list("pk", "status"))
    assert statuses == {
        stuck.pk: ExportJob.Status.FAILED,
        fresh.pk: ExportJob.Status.QUEUED,
        done.pk: ExportJob.Status.DONE,
    }


def _export_killed_midway(user: Any, *, silent_for: timedelta) -> ExportJob:
    job = ExportJob.objects.create(requested_by=user, kind="cases", format="csv", total=100)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.RUNNING, written=5, heartbeat_at=timezone.now() - silent_for
    )
    return job


def test_the_watcher_fails_an_export_whose_beats_stopped(personas, settings):
    from django.core.management import call_command

    settings.OCROTIRE_JOB_HEARTBEAT_TIMEOUT_SECONDS = 120
    user = personas["specialist"]
    stuck = _export_killed_midway(user, silent_for=timedelta(seconds=121))
    alive = _export_killed_midway(user, silent_for=timedelta(seconds=20))
    call_command("deadlines_watch")
    statuses = dict(ExportJob.objects.values_list("pk", "status"))
    assert statuses == {stuck.pk: ExportJob.Status.FAILED, alive.pk: ExportJob.Status.RUNNING}


def test_a_new_export_request_fails_the_requesters_silent_export(
    api, personas, world, settings, immediate_tasks, django_capture_on_commit_callbacks
):
    settings.OCROTIRE_JOB_HEARTBEAT_TIMEOUT_SECONDS = 120
    settings.OCROTIRE_EXPORT_INLINE_ROWS = 0
    supervisor = personas["supervisor"]
    stuck = _export_killed_midway(supervisor, silent_for=timedelta(seconds=121))
    with django_capture_on_commit_callbacks(execute=True):
        response = api(supervisor).post(
            "/api/v1/exports/", {"kind": "cases", "format": "csv"}, format="json"
        )
    assert response.status_code == 201, response.json()
    stuck.refresh_from_db()
    assert stuck.status == ExportJob.Status.FAILED
    new = ExportJob.objects.exclude(pk=stuck.pk).get()
    assert (new.status, new.written) == (ExportJob.Status.DONE, 2)
    assert new.heartbeat_at is not None
