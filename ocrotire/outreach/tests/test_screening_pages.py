"""The screening pages as a community worker, without JavaScript: the households of the
village, the sheet filled on the page, the flags shown, a flagged child reported in one press,
a visit planned, bad input kept beside its field, and the counts per place."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ocrotire.accounts.models import Institution, User
from ocrotire.geo.models import Unit
from ocrotire.intake.models import Report
from ocrotire.outreach.models import FollowUp, Screening
from ocrotire.outreach.tests.world import community_worker, household_with_children, sheets_load
from ocrotire.registry.models import Household

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(
    institutions: dict[str, Institution], personas: dict[str, User], casework: None, mfa_off: None
) -> User:
    sheets_load()
    worker = community_worker(institutions["DGPDC-BOT"])
    worker.language = "en"
    worker.save(update_fields=["language"])
    return worker


@pytest.fixture
def household(worker: User, territory: dict[str, Unit]) -> Household:
    return household_with_children(worker, territory["MD-CU-BOT-SIN"], "Rusu")


@pytest.fixture
def browser_of(worker: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(worker)
    return client


def _screen(client: Client, household: Household, **answers: str) -> Any:
    body = {"screened_on": timezone.localdate().isoformat(), **answers}
    return client.post(f"/outreach/households/{household.pk}/screen/", body, follow=True)


def test_a_worker_screens_a_household_and_reports_a_flagged_child(
    browser_of: Client, household: Household
) -> None:
    listed = browser_of.get("/outreach/").content.decode()
    assert "Rusu" in listed
    assert "Sîngera" in listed
    sheet = browser_of.get(f"/outreach/households/{household.pk}/screen/").content.decode()
    assert 'name="answers.social.single_parent"' in sheet
    assert "Household screening sheet" in sheet
    page = _screen(
        browser_of,
        household,
        **{"answers.social.single_parent": "yes", "answers.economic.poverty": "no"},
    )
    html = page.content.decode()
    assert "The screening was recorded." in html
    assert "Single-parent family" in html
    assert "single_parent" not in html  # no flag's code on the screen
    screening = Screening.objects.get(household=household)
    assert screening.flags == ["single_parent"]
    child = screening.household.members.exclude(role="head").get().person
    answered = browser_of.post(
        f"/outreach/screenings/{screening.pk}/children/{child.pk}/follow-up/",
        {"kind": "report", f"r{child.pk}-child": child.pk, f"r{child.pk}-narrative": "Alone."},
        follow=True,
    ).content.decode()
    report = Report.objects.get(children=child)
    assert f"The report {report.number} was sent to the child-protection authority." in answered
    assert "Report to the child-protection authority</button>" not in answered  # once
    listed = browser_of.get("/outreach/").content.decode()
    assert "Single-parent family" in listed


def test_bad_input_stays_beside_its_field_and_nothing_is_kept(
    browser_of: Client, household: Household
) -> None:
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = browser_of.post(
        f"/outreach/households/{household.pk}/screen/",
        {"screened_on": tomorrow, "answers.social.single_parent": "yes"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The day of the screening cannot be in the future." in html
    assert not Screening.objects.exists()


def test_a_visit_is_planned_for_a_day_to_come(browser_of: Client, household: Household) -> None:
    _screen(browser_of, household, **{"answers.economic.poverty": "no"})
    screening = Screening.objects.get()
    child = screening.household.members.exclude(role="head").get().person
    url = f"/outreach/screenings/{screening.pk}/children/{child.pk}/follow-up/"
    past = browser_of.post(
        url,
        {"kind": "visit", f"v{child.pk}-child": child.pk, f"v{child.pk}-visit_on": "2020-01-01"},
    )
    assert past.status_code == 400
    assert "Plan the visit for today or a day to come." in past.content.decode()
    day = timezone.localdate() + timedelta(days=3)
    done = browser_of.post(
        url,
        {"kind": "visit", f"v{child.pk}-child": child.pk, f"v{child.pk}-visit_on": day.isoformat()},
        follow=True,
    )
    assert "The visit was planned." in done.content.decode()
    assert FollowUp.objects.get().visit_on == day


def test_the_counts_page_and_another_area(
    browser_of: Client, household: Household, personas: dict[str, User]
) -> None:
    _screen(browser_of, household, **{"answers.social.parents_away": "yes"})
    counts = browser_of.get("/outreach/counts/").content.decode()
    assert "Migrant parents, no adequate care" in counts
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    other.force_login(personas["specialist2"])
    screening = Screening.objects.get()
    assert other.get(f"/outreach/screenings/{screening.pk}/").status_code == 404
    assert other.get(f"/outreach/households/{household.pk}/screen/").status_code == 404
    outsider = Client()
    outsider.force_login(personas["reporter"])
    assert outsider.get("/outreach/").status_code == 403
