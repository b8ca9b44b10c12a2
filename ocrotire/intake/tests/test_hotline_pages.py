"""The hotline intake from outside: an operator files a report with channel hotline received at
the call's start; an anonymous caller leaves no name or contact; a forged, future or stale start is
refused readably; bad input comes back beside the fields with the focus on the first; only those
who keep the register may use it; the page reads in every language."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core import signing
from django.test import Client
from django.utils import timezone

from ocrotire.accounts.models import User
from ocrotire.intake.hotline_views import call_token
from ocrotire.intake.models import Report
from ocrotire.registry.models import Person
from ocrotire.registry.services import PersonInput, person_create
from ocrotire.workflow.models import TimelineEvent

pytestmark = pytest.mark.django_db
PAGE = "/reports/hotline/"


@pytest.fixture
def operator(client: Client, personas: dict[str, User], mfa_off: None, casework: None) -> Client:
    User.objects.update(language="en")
    client.force_login(personas["specialist"])
    return client


def _call(minutes_ago: float = 3) -> str:
    return call_token(timezone.now() - timedelta(minutes=minutes_ago))


def _token_of(html: str) -> str:
    found = re.search(r'name="call" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def _call_form(territory: Any, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "action": "save",
        "call": _call(),
        "reporter_kind": "citizen",
        "reporter_name": "Vasile Munteanu",
        "reporter_contact": "069111222",
        "reporter_relationship": "neighbour",
        "unit": territory["MD-CU-BOT"].pk,
        "concerns": ["neglect"],
        "narrative": "The children next door are left alone at night and cry for hours.",
        "child-TOTAL_FORMS": "1",
        "child-INITIAL_FORMS": "0",
        "child-0-family_name": "Ceban",
        "child-0-given_name": "Mihai",
        "child-0-sex": "M",
        "child-0-birth_date": "2016-05-06",
    }
    data.update(extra)
    return data


def test_operator_files_a_hotline_report_received_at_the_calls_start(operator, personas, territory):
    page = operator.get(PAGE)
    html = page.content.decode()
    assert page.status_code == 200
    assert re.search(r'<input type="radio" name="reporter_kind" value="child"[^>]*autofocus', html)
    assert html.count(" autofocus") == 1
    assert "<legend>Who calls</legend>" in html
    assert "<legend>Concerns</legend>" in html
    assert "Call started at" in html
    assert "Ctrl</kbd>+<kbd>Enter" in html
    assert 'aria-keyshortcuts="Control+Enter"' in html
    assert 'src="/static/js/hotline.js"' in html
    # the same live registry match as the staff form
    assert 'hx-post="/reports/new/children/matches/?row=0"' in html
    assert 'hx-post="/reports/new/children/search/"' in html
    assert 'aria-current="page">Hotline call' in html
    # the page's call, as it was signed when the page was opened
    assert signing.loads(_token_of(html), salt="ocrotire.intake.hotline.call")

    ion = person_create(
        actor=personas["specialist"],
        data=PersonInput(
            given_name="Ion", family_name="Rusu", sex="M", unit=territory["MD-CU-BOT"]
        ),
    )
    started = timezone.now() - timedelta(minutes=4)
    body = _call_form(
        territory,
        call=call_token(started),
        immediate_danger="on",
        **{
            "child-0-family_name": "Rusu",
            "child-0-given_name": "Ion",
            "child-0-birth_date": "",
            "child-0-person": str(ion.pk),
        },
    )
    response = operator.post(PAGE, body)
    assert response.status_code == 302
    assert response["Location"] == "/reports/hotline/filed/"
    report = Report.objects.get()
    assert report.channel == "hotline"
    assert report.received_at == started
    assert report.immediate_danger
    assert (report.reporter_kind, report.reporter_name, report.reporter_contact) == (
        "citizen",
        "Vasile Munteanu",
        "069111222",
    )
    assert list(report.children.all()) == [ion]
    assert Person.objects.count() == 1
    # the deadlines count from the call, not from the filing
    received = TimelineEvent.objects.get(kind="report_received", report=report)
    assert received.at == started

    filed = operator.get(response["Location"]).content.decode()
    assert f"registered under number {report.number}." in filed
    assert re.search(r'href="/reports/hotline/"[^>]*autofocus>Next call<', filed)
    assert f'href="/reports/{report.pk}/"' in filed
    # a second press of the shortcut with the same call files nothing more
    again = operator.post(PAGE, body)
    assert again["Location"] == "/reports/hotline/filed/"
    assert Report.objects.count() == 1
    # the next call opens a fresh form with a new timer
    fresh = operator.get(PAGE).content.decode()
    assert _token_of(fresh) != body["call"]
    assert "Rusu" not in fresh


def test_register_page_links_the_hotline(operator):
    assert 'href="/reports/hotline/"' in operator.get("/reports/").content.decode()


def test_anonymous_caller_keeps_no_name_or_contact(operator, territory):
    response = operator.post(
        PAGE, _call_form(territory, reporter_kind="anonymous", reporter_sector="education")
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.reporter_anonymous
    assert report.reporter_kind == "anonymous"
    # typed before "anonymous" was chosen, then hidden: none of it is kept
    assert (report.reporter_name, report.reporter_contact, report.reporter_relationship) == (
        "",
        "",
        "",
    )
    assert report.reporter_sector == ""


def test_a_forged_future_or_stale_start_is_refused_readably(operator, territory):
    forged = "The start of the call was altered or cannot be read."
    cases = [
        ("x" + _call(), forged),
        # signed, but not by this page: another salt
        (signing.dumps(timezone.now().isoformat()), forged),
        ("", forged),
        (_call(minutes_ago=-60), "The start of the call cannot be in the future."),
        (_call(minutes_ago=25 * 60), "This call started more than a day ago."),
    ]
    for call, message in cases:
        response = operator.post(PAGE, _call_form(territory, call=call))
        assert response.status_code == 400, call
        html = response.content.decode()
        assert message in html, call
        assert "the call&#x27;s timer now starts again from this moment." in html
        assert 'class="message error" role="alert"' in html
        # nothing typed lost, and the page counts from now with a valid call
        assert "left alone at night" in html
        assert 'value="Ceban"' in html
        assert _token_of(html) != call
    # nothing was written
    assert not Report.objects.exists()
    assert not Person.objects.exists()
    again = operator.post(PAGE, _call_form(territory, call=_token_of(html)))
    assert again.status_code == 302
    assert Report.objects.get().received_at <= timezone.now()


def test_bad_input_stands_beside_the_fields_with_the_focus_on_the_first(operator, territory):
    empty = operator.post(
        PAGE,
        _call_form(territory, reporter_kind="", concerns=[], narrative="", unit=""),
    )
    assert empty.status_code == 400
    html = empty.content.decode()
    assert "Say who is calling." in html
    assert html.count('role="alert"') >= 5
    assert re.search(r'<input type="radio" name="reporter_kind" value="child"[^>]*autofocus', html)
    assert html.count(" autofocus") == 1
    assert 'value="Ceban"' in html
    # refused by the service: a professional caller's sector, beside the sector
    sector = operator.post(
        PAGE, _call_form(territory, reporter_kind="professional")
    ).content.decode()
    assert "Give the sector of the reporting professional." in sector
    assert re.search(r'<select name="reporter_sector"[^>]*autofocus', sector)
    # no child at all: said beside the children's search, which takes the focus
    no_child = operator.post(
        PAGE,
        _call_form(territory, **{"child-0-family_name": "", "child-0-given_name": ""}),
    ).content.decode()
    assert "Add at least one child concerned." in no_child
    assert re.search(r'id="child_q"[^>]*autofocus', no_child)
    # a birth date in the future, beside the child's row
    future = (timezone.localdate() + timedelta(days=30)).isoformat()
    born = operator.post(
        PAGE, _call_form(territory, **{"child-0-birth_date": future})
    ).content.decode()
    assert "A birth date cannot be in the future." in born
    assert re.search(r'name="child-0-birth_date"[^>]*autofocus', born)
    # a unit outside the operator's area is not a choice
    other = operator.post(
        PAGE, _call_form(territory, unit=territory["MD-CU-CEN"].pk)
    ).content.decode()
    assert "Select a valid choice." in other
    # whatever arrives, a readable page and never a 500
    garbage = operator.post(
        PAGE,
        {
            "action": "save",
            "call": "x" * 5000,
            "reporter_kind": "alien",
            "unit": "abc",
            "concerns": ["nope"],
            "most_serious": "nope",
            "existing": ["x", "-1", "²", "99999999999999999999"],
        },
    )
    assert garbage.status_code == 400
    huge = _call_form(territory, existing=["99999999999999999999"])
    huge["child-0-person"] = "99999999999999999999"
    refused = operator.post(PAGE, huge)
    assert refused.status_code == 400
    # a refusal of the row's hidden record: the focus goes to the row's first field
    assert re.search(r'name="child-0-family_name"[^>]*autofocus', refused.content.decode())
    assert not Report.objects.exists()
    assert not Person.objects.exists()


def test_search_and_another_child_keep_the_call(operator, territory):
    body = _call_form(territory)
    searched = operator.post(PAGE, {**body, "action": "search", "child_q": "Ceban"})
    assert searched.status_code == 200
    html = searched.content.decode()
    assert _token_of(html) == body["call"]
    assert re.search(r'id="child_q"[^>]*autofocus', html)
    added = operator.post(PAGE, {**body, "action": "add_child"}).content.decode()
    assert re.search(r'name="child-1-family_name"[^>]*autofocus', added)
    assert not Report.objects.exists()


def test_only_those_who_keep_the_register_use_the_hotline(
    client, personas, territory, mfa_off, casework
):
    for persona in ("reporter", "outsider", "auditor", None):
        client.logout()
        if persona is not None:
            client.force_login(personas[persona])
        for response in (client.get(PAGE), client.post(PAGE, _call_form(territory))):
            if persona is None:
                assert response.status_code == 302
                assert response["Location"].startswith("/accounts/login/")
            else:
                assert response.status_code == 403, persona
        assert client.get(f"{PAGE}filed/").status_code == (302 if persona is None else 403)
    assert not Report.objects.exists()
    assert not Person.objects.exists()
    client.force_login(personas["reporter"])
    assert 'href="/reports/hotline/"' not in client.get("/reports/mine/").content.decode()


# What the page says in English; none of it may stay English in another language.
ENGLISH = (
    "Hotline call",
    "Call started at",
    "Who calls",
    "Keyboard: Tab moves",
    "File the report",
    "What happened",
    "Children concerned",
    "The report was not filed",
    "The start of the call was altered",
    "the call&#x27;s timer now starts again",
    "Report filed",
    "registered under number",
    "(minutes:seconds)",
    "Next call",
    "Open the report",
)


def test_the_pages_read_in_every_language(operator, territory):
    assert operator.post(PAGE, _call_form(territory)).status_code == 302
    for language in [code for code, _name in settings.LANGUAGES]:
        User.objects.update(language=language)
        page = operator.get(PAGE).content.decode()
        refused = operator.post(PAGE, _call_form(territory, call="forged")).content.decode()
        filed = operator.get(f"{PAGE}filed/").content.decode()
        for html in (page, refused, filed):
            assert f'<html lang="{language}">' in html
            if language != "en":
                assert [text for text in ENGLISH if text in html] == [], language
        if language == "en":
            assert [text for text in ENGLISH if text not in page + refused + filed] == []
