"""The timeline events of placements and the sentence each shows."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _

from ocrotire.care.models import PlacementEnd, PlacementForm
from ocrotire.workflow import events
from ocrotire.workflow.events import EventContext, EventKind, Milestone, choice_label


class CareEvent(StrEnum):
    PLACEMENT_STARTED = "placement_started"
    PLACEMENT_ENDED = "placement_ended"


class CareMilestone(StrEnum):
    """The periodic review of a placement: no step records it yet, its tasks turn overdue."""

    PLACEMENT_REVIEWED = "placement_reviewed"
    # An emergency placement ended (or, where a step records it, became a planned one): the
    # alarm of its legal cap stops.
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


def register_events() -> None:
    events.register(
        EventKind(CareEvent.PLACEMENT_STARTED, _placement_started),
        EventKind(CareEvent.PLACEMENT_ENDED, _placement_ended),
    )
    events.register_milestones(
        Milestone(CareMilestone.PLACEMENT_REVIEWED),
        Milestone(CareMilestone.EMERGENCY_PLACEMENT_CLOSED, (CareEvent.PLACEMENT_ENDED,)),
    )
