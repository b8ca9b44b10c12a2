"""Complaints from outside, through the API: filed without a token they return a tracking code,
land apart from the register with the answer deadline of the country's pack, are read by the
heads and supervisors of the unit's authority and by nobody else (never a specialist or a
service's staff), and are answered once; the code shows the replies and a plain status."""

from __future__ import annotations

import base64
import re
import time
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ocrotire.accounts.models import User
from ocrotire.core.models import AuditEvent
from ocrotire.intake.models import Complaint, Report
from ocrotire.intake.public_forms import started_token
from ocrotire.workflow.models import Notification

pytestmark = pytest.mark.django_db
URL = "/api/v1/public/reports/"


@pytest.fixture
def api(api: Any) -> Any:
    def client_for(user: User | None, address: str = "203.0.113.9") -> Any:
        client = api(user)
        client.credentials(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=address)
        return client

    return client_for


@pytest.fixture
def anyone(api: Any, personas: dict[str, User], casework: None) -> Any:
    return api(None)


@pytest.fixture
def supervisor(api: Any, personas: dict[str, User]) -> Any:
    return api(personas["supervisor"], "198.51.100.4")


def complaint(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "complaint",
        "reporter": "child",
        "unit": "MD-CU-BOT",
        "about": "service",
        "about_name": "Day centre Speranța",
        "narrative": "The educators shout at us and take our phones for a week.",
    }
    body.update(extra)
    return body


def _file(client: Any, **extra: Any) -> str:
    response = client.post(URL, complaint(**extra), format="json")
    assert response.status_code == 201, response.json()
    assert set(response.json()) == {"tracking_code", "status"}
    assert response.json()["status"] == "received"
    return str(response.json()["tracking_code"])


def test_a_complaint_gets_its_own_deadline_and_stays_out_of_the_register(
    anyone: Any, supervisor: Any, api: Any, personas: dict[str, User]
) -> None:
    _file(anyone)
    listed = supervisor.get("/api/v1/complaints/").json()["results"]
    assert len(listed) == 1
    row = listed[0]
    assert "-P-" in row["number"]
    assert row["unit"] == "MD-CU-BOT"
    assert row["about"] == "service"
    assert row["status"] == "received"
    assert row["overdue"] is False
    received, due = parse_datetime(row["received_at"]), parse_datetime(row["answer_due_at"])
    assert received is not None
    assert due is not None
    # Moldova's pack: 30 calendar days (the petitions' term, marked unverified).
    assert due - received == timedelta(days=30)
    assert "116/2018" in row["answer_basis"]
    assert row["answer_basis_verified"] is False
    # Not a report: the register and its triage never see it.
    assert not Report.objects.exists()
    specialist = api(personas["specialist"], "198.51.100.5")
    assert specialist.get("/api/v1/reports/").json()["results"] == []
    # The supervisor is told, with the due date.
    notice = Notification.objects.get(user=personas["supervisor"], kind="complaint_received")
    assert notice.data["subject"] == row["number"]


def test_only_heads_and_supervisors_of_the_area_read_complaints(
    anyone: Any, api: Any, personas: dict[str, User], make_user: Any
) -> None:
    _file(anyone)
    pk = Complaint.objects.get().pk
    provider = make_user("provider", ("provider",), ("MD-CU-BOT",))
    head_other = make_user("head_ua", ("head",), ("UA-74",))
    head = make_user("head", ("head",), ("MD-CU",))
    for user in (personas["specialist"], personas["reporter"], provider, personas["auditor"]):
        client = api(user, "198.51.100.6")
        assert client.get("/api/v1/complaints/").status_code == 403, user.username
        assert client.get(f"/api/v1/complaints/{pk}/").status_code == 404, user.username
    other = api(head_other, "198.51.100.7")
    assert other.get("/api/v1/complaints/").json()["results"] == []
    assert other.get(f"/api/v1/complaints/{pk}/").status_code == 404
    detail = api(head, "198.51.100.8").get(f"/api/v1/complaints/{pk}/")
    assert detail.status_code == 200
    assert detail.json()["about_name"] == "Day centre Speranța"
    assert "phones" in detail.json()["narrative"]


def test_replies_and_the_answer_reach_the_holder_of_the_code(
    anyone: Any, supervisor: Any, personas: dict[str, User]
) -> None:
    code = _file(anyone)
    seen = anyone.get(f"{URL}{code}/").json()
    assert seen == {"kind": "complaint", "status": "received", "replies": []}
    added = anyone.post(
        f"{URL}{code}/messages/", {"text": "It happened again today."}, format="json"
    )
    assert added.status_code == 201
    pk = Complaint.objects.get().pk
    detail = supervisor.get(f"/api/v1/complaints/{pk}/").json()
    assert [m["author_kind"] for m in detail["messages"]] == ["reporter"]
    replied = supervisor.post(
        f"/api/v1/complaints/{pk}/replies/",
        {"text": "We are visiting the centre on Monday."},
        format="json",
    )
    assert replied.status_code == 201, replied.json()
    seen = anyone.get(f"{URL}{code}/").json()
    assert seen["status"] == "being_looked_into"
    assert [r["text"] for r in seen["replies"]] == ["We are visiting the centre on Monday."]
    answered = supervisor.post(
        f"/api/v1/complaints/{pk}/replies/",
        {
            "text": "The centre's head was told to stop it; we check again in a month.",
            "answer": True,
        },
        format="json",
    )
    assert answered.status_code == 201, answered.json()
    assert answered.json()["status"] == "answered"
    assert answered.json()["answered_late"] is False
    seen = anyone.get(f"{URL}{code}/").json()
    assert seen["status"] == "closed"
    assert len(seen["replies"]) == 2
    # Nothing internal: no staff name, number or unit in what the code shows.
    shown = str(seen)
    for internal in ("supervisor", "-P-", "MD-CU"):
        assert internal not in shown
    twice = supervisor.post(
        f"/api/v1/complaints/{pk}/replies/", {"text": "Again.", "answer": True}, format="json"
    )
    assert twice.status_code == 400
    assert twice.json()["error"]["fields"]["answer"]
    rows = AuditEvent.objects.filter(object_type="intake.complaint", object_id=str(pk))
    assert rows.filter(actor__isnull=True, ip__isnull=True).count() == 1
    assert rows.filter(actor=personas["supervisor"], action="update").count() == 1


def test_an_unanswered_complaint_past_its_deadline_is_overdue(anyone: Any, supervisor: Any) -> None:
    _file(anyone)
    _file(anyone, about="professional", about_name="")
    late = Complaint.objects.order_by("id").first()
    assert late is not None
    Complaint.objects.filter(pk=late.pk).update(answer_due_at=timezone.now() - timedelta(hours=1))
    overdue = supervisor.get("/api/v1/complaints/", {"overdue": "true"}).json()["results"]
    assert [c["id"] for c in overdue] == [late.pk]
    everything = supervisor.get("/api/v1/complaints/").json()["results"]
    assert [c["overdue"] for c in everything] == [True, False]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"about": None}, "about"),
        ({"about": "weather"}, "about"),
        ({"narrative": ""}, "narrative"),
        ({"about_name": "x" * 400}, "about_name"),
        ({"reporter": "professional"}, "reporter"),
        ({"unit": "XX-NOWHERE"}, "unit"),
        ({"unit": None}, "country"),
    ],
)
def test_bad_complaints_get_400_with_field_messages(
    anyone: Any, change: dict[str, Any], field: str
) -> None:
    body = {k: v for k, v in complaint(**change).items() if v is not None}
    response = anyone.post(URL, body, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["error"]["fields"][field]
    assert not Complaint.objects.exists()


# --- the pages -------------------------------------------------------------------------------


def _page_code(html: str) -> str:
    found = re.search(r'id="tracking-code">([0-9A-Z-]+)<', html)
    assert found, html
    return found.group(1)


def test_a_complaint_made_on_the_page_is_answered_on_the_staff_page(
    api: Any, personas: dict[str, User], casework: None
) -> None:
    visitor = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="203.0.113.10")
    assert 'href="/public/complaint/"' in visitor.get("/public/").content.decode()
    form = {
        "reporter": "child",
        "about": "professional",
        "about_name": "",
        "narrative": "My social worker never calls back.",
        "place": "MD-CU-BOT",
        "started": started_token(time.time() - 60),
    }
    refused = visitor.post("/public/complaint/", {**form, "about": ""})
    assert refused.status_code == 400
    assert 'role="alert"' in refused.content.decode()
    assert not Complaint.objects.exists()
    sent = visitor.post("/public/complaint/", form)
    assert sent.status_code == 200
    assert "Your complaint was sent" in sent.content.decode()
    code = _page_code(sent.content.decode())
    staff = Client(HTTP_ACCEPT_LANGUAGE="en")
    staff.force_login(personas["specialist"])
    assert staff.get("/complaints/").status_code == 403
    assert 'href="/complaints/"' not in staff.get("/home/").content.decode()
    staff.force_login(personas["supervisor"])
    assert 'href="/complaints/"' in staff.get("/home/").content.decode()
    listed = staff.get("/complaints/").content.decode()
    complaint = Complaint.objects.get()
    assert complaint.number in listed
    page = staff.get(f"/complaints/{complaint.pk}/").content.decode()
    assert "My social worker never calls back." in page
    assert 'id="answer-due"' in page
    empty = staff.post(f"/complaints/{complaint.pk}/", {"text": "", "answer": "on"})
    assert empty.status_code == 400
    answered = staff.post(
        f"/complaints/{complaint.pk}/", {"text": "She will call you today.", "answer": "on"}
    )
    assert answered.status_code == 302
    status = visitor.post("/public/follow/", {"code": code}).content.decode()
    assert "Your complaint was answered" in status
    assert "She will call you today." in status


# --- files with messages ---------------------------------------------------------------------

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def test_a_complainant_sends_a_photo_and_only_its_readers_open_it(
    anyone: Any, supervisor: Any, api: Any, personas: dict[str, User], make_user: Any
) -> None:
    code = _file(anyone)
    photo = SimpleUploadedFile("../../etc/bruise\x07.png", PNG, content_type="image/png")
    sent = anyone.post(f"{URL}{code}/messages/", {"file": photo}, format="multipart")
    assert sent.status_code == 201, sent.json()
    fake = SimpleUploadedFile("note.png", b"MZ\x90\x00 not a picture", content_type="image/png")
    refused = anyone.post(
        f"{URL}{code}/messages/", {"text": "and this", "file": fake}, format="multipart"
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"]["file"]
    program = SimpleUploadedFile("run.exe", b"MZ\x90\x00", content_type="application/x-msdownload")
    refused = anyone.post(f"{URL}{code}/messages/", {"file": program}, format="multipart")
    assert refused.status_code == 400
    complaint = Complaint.objects.get()
    detail = supervisor.get(f"/api/v1/complaints/{complaint.pk}/").json()
    [message] = detail["messages"]
    assert message["file"]["name"] == "bruise.png"
    assert message["file"]["content_type"] == "image/png"
    assert message["file"]["size"] == len(PNG)
    staff = Client()
    staff.force_login(personas["supervisor"])
    page = staff.get(f"/complaints/{complaint.pk}/").content.decode()
    link = f"/complaints/{complaint.pk}/messages/{message['id']}/file/"
    assert link in page
    download = staff.get(link)
    assert download.status_code == 200
    assert download.getvalue() == PNG
    # Nobody else learns the complaint exists: a specialist or another area's head get 404.
    staff.force_login(personas["specialist"])
    assert staff.get(link).status_code == 404
    staff.force_login(make_user("head_ua", ("head",), ("UA-74",)))
    assert staff.get(link).status_code == 404
