"""Cases in the admin: read-only and without the child's details."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ocrotire.cases.models import Case

CASE_FIELDS: tuple[str, ...] = (
    "number",
    "unit",
    "lead_institution",
    "stage",
    "risk_level",
    "immediate_danger",
    "manager",
    "opened_at",
    "closure_reason",
    "closed_at",
    "times_reopened",
    "version",
)


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: every write to a case goes through its services. The admin is neither scoped
    nor read-audited, so the child and the case's narrative fields are left out."""

    list_display = ["number", "unit", "stage", "risk_level", "manager", "opened_at", "closed_at"]
    list_filter = ["stage", "risk_level", "unit__country"]
    search_fields = ["number"]
    fields = CASE_FIELDS
    readonly_fields = CASE_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
