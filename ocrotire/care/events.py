"""The timeline events of placements and the sentence each shows."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _

from ocrotire.care.models import DecisionBy, PlacementEnd, PlacementForm, ReviewOutcome
from ocrotire.workflow import events
from ocrotire.workflow.events import EventContext, EventKind, Milestone, Recorder, choice_label


class CareEvent(StrEnum):
    PLACEMENT_STARTED = "placement_started"
    PLACEMENT_ENDED = "placement_ended"
    # The periodic review of a placement (meets its review task, schedules the next).
    PLACEMENT_REVIEWED = "placement_reviewed"
    # The gatekeeping commission's or a court's decision, given after the placement started.
    PLACEMENT_DECIDED = "placement_decided"


class CareMilestone(StrEnum):
    # An emergency placement ended or became a planned one (a decision given later): the alarm
    # of its legal cap stops.
    EMERGENCY_PLACEMENT_CLOSED = "emergency_placement_closed"


def _placement_started(d: Mapping[str, Any], context: EventContext) -> str:
    if d.get("emergency"):
        return _("Emergency placement: %(form)s.") % {
            "form": choice_label(PlacementForm, d.get("form", ""))
        }
    return _("Placement: %(form)s.") % {"form": choice_label(PlacementForm, d.get("form", ""))}


def _placement_ended(d: Mapping[str, Any], context: EventContext) -> str:
    return _("Placement ended (%(form)s): %(reason)s.") % {
        "form": choice_label(PlacementForm, d.get("form", "")),
        "reason": choice_label(PlacementEnd, d.get("end_reason", "")),
    }


def _placement_reviewed(d: Mapping[str, Any], context: EventContext) -> str:
    return _("Placement reviewed (%(form)s): %(outcome)s.") % {
        "form": choice_label(PlacementForm, d.get("form", "")),
        "outcome": choice_label(ReviewOutcome, d.get("outcome", "")),
    }


def _placement_decided(d: Mapping[str, Any], context: EventContext) -> str:
    by = d.get("decision_by", "")
    if by == DecisionBy.COURT:
        text = _("Court decision on the placement (%(form)s): %(reference)s.")
    else:
        text = _(
            "Decision of the gatekeeping commission on the placement (%(form)s): %(reference)s."
        )
    text = text % {
        "form": choice_label(PlacementForm, d.get("form", "")),
        "reference": d.get("reference", ""),
    }
    if d.get("was_emergency"):
        text += " " + _("The emergency placement is now a planned placement.")
    return text


def register_events() -> None:
    events.register(
        EventKind(CareEvent.PLACEMENT_STARTED, _placement_started),
        EventKind(CareEvent.PLACEMENT_ENDED, _placement_ended),
        EventKind(CareEvent.PLACEMENT_REVIEWED, _placement_reviewed),
        EventKind(CareEvent.PLACEMENT_DECIDED, _placement_decided),
    )
    events.register_recorders(
        Recorder("ocrotire.care.services.placement_start", (CareEvent.PLACEMENT_STARTED,)),
        Recorder("ocrotire.care.services.placement_end", (CareEvent.PLACEMENT_ENDED,)),
        Recorder("ocrotire.care.services.placement_review_record", (CareEvent.PLACEMENT_REVIEWED,)),
        Recorder("ocrotire.care.services.placement_decide", (CareEvent.PLACEMENT_DECIDED,)),
    )
    events.register_milestones(
        Milestone(
            CareMilestone.EMERGENCY_PLACEMENT_CLOSED,
            (CareEvent.PLACEMENT_ENDED, CareEvent.PLACEMENT_DECIDED),
        ),
    )
