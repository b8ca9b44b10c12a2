"""The sentence shown for each timeline event, in the reader's language; API and pages share it."""

from __future__ import annotations

from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from ocrotire.cases.models import (
    ClosureReason,
    MeetingKind,
    ProtectiveActionKind,
    ReviewOutcome,
    RiskLevel,
    VisitKind,
)
from ocrotire.intake.models import Agency, Channel, TriageDecision
from ocrotire.workflow.models import DeadlineRule, TimelineEvent


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def rule_names(country: str) -> dict[str, str]:
    """Task names of a country's rules in the reader's language (the newest version of each)."""
    names: dict[str, str] = {}
    for rule in DeadlineRule.objects.filter(country=country).order_by("code", "version"):
        names[rule.code] = rule.label()
    return names


def _rule_name(code: str, country: str) -> str:
    return rule_names(country).get(code, code)


def event_text(event: TimelineEvent, names: dict[str, str] | None = None) -> str:
    """`names` (from rule_names) saves a query per overdue event on long timelines."""
    d = event.data or {}
    kind = event.kind
    if kind == "report_received":
        return _("Report %(number)s received (%(channel)s).") % {
            "number": d.get("number", ""),
            "channel": _label(Channel, d.get("channel", "")),
        }
    if kind == "form_received":
        return _("The written notification form was received.")
    if kind == "agency_notified":
        return _("Notified: %(agency)s.") % {"agency": _label(Agency, d.get("agency", ""))}
    if kind == "attachment_added":
        return _("File attached: %(name)s.") % {"name": d.get("name", "")}
    if kind == "report_triaged":
        text = _("Triage: %(decision)s. Reason: %(reason)s") % {
            "decision": _label(TriageDecision, d.get("decision", "")),
            "reason": d.get("reason", ""),
        }
        if d.get("cases"):
            text += " " + _("Cases: %(cases)s.") % {"cases": ", ".join(d["cases"])}
        if d.get("redirect_to"):
            text += " " + _("Redirected to: %(to)s.") % {"to": d["redirect_to"]}
        return text
    if kind == "report_linked":
        return _("Report %(report)s was linked to this case.") % {"report": d.get("report", "")}
    if kind == "case_opened":
        return _("Case opened from report %(report)s, risk level %(risk)s.") % {
            "report": d.get("report", ""),
            "risk": _label(RiskLevel, d.get("risk_level", "")),
        }
    if kind == "initial_assessment_done":
        text = _("Initial assessment completed: %(confirmed)s, risk level %(risk)s.") % {
            "confirmed": {
                "yes": _("confirmed"),
                "partly": _("partly confirmed"),
                "no": _("not confirmed"),
            }.get(d.get("confirmed", ""), ""),
            "risk": _label(RiskLevel, d.get("risk_level", "")),
        }
        if d.get("protection_interview_done"):
            text += " " + _("Protection interview held.")
        return text
    if kind == "complex_assessment_done":
        return _("Complex assessment completed, risk level %(risk)s.") % {
            "risk": _label(RiskLevel, d.get("risk_level", ""))
        }
    if kind in ("child_removed", "protective_action"):
        return _("Urgent protection measure: %(kind)s.") % {
            "kind": _label(ProtectiveActionKind, d.get("kind", ""))
        }
    if kind == "prosecutor_notified":
        return _("The prosecutor was notified of the removal.")
    if kind == "court_filed":
        return _("The court action was filed.")
    if kind == "emergency_ended":
        return _("Emergency protection ended: %(note)s") % {"note": d.get("note", "")}
    if kind == "plan_submitted":
        return _("Individual assistance plan, version %(plan)s, submitted for approval.") % {
            "plan": d.get("plan", "")
        }
    if kind == "plan_approved":
        return _("Plan version %(plan)s approved.") % {"plan": d.get("plan", "")}
    if kind == "plan_returned":
        return _("Plan version %(plan)s returned for changes: %(note)s") % {
            "plan": d.get("plan", ""),
            "note": d.get("note", ""),
        }
    if kind == "visit_recorded":
        return _("Monitoring: %(kind)s.") % {"kind": _label(VisitKind, d.get("kind", ""))}
    if kind == "review_done":
        return _("Periodic review: %(outcome)s, risk level %(risk)s.") % {
            "outcome": _label(ReviewOutcome, d.get("outcome", "")),
            "risk": _label(RiskLevel, d.get("risk_level", "")),
        }
    if kind == "referral_sent":
        return _("Referred to %(service)s %(to)s.") % {
            "service": d.get("service", ""),
            "to": d.get("to", ""),
        }
    if kind == "placement_started":
        from ocrotire.care.models import PlacementForm

        if d.get("emergency"):
            return _("Emergency placement: %(form)s.") % {
                "form": _label(PlacementForm, d.get("form", ""))
            }
        return _("Placement: %(form)s.") % {"form": _label(PlacementForm, d.get("form", ""))}
    if kind == "placement_ended":
        from ocrotire.care.models import PlacementEnd, PlacementForm

        return _("Placement ended (%(form)s): %(reason)s.") % {
            "form": _label(PlacementForm, d.get("form", "")),
            "reason": _label(PlacementEnd, d.get("end_reason", "")),
        }
    if kind == "referral_accepted":
        return _("%(point)s accepted the referral; the child is on its waiting list.") % {
            "point": d.get("point", "")
        }
    if kind == "referral_declined":
        return _("%(point)s declined the referral: %(reason)s") % {
            "point": d.get("point", ""),
            "reason": d.get("reason", ""),
        }
    if kind == "referral_enrolled":
        if d.get("over_capacity"):
            return _("The child was enrolled at %(point)s over its capacity.") % {
                "point": d.get("point", "")
            }
        return _("The child was enrolled at %(point)s.") % {"point": d.get("point", "")}
    if kind == "referral_completed":
        return _("The service at %(point)s was completed.") % {"point": d.get("point", "")}
    if kind == "referral_dropped":
        return _("The child left %(point)s before the end: %(note)s") % {
            "point": d.get("point", ""),
            "note": d.get("note", ""),
        }
    if kind == "meeting_held":
        return _("%(kind)s held.") % {"kind": _label(MeetingKind, d.get("kind", ""))}
    if kind == "closure_proposed":
        return _("Closure proposed: %(reason)s.") % {
            "reason": _label(ClosureReason, d.get("reason", ""))
        }
    if kind == "case_closed":
        return _("Closure approved: %(reason)s.") % {
            "reason": _label(ClosureReason, d.get("reason", ""))
        }
    if kind == "closure_refused":
        return _("Closure refused: %(note)s") % {"note": d.get("note", "")}
    if kind == "case_reopened":
        return _("Case reopened: %(reason)s") % {"reason": d.get("reason", "")}
    if kind == "case_transferred":
        return _("Case transferred from %(from)s to %(to)s: %(reason)s") % {
            "from": d.get("from", ""),
            "to": d.get("to", ""),
            "reason": d.get("reason", ""),
        }
    if kind == "case_reassigned":
        return _("Case manager changed to %(to)s: %(reason)s") % {
            "to": d.get("to", ""),
            "reason": d.get("reason", ""),
        }
    if kind == "member_added":
        return _("%(name)s joined the team.") % {"name": d.get("name", "")}
    if kind == "member_removed":
        return _("%(name)s left the team.") % {"name": d.get("name", "")}
    if kind == "case_updated":
        if "risk_level" in d:
            return _("Risk level changed to %(risk)s.") % {
                "risk": _label(RiskLevel, d["risk_level"])
            }
        return _("Case details changed.")
    if kind == "case_file_printed":
        return _("The case file was printed as a PDF document.")
    if kind == "task_overdue":
        subject = event.case or event.report
        country = subject.unit.country if subject is not None else ""
        task = d.get("task", "")
        name = names.get(task, task) if names is not None else _rule_name(task, country)
        return _("Deadline missed: %(task)s.") % {"task": name}
    return kind


def deadlines_of(event: TimelineEvent, names: dict[str, str]) -> list[dict[str, Any]]:
    """Which deadlines this event met or missed; `names` from rule_names()."""
    result = []
    for item in (event.data or {}).get("tasks_met", []):
        due = parse_datetime(item.get("due_at", ""))
        result.append(
            {
                "task": item.get("kind", ""),
                "name": names.get(item.get("kind", ""), item.get("kind", "")),
                "due_at": item.get("due_at", ""),
                "due_text": date_format(localtime(due), "SHORT_DATETIME_FORMAT") if due else "",
                "met": bool(item.get("met")),
            }
        )
    return result
