"""Demo complaints in Chișinău: a child's complaint about a placement centre past its answer
deadline, a parent's complaint about a school being looked into, and one already answered."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from ocrotire.accounts.models import User
from ocrotire.intake.complaints import complaint_reply_add
from ocrotire.intake.models import Complaint
from ocrotire.intake.public import PublicComplaintInput, complaint_receive


def complaints_demo_load(users: dict[str, User]) -> dict[str, int]:
    """Runs once: an installation that holds any complaint receives no invented one."""
    if Complaint.objects.exists():
        return {"complaints_created": 0}
    now = timezone.now()
    complaint_receive(
        data=PublicComplaintInput(
            complainant_kind="child",
            about="service",
            about_name="Centrul de plasament temporar „Speranța”",
            narrative="Educatorii ne strigă și ne iau telefoanele pentru o săptămână. "
            "Nu avem voie să sunăm acasă.",
            unit_code="MD-CU-BOT",
        ),
        received_at=now - timedelta(days=40),
    )
    looked_into = complaint_receive(
        data=PublicComplaintInput(
            complainant_kind="citizen",
            about="institution",
            about_name="Gimnaziul nr. 7",
            narrative="Fiica mea este umilită de colegi și dirigintele nu face nimic.",
            unit_code="MD-CU-CEN",
        ),
        received_at=now - timedelta(days=10),
    ).complaint
    complaint_reply_add(
        actor=users["supervisor"],
        complaint=looked_into,
        text="Am primit plângerea. Vom discuta cu direcțiunea gimnaziului săptămâna aceasta.",
    )
    answered = complaint_receive(
        data=PublicComplaintInput(
            complainant_kind="anonymous",
            about="professional",
            narrative="Asistentul social nu a venit la familie deși a promis de trei ori.",
            unit_code="MD-CU-BOT",
        ),
        received_at=now - timedelta(days=12),
    ).complaint
    complaint_reply_add(
        actor=users["supervisor"],
        complaint=answered,
        text="Vizita a fost făcută ieri. Asistentul social va reveni lunar.",
        answer=True,
    )
    return {"complaints_created": Complaint.objects.count()}
