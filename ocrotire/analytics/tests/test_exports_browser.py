"""In a real browser, on the demo: the Botanica specialist exports the cases list to Excel and gets
the file at once; with a lower inline limit the same click leads to the background export, its
progress page and its download link; the pages pass the axe-core checks."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from ocrotire.analytics.exports.lists import KINDS
from ocrotire.analytics.models import ExportJob
from ocrotire.core.tests.browser import serious_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def specialist(browser: Any, live_server: Any, demo: None) -> Iterator[Any]:
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 900},
        bypass_csp=True,
        accept_downloads=True,
        locale="en-GB",
    )
    page = context.new_page()
    sign_in(page, "specialist")
    yield page
    context.close()


def _headers(path: str | Path) -> list[Any]:
    # Playwright keeps the file without its extension, which openpyxl reads as the format.
    sheet: Any = load_workbook(io.BytesIO(Path(path).read_bytes())).active
    return list(next(sheet.iter_rows(values_only=True)))


def test_export_excel_on_the_cases_list_downloads_the_file(specialist: Any) -> None:
    page = specialist
    page.goto("/cases/?open=1")
    assert serious_violations(page) == []
    with page.expect_download() as info:
        page.click("#export-links a[data-format=xlsx]")
    download = info.value
    assert download.suggested_filename.startswith("cases-")
    assert download.suggested_filename.endswith(".xlsx")
    assert len(_headers(download.path())) == len(KINDS["cases"].headers)
    assert not ExportJob.objects.exists()


def test_a_long_export_shows_its_progress_then_its_download(specialist: Any, settings: Any) -> None:
    settings.OCROTIRE_EXPORT_INLINE_ROWS = 1
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    page = specialist
    page.goto("/cases/")
    page.click("#export-links a[data-format=csv]")
    page.wait_for_selector("#export-start")
    assert serious_violations(page) == []
    page.click("#export-start button[type=submit]")
    page.wait_for_url("**/analytics/exports/*/")
    page.wait_for_selector("#export-progress[data-status=done]")
    assert page.locator("#export-progress progress").get_attribute("value") == "100"
    assert serious_violations(page) == []
    with page.expect_download() as info:
        page.click("#export-download")
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    text = Path(download.path()).read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    job = ExportJob.objects.get()
    assert job.status == "done"
    assert text.decode("utf-8-sig").count("\n") == job.written + 1
    page.goto("/analytics/exports/")
    assert page.locator("#export-list tbody tr").count() == 1
    assert serious_violations(page) == []
