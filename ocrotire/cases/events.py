"""The timeline events of cases (triage included) and the notices about them, each with its
sentence; registered with the workflow from CasesConfig.ready()."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _

from ocrotire.cases.models import (
    ClosureReason,
    MeetingKind,
    ProtectiveActionKind,
    ReviewOutcome,
    RiskLevel,
    Stage,
    VisitKind,
)
from ocrotire.intake.models import TriageDecision
from ocrotire.workflow import events, notices
from ocrotire.workflow.events import EventContext, EventKind, Milestone, Recorder, choice_label
from ocrotire.workflow.notices import NoticeKind


class CaseEvent(StrEnum):
    REPORT_TRIAGED = "report_triaged"
    REPORT_LINKED = "report_linked"
    CASE_OPENED = "case_opened"
    INITIAL_ASSESSMENT_DONE = "initial_assessment_done"
    COMPLEX_ASSESSMENT_DONE = "complex_assessment_done"
    CHILD_REMOVED = "child_removed"
    PROTECTIVE_ACTION = "protective_action"
    PROSECUTOR_NOTIFIED = "prosecutor_notified"
    COURT_FILED = "court_filed"
    CHILD_RETURNED = "child_returned"
    EMERGENCY_ENDED = "emergency_ended"
    PLAN_SUBMITTED = "plan_submitted"
    PLAN_APPROVED = "plan_approved"
    PLAN_RETURNED = "plan_returned"
    VISIT_RECORDED = "visit_recorded"
    REVIEW_DONE = "review_done"
    REFERRAL_SENT = "referral_sent"
    MEETING_HELD = "meeting_held"
    CLOSURE_PROPOSED = "closure_proposed"
    CASE_CLOSED = "case_closed"
    CLOSURE_REFUSED = "closure_refused"
    CASE_REOPENED = "case_reopened"
    CASE_TRANSFERRED = "case_transferred"
    CASE_REASSIGNED = "case_reassigned"
    MEMBER_ADDED = "member_added"
    MEMBER_REMOVED = "member_removed"
    CASE_UPDATED = "case_updated"
    RISK_LOWERED = "risk_lowered"
    CASE_FILE_PRINTED = "case_file_printed"


class CaseMilestone(StrEnum):
    """Met by either outcome of a decision (`event_fire(meets=…)`)."""

    CLOSURE_DECIDED = "closure_decided"
    PLAN_DECIDED = "plan_decided"


class CaseNotice(StrEnum):
    CASE_ASSIGNED = "case_assigned"
    TEAM_ADDED = "team_added"


def stage_label(stage: str) -> str:
    return choice_label(Stage, stage)


def _report_triaged(d: Mapping[str, Any], context: EventContext) -> str:
    text = _("Triage: %(decision)s. Reason: %(reason)s") % {
        "decision": choice_label(TriageDecision, d.get("decision", "")),
        "reason": d.get("reason", ""),
    }
    if d.get("cases"):
        text += " " + _("Cases: %(cases)s.") % {"cases": ", ".join(d["cases"])}
    if d.get("redirect_to"):
        text += " " + _("Redirected to: %(to)s.") % {"to": d["redirect_to"]}
    return text


def _report_linked(d: Mapping[str, Any], context: EventContext) -> str:
    return _("Report %(report)s was linked to this case.") % {"report": d.get("report", "")}


def _case_opened(d: Mapping[str, Any], context: EventContext) -> str:
    return _("Case opened from report %(report)s, risk level %(risk)s.") % {
        "report": d.get("report", ""),
        "risk": choice_label(RiskLevel, d.get("risk_level", "")),
    }


def _initial_assessment_done(d: Mapping[str, Any], context: EventContext) -> str:
    text = _("Initial assessment completed: %(confirmed)s, risk level %(risk)s.") % {
        "confirmed": {
            "yes": _("confirmed"),
            "partly": _("partly confirmed"),
            "no": _("not confirmed"),
        }.get(d.get("confirmed", ""), ""),
        "risk": choice_label(RiskLevel, d.get("risk_level", "")),
    }
    if d.get("protection_interview_done"):
        text += " " + _("Protection interview held.")
    return text


def _complex_assessment_done(d: Mapping[str, Any], context: EventContext) -> str:
    return _("Complex assessment completed, risk level %(risk)s.") % {
        "risk": choice_label(RiskLevel, d.get("risk_level", ""))
    }


def _protective_action(d: Mapping[str, Any], context: EventContext) -> str:
    return _("Urgent protection measure: %(kind)s.") % {
        "kind": choice_label(ProtectiveActionKind, d.get("kind", ""))
    }


def _prosecutor_notified(d: Mapping[str, Any], context: EventContext) -> str:
    return _("The prosecutor was notified of the removal.")


def _court_filed(d: Mapping[str, Any], context: EventContext) -> str:
    return _("The court action was filed.")


def _child_returned(d: Mapping[str, Any], context: EventContext) -> str:
    return _("The removed child was returned to the family.")


def _emergency_ended(d: Mapping[str, Any], context: EventContext) -> str:
    return _("Emergency protection ended: %(note)s") % {"note": d.get("note", "")}


def _plan_submitted(d: Mapping[str, Any], context: EventContext) -> str:
    return _("Individual assistance plan, version %(plan)s, submitted for approval.") % {
        "plan": d.get("plan", "")
    }


def _plan_approved(d: Mapping[str, Any], context: EventContext) -> str:
    return _("Plan version %(plan)s approved.") % {"plan": d.get("plan", "")}


def _plan_returned(d: Mapping[str, Any], context: EventContext) -> str:
    return _("Plan version %(plan)s returned for changes: %(note)s") % {
        "plan": d.get("plan", ""),
        "note": d.get("note", ""),
    }


def _visit_recorded(d: Mapping[str, Any], context: EventContext) -> str:
    return _("Monitoring: %(kind)s.") % {"kind": choice_label(VisitKind, d.get("kind", ""))}


def _review_done(d: Mapping[str, Any], context: EventContext) -> str:
    return _("Periodic review: %(outcome)s, risk level %(risk)s.") % {
        "outcome": choice_label(ReviewOutcome, d.get("outcome", "")),
        "risk": choice_label(RiskLevel, d.get("risk_level", "")),
    }


def _referral_sent(d: Mapping[str, Any], context: EventContext) -> str:
    return _("Referred to %(service)s %(to)s.") % {
        "service": d.get("service", ""),
        "to": d.get("to", ""),
    }


def _meeting_held(d: Mapping[str, Any], context: EventContext) -> str:
    return _("%(kind)s held.") % {"kind": choice_label(MeetingKind, d.get("kind", ""))}


def _closure_proposed(d: Mapping[str, Any], context: EventContext) -> str:
    return _("Closure proposed: %(reason)s.") % {
        "reason": choice_label(ClosureReason, d.get("reason", ""))
    }


def _case_closed(d: Mapping[str, Any], context: EventContext) -> str:
    return _("Closure approved: %(reason)s.") % {
        "reason": choice_label(ClosureReason, d.get("reason", ""))
    }


def _closure_refused(d: Mapping[str, Any], context: EventContext) -> str:
    return _("Closure refused: %(note)s") % {"note": d.get("note", "")}


def _case_reopened(d: Mapping[str, Any], context: EventContext) -> str:
    return _("Case reopened: %(reason)s") % {"reason": d.get("reason", "")}


def _case_transferred(d: Mapping[str, Any], context: EventContext) -> str:
    return _("Case transferred from %(from)s to %(to)s: %(reason)s") % {
        "from": d.get("from", ""),
        "to": d.get("to", ""),
        "reason": d.get("reason", ""),
    }


def _case_reassigned(d: Mapping[str, Any], context: EventContext) -> str:
    return _("Case manager changed to %(to)s: %(reason)s") % {
        "to": d.get("to", ""),
        "reason": d.get("reason", ""),
    }


def _member_added(d: Mapping[str, Any], context: EventContext) -> str:
    return _("%(name)s joined the team.") % {"name": d.get("name", "")}


def _member_removed(d: Mapping[str, Any], context: EventContext) -> str:
    return _("%(name)s left the team.") % {"name": d.get("name", "")}


def _case_updated(d: Mapping[str, Any], context: EventContext) -> str:
    if "risk_level" in d:
        return _("Risk level changed to %(risk)s.") % {
            "risk": choice_label(RiskLevel, d["risk_level"])
        }
    return _("Case details changed.")


def _risk_lowered(d: Mapping[str, Any], context: EventContext) -> str:
    return _("Risk level lowered from %(from)s to %(to)s: %(reason)s") % {
        "from": choice_label(RiskLevel, d.get("from", "")),
        "to": choice_label(RiskLevel, d.get("to", "")),
        "reason": d.get("reason", ""),
    }


def _case_file_printed(d: Mapping[str, Any], context: EventContext) -> str:
    return _("The case file was printed as a PDF document.")


def _case_assigned(data: Mapping[str, Any]) -> str:
    return _("You are now the case manager of %(subject)s.") % {"subject": data.get("subject", "")}


def _team_added(data: Mapping[str, Any]) -> str:
    return _("You were added to the team of %(subject)s.") % {"subject": data.get("subject", "")}


def register_events() -> None:
    events.register(
        EventKind(CaseEvent.REPORT_TRIAGED, _report_triaged),
        EventKind(CaseEvent.REPORT_LINKED, _report_linked),
        EventKind(CaseEvent.CASE_OPENED, _case_opened),
        EventKind(CaseEvent.INITIAL_ASSESSMENT_DONE, _initial_assessment_done),
        EventKind(CaseEvent.COMPLEX_ASSESSMENT_DONE, _complex_assessment_done),
        EventKind(CaseEvent.CHILD_REMOVED, _protective_action),
        EventKind(CaseEvent.PROTECTIVE_ACTION, _protective_action),
        EventKind(CaseEvent.PROSECUTOR_NOTIFIED, _prosecutor_notified),
        EventKind(CaseEvent.COURT_FILED, _court_filed),
        EventKind(CaseEvent.CHILD_RETURNED, _child_returned),
        EventKind(CaseEvent.EMERGENCY_ENDED, _emergency_ended),
        EventKind(CaseEvent.PLAN_SUBMITTED, _plan_submitted),
        EventKind(CaseEvent.PLAN_APPROVED, _plan_approved),
        EventKind(CaseEvent.PLAN_RETURNED, _plan_returned),
        EventKind(CaseEvent.VISIT_RECORDED, _visit_recorded),
        EventKind(CaseEvent.REVIEW_DONE, _review_done),
        EventKind(CaseEvent.REFERRAL_SENT, _referral_sent),
        EventKind(CaseEvent.MEETING_HELD, _meeting_held),
        EventKind(CaseEvent.CLOSURE_PROPOSED, _closure_proposed),
        EventKind(CaseEvent.CASE_CLOSED, _case_closed),
        EventKind(CaseEvent.CLOSURE_REFUSED, _closure_refused),
        EventKind(CaseEvent.CASE_REOPENED, _case_reopened),
        EventKind(CaseEvent.CASE_TRANSFERRED, _case_transferred),
        EventKind(CaseEvent.CASE_REASSIGNED, _case_reassigned),
        EventKind(CaseEvent.MEMBER_ADDED, _member_added),
        EventKind(CaseEvent.MEMBER_REMOVED, _member_removed),
        EventKind(CaseEvent.CASE_UPDATED, _case_updated),
        EventKind(CaseEvent.RISK_LOWERED, _risk_lowered),
        EventKind(CaseEvent.CASE_FILE_PRINTED, _case_file_printed),
    )
    events.register_milestones(
        Milestone(
            CaseMilestone.CLOSURE_DECIDED, (CaseEvent.CASE_CLOSED, CaseEvent.CLOSURE_REFUSED)
        ),
        Milestone(CaseMilestone.PLAN_DECIDED, (CaseEvent.PLAN_APPROVED, CaseEvent.PLAN_RETURNED)),
    )
    register_case_recorders()
    notices.register(
        NoticeKind(CaseNotice.CASE_ASSIGNED, _case_assigned),
        NoticeKind(CaseNotice.TEAM_ADDED, _team_added),
    )


def register_case_recorders() -> None:
    """The steps of a case and the events each fires (what completes the deadline rules)."""
    records = "ocrotire.cases.records."
    services = "ocrotire.cases.services."
    events.register_recorders(
        Recorder("ocrotire.cases.triage.report_triage", (CaseEvent.REPORT_TRIAGED,)),
        Recorder(services + "case_open", (CaseEvent.CASE_OPENED,)),
        Recorder(
            records + "case_assessment_record",
            (CaseEvent.INITIAL_ASSESSMENT_DONE, CaseEvent.COMPLEX_ASSESSMENT_DONE),
        ),
        Recorder(
            records + "case_protective_action_record",
            (CaseEvent.CHILD_REMOVED, CaseEvent.PROTECTIVE_ACTION),
        ),
        Recorder(
            records + "case_protective_step_record",
            (CaseEvent.PROSECUTOR_NOTIFIED, CaseEvent.COURT_FILED),
        ),
        Recorder(records + "case_emergency_end", (CaseEvent.EMERGENCY_ENDED,)),
        Recorder(records + "case_plan_submit", (CaseEvent.PLAN_SUBMITTED,)),
        Recorder(records + "case_plan_decide", (CaseEvent.PLAN_APPROVED, CaseEvent.PLAN_RETURNED)),
        Recorder(records + "case_visit_record", (CaseEvent.VISIT_RECORDED,)),
        Recorder(records + "case_review_record", (CaseEvent.REVIEW_DONE,)),
        Recorder(records + "case_referral_send", (CaseEvent.REFERRAL_SENT,)),
        Recorder(records + "case_meeting_record", (CaseEvent.MEETING_HELD,)),
        Recorder(services + "case_closure_propose", (CaseEvent.CLOSURE_PROPOSED,)),
        Recorder(
            services + "case_closure_decide", (CaseEvent.CASE_CLOSED, CaseEvent.CLOSURE_REFUSED)
        ),
        Recorder(services + "case_reopen", (CaseEvent.CASE_REOPENED,)),
    )
