"""No internal code reaches a screen: every page where a case, its tasks or its report show, read
as each demo user in their language, holds no deadline rule's code, no stage's stored value, no
event kind and no code of the service catalogue in its visible text (this caught the case page's
`initial_assessment_high v1`)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from ocrotire.accounts.models import User
from ocrotire.cases.casefile import case_file_html
from ocrotire.cases.models import Case, Stage
from ocrotire.cases.permissions import can_list_cases
from ocrotire.cases.selectors import case_scope
from ocrotire.demo.loader import DEMO_USERS
from ocrotire.intake.selectors import report_scope
from ocrotire.workflow.events import kinds, milestones
from ocrotire.workflow.models import DeadlineRule, TimelineEvent

# The demo as the test process keeps it (loaded once, put back before each test that asks).
pytestmark = pytest.mark.django_db(transaction=True)

# What a reader perceives beside the text: names given to controls and images.
SPOKEN = ("aria-label", "title", "alt", "placeholder")


class VisibleText(HTMLParser):
    """The text of a page a reader sees or hears: element text and spoken attributes, without
    scripts, styles, attributes that only code reads, or hidden inputs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._skip += 1
        values = dict(attrs)
        self.parts.extend(v for name in SPOKEN if (v := values.get(name)))
        if tag == "input" and values.get("type") in ("submit", "button"):
            self.parts.append(values.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def known_codes() -> set[str]:
    services = apps.get_model("providers", "ServiceType")
    return (
        set(DeadlineRule.objects.values_list("code", flat=True))
        | set(Stage.values)
        | set(kinds())
        | set(milestones())
        | set(services.objects.values_list("code", flat=True))
    )


def code_pattern(codes: set[str], language: str) -> re.Pattern[str]:
    """Codes written as a word of their own. In English a one-word code ("triage", "closed") is
    also an ordinary word, so only codes with an underscore count there."""
    counted = sorted((c for c in codes if language != "en" or "_" in c), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, counted)) + r")(?![\w-])")


def codes_in(text: str, pattern: re.Pattern[str]) -> list[str]:
    return sorted(set(pattern.findall(text)))


def case_sample(user: User) -> list[int]:
    """Cases of the user's area that together show every stage of every country and every kind
    of timeline event the area holds: each shape of the case page, not each of its rows (reading
    every case as every user took most of a minute)."""
    rows = list(case_scope(user).order_by("pk").values_list("pk", "stage", "unit__country"))
    kinds: dict[int, set[str]] = {pk: set() for pk, _stage, _country in rows}
    for pk, kind in TimelineEvent.objects.filter(case_id__in=kinds).values_list("case_id", "kind"):
        kinds[pk].add(kind)
    shapes: set[tuple[str, str]] = set()
    shown: set[str] = set()
    sample = []
    for pk, stage, country in rows:
        if (stage, country) not in shapes or kinds[pk] - shown:
            sample.append(pk)
            shapes.add((stage, country))
            shown |= kinds[pk]
    return sample


def pages_of(user: User) -> list[str]:
    """The pages of cases, tasks and reports this user may open."""
    pages = ["/home/", "/cases/notifications/"]
    if can_list_cases(user):
        pages += ["/cases/", "/cases/my-work/", "/cases/board/", "/cases/?open=1"]
        pages += [f"/cases/{pk}/" for pk in case_sample(user)]
    pages += [f"/reports/{pk}/" for pk in report_scope(user).values_list("pk", flat=True)[:15]]
    pages += ["/reports/", "/reports/mine/"]
    return pages


def test_no_code_on_any_page_of_cases_tasks_and_reports(settings: Any, demo: None) -> None:
    settings.OCROTIRE_MFA_ENFORCED = False
    codes = known_codes()
    assert "initial_assessment_high" in codes
    readers: list[tuple[User, str]] = []
    for spec in DEMO_USERS:
        user = User.objects.get(username=spec.username)
        readers.append((user, user.language))
    # The Moldovan specialist in every language as well.
    specialist = User.objects.get(username="specialist")
    readers += [(specialist, language) for language in ("uk", "ru", "en")]
    leaks: list[tuple[str, str, str, list[str]]] = []
    cases_seen = 0
    for user, language in readers:
        User.objects.filter(pk=user.pk).update(language=language)
        user.language = language
        pattern = code_pattern(codes, language)
        client = Client()
        client.force_login(user)
        for page in pages_of(user):
            response: Any = client.get(page)
            if response.status_code in (403, 404):
                continue
            assert response.status_code == 200, (user.username, page, response.status_code)
            found = codes_in(visible_text(response.content.decode()), pattern)
            if found:
                leaks.append((user.username, language, page, found))
            cases_seen += page.startswith("/cases/") and page[7:-1].isdigit()
        for case in Case.objects.filter(pk__in=case_scope(user).values("pk"))[:12]:
            found = codes_in(visible_text(case_file_html(actor=user, case=case)), pattern)
            if found:
                leaks.append((user.username, language, f"case file {case.number}", found))
    assert cases_seen > 20
    assert leaks == []
