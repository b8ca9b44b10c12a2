"""The children's short steps from outside, with no account and no JavaScript: one question per
page, the numbers to call as soon as a child says "danger", nothing kept before "Send", no step
skipped by editing the page, answers kept going back, and the time trap counted from the first
page."""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ocrotire.accounts.models import User
from ocrotire.intake import public
from ocrotire.intake.models import Channel, Report, ReporterKind
from ocrotire.intake.public_forms import started_token
from ocrotire.workflow.models import Task

pytestmark = pytest.mark.django_db
URL = "/public/child/"


@pytest.fixture
def child(personas: dict[str, User], casework: None) -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="203.0.113.7")


class _Hidden(HTMLParser):
    """The hidden inputs of the page's step form: what a browser sends again."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and "public-steps" in (a.get("class") or ""):
            self._in_form = True
        elif tag == "input" and self._in_form and a.get("type") == "hidden":
            self.values[a.get("name") or ""] = a.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False


def _step_of(html: str) -> str:
    found = re.search(r'data-step="(\w+)"', html)
    assert found, html
    return found.group(1)


def _send(client: Client, html: str, **answers: Any) -> Any:
    """Press a button on the page: its hidden answers plus what was typed or pressed."""
    parser = _Hidden()
    parser.feed(html)
    return client.post(URL, {**parser.values, **answers})


def _page_an_hour_ago(client: Client) -> str:
    html = client.get(URL).content.decode()
    return html.replace(
        re.search(r'name="started" value="([^"]+)"', html).group(1),  # type: ignore[union-attr]
        started_token(time.time() - 3600),
    )


def _walk(client: Client, *, danger: str = "no", about: str = "me") -> Any:
    html = _page_an_hour_ago(client)
    assert _step_of(html) == "danger"
    for answers in (
        {"danger": danger},
        {"about": about},
        {"name": "Ana", "age": "12"},
        {"narrative": "My stepfather hits me when he drinks."},
        {"place": "MD-CU-BOT"},
    ):
        response = _send(client, html, **answers)
        assert response.status_code == 200, response.content.decode()
        html = response.content.decode()
    assert _step_of(html) == "check"
    return html


def _report_of(html: str) -> Report:
    found = re.search(r'id="tracking-code">([0-9A-Z-]+)<', html)
    assert found, html
    digest = public.code_digest(public.code_normalise(found.group(1)) or "")
    return Report.objects.get(public_access__code_digest=digest)


def test_a_child_tells_step_by_step_and_gets_a_code(child: Client) -> None:
    first = child.get(URL)
    assert first.status_code == 200
    assert "no-store" in first["Cache-Control"]
    html = first.content.decode()
    assert "Step 1 of 6" in html
    assert 'href="tel:116111"' in html
    assert 'id="danger-yes"' in html

    check = _walk(child)
    assert not Report.objects.exists()  # nothing kept before "Send"
    summary = check[check.index('id="child-summary"') :]
    for answer in ("No", "About me", "Ana", "12", "My stepfather hits me", "Botanica"):
        assert answer in summary, answer
    assert "What is your first name?" in summary

    filed = _send(child, check)
    assert filed.status_code == 200
    report = _report_of(filed.content.decode())
    assert report.channel == Channel.ONLINE
    assert report.reporter_kind == ReporterKind.CHILD
    assert report.unit.code == "MD-CU-BOT"
    assert not report.immediate_danger
    (ana,) = report.children.all()
    assert ana.given_name == "Ana"
    assert ana.birth_date is not None
    assert ana.birth_date.year == timezone.localdate().year - 12
    assert Task.objects.filter(report=report, kind="triage", status="open").count() == 1


def test_danger_shows_the_numbers_at_once_and_files_an_immediate_danger(child: Client) -> None:
    html = _page_an_hour_ago(child)
    after = _send(child, html, danger="yes").content.decode()
    assert _step_of(after) == "about"
    alert = after[after.index("public-danger") : after.index('id="about-me"')]
    assert "Call now" in alert
    assert 'href="tel:112"' in alert
    assert 'href="tel:116111"' in alert

    filed = _send(child, _walk(child, danger="yes", about="other")).content.decode()
    assert "call 112" in filed
    report = _report_of(filed)
    assert report.immediate_danger


def test_a_step_cannot_be_skipped_by_editing_the_page(child: Client) -> None:
    response = child.post(
        URL,
        {
            "step": "check",
            "started": started_token(time.time() - 3600),
            "narrative": "Something",
            "place": "MD-CU-BOT",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert _step_of(html) == "danger"
    assert "Press one of the two buttons." in html
    assert 'value="Something"' in html  # what was written is carried, not lost
    assert not Report.objects.exists()


def test_back_and_change_keep_every_answer(child: Client) -> None:
    check = _walk(child)
    back = _send(child, check, go="back").content.decode()
    assert _step_of(back) == "where"
    assert 'value="MD-CU-BOT" selected' in back
    # "Change" the name from the last page, then "Next" comes straight back to it.
    change = _send(child, check, go="child").content.decode()
    assert _step_of(change) == "child"
    assert 'value="Ana"' in change
    again = _send(child, change, name="Ioana").content.decode()
    assert _step_of(again) == "check"
    assert "Ioana" in again
    assert "My stepfather hits me" in again
    report = _report_of(_send(child, again).content.decode())
    assert [c.given_name for c in report.children.all()] == ["Ioana"]


def test_a_missing_answer_is_asked_again_in_the_childs_words(child: Client) -> None:
    html = _page_an_hour_ago(child)
    for answers in ({"danger": "no"}, {"about": "other"}):
        html = _send(child, html, **answers).content.decode()
    response = _send(child, html, name="", age="40")
    assert response.status_code == 400
    html = response.content.decode()
    assert _step_of(html) == "child"
    assert "Write a first name." in html
    assert "What is the child&#x27;s first name?" in html


def test_the_time_trap_counts_from_the_first_page_and_only_at_send(
    child: Client, settings: Any
) -> None:
    settings.OCROTIRE_PUBLIC_MIN_SECONDS = 3600 * 2  # the walk takes less than two hours
    check = _walk(child)  # every quick answer is taken
    response = _send(child, check)
    assert response.status_code == 400
    html = response.content.decode()
    assert "That was very quick." in html
    assert _step_of(html) == "check"
    assert not Report.objects.exists()
    settings.OCROTIRE_PUBLIC_MIN_SECONDS = 0
    _report_of(_send(child, html).content.decode())  # the page came back with a fresh clock


def test_a_filled_hidden_field_files_nothing(child: Client) -> None:
    response = _send(child, _walk(child), website="http://spam.example")
    assert response.status_code == 400
    assert not Report.objects.exists()
