"""The public reporting channel from outside, through the API: a concern filed without a token
returns a tracking code and lands in the register of its unit with its triage task; the code shows
a plain status and the staff's replies, nothing internal; wrong codes are 404 then 429; filings
past the limits are 429; bad bodies are 400 with field messages."""

from __future__ import annotations

from typing import Any

import pytest

from ocrotire.accounts.models import User
from ocrotire.core.models import AuditEvent
from ocrotire.intake.models import Channel, PublicAccess, PublicMessage, Report

pytestmark = pytest.mark.django_db
URL = "/api/v1/public/reports/"


@pytest.fixture
def api(api: Any) -> Any:
    """API clients that read English answers (the assertions read English sentences)."""

    def client_for(user: User | None, address: str = "203.0.113.7") -> Any:
        client = api(user)
        client.credentials(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=address)
        return client

    return client_for


@pytest.fixture
def anyone(api: Any, personas: dict[str, User], casework: None) -> Any:
    return api(None)


@pytest.fixture
def specialist(api: Any, personas: dict[str, User]) -> Any:
    return api(personas["specialist"], "198.51.100.1")


def concern(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "concern",
        "reporter": "child",
        "unit": "MD-CU-BOT",
        "narrative": "My stepfather hits me when he drinks.",
        "children": [{"given_name": "Ana", "age": 12}],
    }
    body.update(extra)
    return body


def _file(client: Any, **extra: Any) -> dict[str, Any]:
    response = client.post(URL, concern(**extra), format="json")
    assert response.status_code == 201, response.json()
    return dict(response.json())


def _report_of(code: str) -> Report:
    from ocrotire.intake.public import code_digest, code_normalise

    return Report.objects.get(public_access__code_digest=code_digest(code_normalise(code) or ""))


def test_a_concern_without_a_token_returns_a_code(anyone: Any) -> None:
    body = _file(anyone)
    assert set(body) == {"tracking_code", "status"}
    assert body["status"] == "received"
    code = body["tracking_code"]
    groups = code.split("-")
    assert len(groups) == 5
    assert all(len(g) == 4 for g in groups)
    # Only a keyed digest is kept: the code itself is nowhere in the database.
    assert not PublicAccess.objects.filter(code_digest__icontains=code.replace("-", "")).exists()


def test_immediate_danger_says_what_to_do_now(anyone: Any) -> None:
    body = _file(anyone, immediate_danger=True)
    assert "112" in body["what_to_do_now"]
    assert "116 111" in body["what_to_do_now"]


def test_the_concern_is_in_the_register_of_its_unit_with_its_triage_task(
    anyone: Any, specialist: Any, api: Any, personas: dict[str, User]
) -> None:
    _file(anyone)
    listed = specialist.get("/api/v1/reports/", {"channel": "online"}).json()["results"]
    assert len(listed) == 1
    detail = specialist.get(f"/api/v1/reports/{listed[0]['id']}/").json()
    assert detail["channel"] == Channel.ONLINE
    assert detail["reporter"]["kind"] == "child"
    assert detail["unit"] == "MD-CU-BOT"
    assert detail["registering_institution"] == "DGPDC-BOT"
    triage = [t for t in detail["tasks"] if t["kind"] == "triage"]
    assert len(triage) == 1
    assert triage[0]["status"] == "open"
    assert triage[0]["due_at"]
    assert [e["kind"] for e in detail["timeline"]] == ["report_received"]
    # Another sector's specialist does not see it.
    other = api(personas["specialist2"], "198.51.100.2")
    assert other.get("/api/v1/reports/", {"channel": "online"}).json()["results"] == []


def test_no_address_is_kept_and_nobody_acts(anyone: Any) -> None:
    report = _report_of(_file(anyone)["tracking_code"])
    rows = AuditEvent.objects.filter(object_type="intake.report", object_id=str(report.pk))
    assert rows.count() == 1
    row = rows.get()
    assert row.actor_id is None
    assert row.ip is None
    assert row.changes["via"] == "public_channel"
    assert report.created_by_id is None


def test_without_a_place_it_goes_to_the_directorate_of_the_country(
    anyone: Any, api: Any, personas: dict[str, User]
) -> None:
    report = _report_of(_file(anyone, unit=None, country="MD")["tracking_code"])
    assert report.unit.code == "MD-CU"
    supervisor = api(personas["supervisor"], "198.51.100.3")
    assert len(supervisor.get("/api/v1/reports/", {"channel": "online"}).json()["results"]) == 1


def test_the_status_shows_nothing_internal_and_the_reply_is_visible(
    anyone: Any, specialist: Any
) -> None:
    code = _file(anyone)["tracking_code"]
    seen = anyone.get(f"{URL}{code}/")
    assert seen.status_code == 200
    assert seen.json() == {"kind": "concern", "status": "received", "replies": []}
    assert "no-store" in seen["Cache-Control"]
    report = _report_of(code)
    replied = specialist.post(
        f"/api/v1/reports/{report.pk}/public-messages/",
        {"text": "Thank you. We will visit this week."},
        format="json",
    )
    assert replied.status_code == 201, replied.json()
    body = anyone.get(f"{URL}{code.lower()}/").json()
    assert set(body) == {"kind", "status", "replies"}
    assert [set(r) for r in body["replies"]] == [{"text", "at"}]
    assert body["replies"][0]["text"] == "Thank you. We will visit this week."
    assert "specialist" not in str(body)
    assert report.number not in str(body)
    audited = AuditEvent.objects.filter(object_type="intake.publicmessage", actor__isnull=False)
    assert audited.count() == 1


def test_the_reporter_adds_information_and_the_staff_read_it(
    anyone: Any, specialist: Any, api: Any, personas: dict[str, User]
) -> None:
    code = _file(anyone)["tracking_code"]
    added = anyone.post(f"{URL}{code}/messages/", {"text": "It happened again."}, format="json")
    assert added.status_code == 201, added.json()
    report = _report_of(code)
    read = specialist.get(f"/api/v1/reports/{report.pk}/public-messages/").json()
    assert [(m["author_kind"], m["text"]) for m in read] == [("reporter", "It happened again.")]
    # Staff who may not see the report neither read nor reply.
    other = api(personas["specialist2"], "198.51.100.2")
    assert other.get(f"/api/v1/reports/{report.pk}/public-messages/").status_code == 404
    refused = other.post(
        f"/api/v1/reports/{report.pk}/public-messages/", {"text": "Hello"}, format="json"
    )
    assert refused.status_code == 404
    assert PublicMessage.objects.count() == 1


def test_wrong_codes_are_404_then_429(anyone: Any, api: Any, settings: Any) -> None:
    settings.OCROTIRE_PUBLIC_CODE_FAILURES = 3
    code = _file(anyone)["tracking_code"]
    wrong = "0000-0000-0000-0000-0000"
    answers = [anyone.get(f"{URL}{wrong}/") for _ in range(3)]
    assert [a.status_code for a in answers] == [404, 404, 404]
    # A code of the wrong shape is the same 404 as a code nobody holds.
    assert answers[0].json() == api(None, "192.0.2.9").get(f"{URL}nonsense/").json()
    locked = anyone.get(f"{URL}{code}/")
    assert locked.status_code == 429
    assert "Try again later" in locked.json()["error"]["message"]
    assert locked["Retry-After"]
    # Another address holding the right code is not locked out.
    assert api(None, "192.0.2.10").get(f"{URL}{code}/").status_code == 200


def test_filings_over_the_limits_are_429(anyone: Any, api: Any, settings: Any) -> None:
    settings.OCROTIRE_PUBLIC_FILINGS_PER_ADDRESS = 2
    settings.OCROTIRE_PUBLIC_FILINGS_TOTAL = 3
    _file(anyone)
    _file(anyone)
    refused = anyone.post(URL, concern(), format="json")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "too_many_requests"
    _file(api(None, "192.0.2.20"))
    overall = api(None, "192.0.2.21").post(URL, concern(), format="json")
    assert overall.status_code == 429
    assert Report.objects.filter(channel=Channel.ONLINE).count() == 3


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "complaint"}, "about"),
        ({"kind": "other"}, "kind"),
        ({"reporter": "professional"}, "reporter"),
        ({"narrative": ""}, "narrative"),
        ({"narrative": "x" * 9000}, "narrative"),
        ({"children": []}, "children"),
        ({"children": [{"age": 30}]}, "children"),
        ({"children": [{"age": 5}]}, "children"),
        ({"unit": "XX-NOWHERE"}, "unit"),
        ({"unit": None}, "country"),
        ({"unit": None, "country": "ZZ"}, "country"),
        ({"concerns": ["no_such_concern"]}, "concerns"),
    ],
)
def test_bad_bodies_get_400_with_field_messages(
    anyone: Any, change: dict[str, Any], field: str
) -> None:
    response = anyone.post(URL, concern(**change), format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["error"]["fields"][field]
    assert not Report.objects.exists()


def test_bad_messages_get_400(anyone: Any) -> None:
    code = _file(anyone)["tracking_code"]
    for text in ("", "   ", "x" * 5000):
        response = anyone.post(f"{URL}{code}/messages/", {"text": text}, format="json")
        assert response.status_code == 400
        assert response.json()["error"]["fields"]["text"]


def test_the_specialist_replies_from_the_report_page(
    anyone: Any, client: Any, personas: dict[str, User]
) -> None:
    code = _file(anyone)["tracking_code"]
    anyone.post(f"{URL}{code}/messages/", {"text": "He came back tonight."}, format="json")
    report = _report_of(code)
    client.force_login(personas["specialist"])
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert 'id="public-messages"' in page
    assert "He came back tonight." in page
    sent = client.post(f"/reports/{report.pk}/public-reply/", {"text": "We are on our way."})
    assert sent.status_code == 302
    replies = anyone.get(f"{URL}{code}/").json()["replies"]
    assert [r["text"] for r in replies] == ["We are on our way."]
    # A specialist of another area cannot reply: the report is not theirs to see.
    client.force_login(personas["specialist2"])
    assert client.post(f"/reports/{report.pk}/public-reply/", {"text": "x"}).status_code == 404


def test_no_tracking_code_reaches_the_logs(
    anyone: Any, api: Any, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from ocrotire.core.logscrub import PublicCodeFilter

    settings.OCROTIRE_PUBLIC_CODE_FAILURES = 1
    code = _file(anyone)["tracking_code"]
    anyone.get(f"{URL}0000-0000-0000-0000-0000/")
    caplog.handler.addFilter(PublicCodeFilter())
    with caplog.at_level("WARNING", logger="django.request"):
        assert anyone.get(f"{URL}{code}/").status_code == 429
    assert caplog.records
    assert code not in caplog.text
    assert "/api/v1/public/reports/…/" in caplog.text


def test_counts_whose_window_is_over_are_deleted(anyone: Any) -> None:
    """No digest of an address outlives its window (what the privacy notice promises)."""
    from datetime import timedelta

    from django.utils import timezone

    from ocrotire.intake.models import PublicLimit

    PublicLimit.objects.create(
        key="filings:0123456789abcdef",
        count=2,
        window_started_at=timezone.now() - timedelta(hours=2),
    )
    _file(anyone)
    assert not PublicLimit.objects.filter(key="filings:0123456789abcdef").exists()
    assert PublicLimit.objects.filter(key="filings:all").exists()
