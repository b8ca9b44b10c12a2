"""The timeline events of a provider's answers to a referral and the sentence each shows."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _

from ocrotire.workflow import events
from ocrotire.workflow.events import EventContext, EventKind, Milestone, Recorder


class ProviderEvent(StrEnum):
    REFERRAL_ACCEPTED = "referral_accepted"
    REFERRAL_DECLINED = "referral_declined"
    REFERRAL_ENROLLED = "referral_enrolled"
    REFERRAL_COMPLETED = "referral_completed"
    REFERRAL_DROPPED = "referral_dropped"


class ProviderMilestone(StrEnum):
    """Met by the provider's first answer, which names the referral's own task."""

    REFERRAL_ANSWERED = "referral_answered"


def _referral_accepted(d: Mapping[str, Any], context: EventContext) -> str:
    return _("%(point)s accepted the referral; the child is on its waiting list.") % {
        "point": d.get("point", "")
    }


def _referral_declined(d: Mapping[str, Any], context: EventContext) -> str:
    return _("%(point)s declined the referral: %(reason)s") % {
        "point": d.get("point", ""),
        "reason": d.get("reason", ""),
    }


def _referral_enrolled(d: Mapping[str, Any], context: EventContext) -> str:
    if d.get("over_capacity"):
        return _("The child was enrolled at %(point)s over its capacity.") % {
            "point": d.get("point", "")
        }
    return _("The child was enrolled at %(point)s.") % {"point": d.get("point", "")}


def _referral_completed(d: Mapping[str, Any], context: EventContext) -> str:
    return _("The service at %(point)s was completed.") % {"point": d.get("point", "")}


def _referral_dropped(d: Mapping[str, Any], context: EventContext) -> str:
    return _("The child left %(point)s before the end: %(note)s") % {
        "point": d.get("point", ""),
        "note": d.get("note", ""),
    }


def register_events() -> None:
    events.register(
        EventKind(ProviderEvent.REFERRAL_ACCEPTED, _referral_accepted),
        EventKind(ProviderEvent.REFERRAL_DECLINED, _referral_declined),
        EventKind(ProviderEvent.REFERRAL_ENROLLED, _referral_enrolled),
        EventKind(ProviderEvent.REFERRAL_COMPLETED, _referral_completed),
        EventKind(ProviderEvent.REFERRAL_DROPPED, _referral_dropped),
    )
    events.register_milestones(
        Milestone(
            ProviderMilestone.REFERRAL_ANSWERED,
            (ProviderEvent.REFERRAL_ACCEPTED, ProviderEvent.REFERRAL_DECLINED),
        )
    )
    events.register_recorders(
        Recorder("ocrotire.providers.services.referral_accept", (ProviderEvent.REFERRAL_ACCEPTED,)),
        Recorder(
            "ocrotire.providers.services.referral_decline", (ProviderEvent.REFERRAL_DECLINED,)
        ),
        Recorder("ocrotire.providers.services.referral_enrol", (ProviderEvent.REFERRAL_ENROLLED,)),
        Recorder(
            "ocrotire.providers.services.referral_end",
            (ProviderEvent.REFERRAL_COMPLETED, ProviderEvent.REFERRAL_DROPPED),
        ),
    )
