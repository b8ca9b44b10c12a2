"""Who may file, see and triage reports: pure predicates over role and scope."""

from __future__ import annotations

from typing import Any

from ocrotire.accounts.models import RoleCode
from ocrotire.accounts.permissions import has_role, scope_of

# Roles that keep the register: they see every report of their area and triage it.
REGISTER_ROLES = (RoleCode.ADMINISTRATOR, RoleCode.SPECIALIST, RoleCode.SUPERVISOR, RoleCode.HEAD)
# Roles that may file a report; those outside the register see only what they filed.
FILER_ROLES = (*REGISTER_ROLES, RoleCode.REPORTER, RoleCode.COMMUNITY_WORKER)


def can_file_report(user: Any) -> bool:
    return has_role(user, *FILER_ROLES)


def keeps_register(user: Any) -> bool:
    return has_role(user, *REGISTER_ROLES)


def can_self_refer(user: Any) -> bool:
    """A self-referral (autosesizare) is made by the authority itself: the register keepers, and
    the community social workers of its villages, whose flags from a household screening come
    in as the community's own notice (issue 22)."""
    return keeps_register(user) or has_role(user, RoleCode.COMMUNITY_WORKER)


def can_triage(user: Any, report: Any) -> bool:
    return keeps_register(user) and scope_of(user).covers_path(report.unit.path)


def can_record_form_received(user: Any, report: Any) -> bool:
    """A professional who first called in owes the written notification form; the authority
    records when it arrives."""
    return (
        can_triage(user, report)
        and report.reporter_kind == "professional"
        and report.channel != "notification_form"
        and report.form_received_at is None
    )


def can_follow_own_reports(user: Any) -> bool:
    """Filers outside the register follow what they filed on their own list, status only."""
    return can_file_report(user) and not keeps_register(user)


# Complaints may name any professional of the authority: only its heads and supervisors read
# them, never a specialist, a provider's staff or a reporter.
COMPLAINT_ROLES = (RoleCode.SUPERVISOR, RoleCode.HEAD)


def reads_complaints(user: Any) -> bool:
    return has_role(user, *COMPLAINT_ROLES)


def can_answer_complaint(user: Any, complaint: Any) -> bool:
    return reads_complaints(user) and scope_of(user).covers_path(complaint.unit.path)
