"""The public pages from outside, with no account: each page answers in each language; a concern
sent through the form lands in the register and shows its code once; the code shows the status
and the staff's reply; a wrong code is "Not found."; past the limit a readable 429; bad input
comes back with messages beside the fields and nothing lost."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ocrotire.accounts.models import User
from ocrotire.geo.services import UnitSpec, unit_upsert
from ocrotire.intake import public
from ocrotire.intake.models import Channel, PublicMessage, Report, ReporterKind
from ocrotire.intake.public_forms import started_token

pytestmark = pytest.mark.django_db
PAGES = [
    "/public/",
    "/public/report/",
    "/public/child/",
    "/public/complaint/",
    "/public/follow/",
    "/public/privacy/",
    "/public/away/",
]


@pytest.fixture
def anyone(personas: dict[str, User], casework: None) -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="203.0.113.9")


def concern(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        # The page was shown a minute ago (the time trap refuses a form sent at once).
        "started": started_token(time.time() - 60),
        "reporter": "child",
        "narrative": "My stepfather hits me when he drinks.",
        "place": "MD-CU-BOT",
        "child_0_name": "Ana",
        "child_0_age": "12",
    }
    body.update(extra)
    return body


def _code_of(html: str) -> str:
    found = re.search(r'id="tracking-code">([0-9A-Z-]+)<', html)
    assert found, html
    return found.group(1)


def _report_of(code: str) -> Report:
    digest = public.code_digest(public.code_normalise(code) or "")
    return Report.objects.get(public_access__code_digest=digest)


@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES])
def test_every_public_page_answers_in_every_language(
    personas: dict[str, User], casework: None, language: str
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        if url != "/public/away/":
            html = response.content.decode()
            assert f'lang="{language}"' in html
            assert 'href="tel:112"' in html
            assert 'href="tel:116111"' in html
            assert 'href="/public/away/"' in html
            # nothing from another site: no CDN, font, analytics or captcha
            assert not re.search(r'(src|href)="(https?:)?//', html), url


def test_the_sign_in_page_leads_to_the_public_pages(db: None) -> None:
    html = Client(HTTP_ACCEPT_LANGUAGE="en").get("/accounts/login/").content.decode()
    assert 'href="/public/report/"' in html
    assert 'href="/public/complaint/"' in html
    assert 'href="tel:116111"' in html


def test_a_concern_sent_by_the_form_lands_in_the_register_and_shows_its_code(
    anyone: Client,
) -> None:
    response = anyone.post("/public/report/", concern(immediate_danger="on"))
    assert response.status_code == 200
    html = response.content.decode()
    code = _code_of(html)
    assert "It will not be shown again and it is not sent anywhere." in html
    assert "call 112" in html  # what to do now, for a child in danger
    assert "no-store" in response["Cache-Control"]
    report = _report_of(code)
    assert report.channel == Channel.ONLINE
    assert report.reporter_kind == ReporterKind.CHILD
    assert report.unit.code == "MD-CU-BOT"
    assert report.immediate_danger
    assert [c.given_name for c in report.children.all()] == ["Ana"]


def test_i_dont_know_the_place_goes_to_the_directorate(anyone: Client) -> None:
    form = anyone.get("/public/report/").content.decode()
    assert 'value="unknown:MD"' in form
    response = anyone.post("/public/report/", concern(place="unknown:MD", reporter="anonymous"))
    report = _report_of(_code_of(response.content.decode()))
    assert report.unit.code == "MD-CU"
    assert report.reporter_anonymous


def test_bad_input_comes_back_with_messages_beside_the_fields(anyone: Client) -> None:
    response = anyone.post(
        "/public/report/", concern(reporter="", child_0_name="", child_1_age="99")
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"reporter", "child_0_name", "child_1_age"}
    html = response.content.decode()
    assert "My stepfather hits me when he drinks." in html  # nothing lost
    assert not Report.objects.exists()


def test_the_code_shows_the_status_and_the_reply_and_takes_more_information(
    anyone: Client, personas: dict[str, User]
) -> None:
    code = _code_of(anyone.post("/public/report/", concern()).content.decode())
    report = _report_of(code)
    public.public_reply_add(
        actor=personas["specialist"], report=report, text="Thank you, we will visit today."
    )
    response = anyone.post("/public/follow/", {"code": code.lower()})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-status="received"' in html
    assert "Thank you, we will visit today." in html
    assert personas["specialist"].username not in html
    assert report.number not in html

    added = anyone.post("/public/follow/add/", {"code": code, "text": "He came back tonight."})
    assert added.status_code == 200
    assert "Your information was added" in added.content.decode()
    texts = [m.text for m in PublicMessage.objects.filter(report=report)]
    assert "He came back tonight." in texts

    empty = anyone.post("/public/follow/add/", {"code": code, "text": "  "})
    assert empty.status_code == 400
    assert "text" in empty.context["form"].errors


def test_a_wrong_code_is_not_found_and_then_too_many(anyone: Client, settings: Any) -> None:
    settings.OCROTIRE_PUBLIC_CODE_FAILURES = 2
    for code in ("0000-0000-0000-0000-0000", "not a code"):
        response = anyone.post("/public/follow/", {"code": code})
        assert response.status_code == 404
        assert "Not found." in response.content.decode()
    response = anyone.post("/public/follow/", {"code": "0000-0000-0000-0000-0001"})
    assert response.status_code == 429
    assert response["Retry-After"]
    assert "Too many wrong tracking codes" in response.content.decode()


def test_an_empty_code_is_asked_again(anyone: Client) -> None:
    response = anyone.post("/public/follow/", {"code": ""})
    assert response.status_code == 400
    assert "code" in response.context["form"].errors


def test_with_several_countries_the_place_is_chosen_within_its_country(anyone: Client) -> None:
    html = anyone.get("/public/report/").content.decode()
    assert '<option value="" selected>Choose the place</option>' in html
    assert '<optgroup label="Republica Moldova">' in html
    response = anyone.post("/public/report/", concern(place=""))
    assert response.status_code == 400
    assert "place" in response.context["form"].errors


def test_the_numbers_to_call_come_from_each_country_pack(anyone: Client) -> None:
    """Moldova and Ukraine share 112 and 116 111: one pair, no country named. With Kyrgyzstan
    served too, its child helpline (111 in its pack) is shown beside the others, each named."""
    html = anyone.get("/public/").content.decode()
    assert html.count('href="tel:112"') == 1
    assert html.count('href="tel:116111"') == 1
    assert "(Republica Moldova" not in html
    unit_upsert(actor=None, spec=UnitSpec("KG", "country", "Kyrgyzstan", iso_code="KG"))
    html = anyone.get("/public/").content.decode()
    assert html.count('href="tel:112"') == 1
    assert 'href="tel:111"' in html
    assert "(Kyrgyzstan)" in html
    assert re.search(
        r'href="tel:116111">((?!</a>).)*\(Republica Moldova, Україна\)</a>', html, re.S
    )
    # The login page shows the same numbers.
    assert 'href="tel:111"' in anyone.get("/accounts/login/").content.decode()


def test_the_time_trap_sends_a_form_back_to_be_checked_with_nothing_lost(
    anyone: Client,
) -> None:
    """A form sent at once, without the time the page was shown, with a forged or day-old time,
    or with the field no person sees filled in, comes back with a sentence and the text kept."""
    narrative = "My stepfather hits me when he drinks."
    cases = [
        ({"started": started_token()}, "very quick"),
        ({"started": ""}, "not complete"),
        ({"started": "12345:forged"}, "not complete"),
        ({"started": started_token(time.time() - 2 * 24 * 3600)}, "long time"),
        ({"website": "http://spam.example"}, "could not be sent"),
    ]
    for change, sentence in cases:
        response = anyone.post("/public/report/", concern(**change))
        assert response.status_code == 400, change
        html = response.content.decode()
        assert sentence in html, change
        assert narrative in html
        # The page comes back with a new time, so that checking and sending again works.
        fresh = re.search(r'name="started" value="([^"]+)"', html)
        assert fresh
    assert not Report.objects.exists()
    assert anyone.post("/public/report/", concern()).status_code == 200
    assert Report.objects.count() == 1


def test_the_reporter_adds_a_document_on_the_status_page_and_the_specialist_opens_it(
    anyone: Client, personas: dict[str, User], mfa_off: None
) -> None:
    code = _code_of(anyone.post("/public/report/", concern()).content.decode())
    pdf = SimpleUploadedFile(
        "school letter.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n", "application/pdf"
    )
    added = anyone.post("/public/follow/add/", {"code": code, "text": "", "file": pdf})
    assert added.status_code == 200
    assert "Your information was added" in added.content.decode()
    empty = anyone.post("/public/follow/add/", {"code": code, "text": ""})
    assert empty.status_code == 400
    assert "Write your message." in empty.content.decode()
    report = _report_of(code)
    staff = Client(HTTP_ACCEPT_LANGUAGE="en")
    staff.force_login(personas["specialist"])
    page = staff.get(f"/reports/{report.pk}/").content.decode()
    message = PublicMessage.objects.get(report=report)
    link = f"/reports/{report.pk}/public-messages/{message.pk}/file/"
    assert link in page
    assert "school letter.pdf" in page
    download = staff.get(link)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    staff.force_login(personas["specialist2"])
    assert staff.get(link).status_code == 404
