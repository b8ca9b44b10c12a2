"""The navigation a user sees (a context processor), built from the same predicates that guard
the pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ocrotire.accounts.permissions import (
    can_browse_territory,
    can_view_audit,
    has_role,
    is_member,
)
from ocrotire.analytics.common.permissions import can_view_analytics
from ocrotire.cases.permissions import can_view_board, shows_case_work
from ocrotire.dataforms.permissions import can_edit_forms
from ocrotire.intake.permissions import can_follow_own_reports, keeps_register, reads_complaints
from ocrotire.outreach.permissions import can_read_programmes, can_screen
from ocrotire.planning.permissions import can_view_plans
from ocrotire.providers.permissions import can_browse_providers
from ocrotire.registry.permissions import can_review_duplicates, can_use_registry
from ocrotire.workflow.permissions import can_view_notifications
from ocrotire.workflow.selectors import unread_count


@dataclass(frozen=True)
class NavItem:
    label: Any
    url: str
    key: str
    # A count shown beside the label (unread notifications).
    count: int = 0


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not is_member(user):
        return {"nav_items": []}
    items = [NavItem(_("Home"), reverse("core:home"), "home")]
    if keeps_register(user):
        items.append(NavItem(_("Reports"), reverse("intake:report-list"), "reports"))
        items.append(NavItem(_("Hotline call"), reverse("intake:report-hotline"), "hotline"))
    if reads_complaints(user):
        items.append(NavItem(_("Complaints"), reverse("complaints:list"), "complaints"))
    if can_follow_own_reports(user):
        items.append(NavItem(_("Report a concern"), reverse("intake:report-create"), "report-new"))
        items.append(NavItem(_("My reports"), reverse("intake:report-mine"), "reports-mine"))
    if can_use_registry(user):
        items.append(NavItem(_("Persons"), reverse("registry:person-list"), "registry"))
    if can_screen(user):
        items.append(NavItem(_("Households"), reverse("outreach:households"), "outreach"))
    if can_review_duplicates(user):
        items.append(NavItem(_("Duplicates"), reverse("registry:review"), "duplicates"))
    if shows_case_work(user):
        items.append(NavItem(_("Cases"), reverse("cases:list"), "cases"))
        items.append(NavItem(_("My work"), reverse("cases:my-work"), "my-work"))
    if can_view_board(user):
        items.append(NavItem(_("Board"), reverse("cases:board"), "board"))
    if can_view_notifications(user):
        items.append(
            NavItem(
                _("Notifications"),
                reverse("cases:notifications"),
                "notifications",
                unread_count(user),
            )
        )
    if has_role(user, "provider") or shows_case_work(user):
        items.append(NavItem(_("Referrals"), reverse("providers:referrals"), "referrals"))
    if can_browse_providers(user):
        items.append(NavItem(_("Services"), reverse("providers:list"), "providers"))
    if can_read_programmes(user):
        items.append(NavItem(_("Benefit programmes"), reverse("programmes:list"), "programmes"))
    if can_view_plans(user):
        items.append(NavItem(_("Strategy"), reverse("planning:list"), "plans"))
    if can_view_analytics(user):
        items.append(NavItem(_("Analytics"), reverse("analytics:dashboard"), "analytics"))
    if can_browse_territory(user):
        items.append(NavItem(_("Territory"), reverse("geo:tree"), "territory"))
        items.append(
            NavItem(_("Institutions"), reverse("accounts:institution-list"), "institutions")
        )
    if can_view_audit(user):
        items.append(NavItem(_("Audit log"), reverse("core:audit"), "audit"))
    if can_edit_forms(user):
        items.append(NavItem(_("Official forms"), reverse("dataforms:list"), "forms"))
    if has_role(user, "administrator"):
        items.append(NavItem(_("Administration"), reverse("admin:index"), "admin"))
    items.append(NavItem(_("API"), reverse("api:docs"), "api"))
    matches = [item for item in items if request.path.startswith(item.url)]
    active = max(matches, key=lambda item: len(item.url)).key if matches else ""
    return {"nav_items": items, "nav_active": active}
