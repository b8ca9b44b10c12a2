"""The timeline events of reports and the sentence each shows."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _

from ocrotire.intake.models import Agency, Channel
from ocrotire.workflow.events import (
    EventContext,
    EventKind,
    Recorder,
    choice_label,
    register,
    register_recorders,
)
from ocrotire.workflow.notices import NoticeKind
from ocrotire.workflow.notices import register as register_notice_kinds


class IntakeEvent(StrEnum):
    REPORT_RECEIVED = "report_received"
    FORM_RECEIVED = "form_received"
    AGENCY_NOTIFIED = "agency_notified"
    ATTACHMENT_ADDED = "attachment_added"


def _report_received(d: Mapping[str, Any], context: EventContext) -> str:
    return _("Report %(number)s received (%(channel)s).") % {
        "number": d.get("number", ""),
        "channel": choice_label(Channel, d.get("channel", "")),
    }


def _form_received(d: Mapping[str, Any], context: EventContext) -> str:
    return _("The written notification form was received.")


def _agency_notified(d: Mapping[str, Any], context: EventContext) -> str:
    return _("Notified: %(agency)s.") % {"agency": choice_label(Agency, d.get("agency", ""))}


def _attachment_added(d: Mapping[str, Any], context: EventContext) -> str:
    return _("File attached: %(name)s.") % {"name": d.get("name", "")}


class IntakeNotice(StrEnum):
    # What the heads and supervisors of a unit are told of a new complaint (intake.public).
    COMPLAINT_RECEIVED = "complaint_received"


def _complaint_received(d: Mapping[str, Any]) -> str:
    return _("New complaint %(subject)s: answer it by %(due)s.") % {
        "subject": d.get("subject", ""),
        "due": d.get("due", ""),
    }


def register_events() -> None:
    register_notice_kinds(NoticeKind(IntakeNotice.COMPLAINT_RECEIVED, _complaint_received))
    register(
        EventKind(IntakeEvent.REPORT_RECEIVED, _report_received),
        EventKind(IntakeEvent.FORM_RECEIVED, _form_received),
        EventKind(IntakeEvent.AGENCY_NOTIFIED, _agency_notified),
        EventKind(IntakeEvent.ATTACHMENT_ADDED, _attachment_added),
    )
    register_recorders(
        # Every filing, by staff (`report_create`) or on the public channel
        # (`public.public_report_file`), is written by this one step.
        Recorder(
            "ocrotire.intake.services._report_insert",
            (IntakeEvent.REPORT_RECEIVED, IntakeEvent.FORM_RECEIVED),
        ),
        Recorder("ocrotire.intake.services.report_form_receive", (IntakeEvent.FORM_RECEIVED,)),
    )
