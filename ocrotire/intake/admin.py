"""Concern categories in the admin (audited like every admin write); reports, read-only and
without the narrative or the reporter's identity."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ocrotire.core.admin import AuditedAdmin
from ocrotire.intake.models import ConcernCategory, Report


@admin.register(ConcernCategory)
class ConcernCategoryAdmin(AuditedAdmin):
    list_display = ["code", "country", "label", "violence_form", "ordering", "verified", "active"]
    list_filter = ["country", "violence_form", "verified", "active"]
    search_fields = ["code", "legal_reference"]
    fields = [
        "country",
        "code",
        "names",
        "violence_form",
        "ordering",
        "legal_reference",
        "verified",
        "active",
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Reports and statistics refer to a category by its country and code.
        return ["country", "code"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Reports keep their categories; one no longer used is made inactive instead.
        return False


REPORT_FIELDS: tuple[str, ...] = (
    "number",
    "registering_institution",
    "received_at",
    "channel",
    "reporter_kind",
    "reporter_sector",
    "unit",
    "immediate_danger",
    "status",
    "triage_decision",
    "triaged_at",
    "redirected_to",
    "version",
)


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: filing and triage go through the services. The admin is neither scoped nor
    read-audited, so what happened, to whom, and who reported it are left out."""

    list_display = ["number", "received_at", "unit", "channel", "reporter_kind", "status"]
    list_filter = ["status", "channel", "reporter_kind", "unit__country"]
    search_fields = ["number"]
    fields = REPORT_FIELDS
    readonly_fields = REPORT_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
