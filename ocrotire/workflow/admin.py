"""Deadline rules in the admin: every field visible, a change is a new version (never an edit in
place), nothing deleted. The loaded case workflows, to read."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.forms import ModelForm
from django.http import HttpRequest
from django.urls import URLPattern, URLResolver, include, path

from ocrotire.accounts.permissions import acting_user
from ocrotire.core.admin import AuditedAdmin
from ocrotire.workflow.deadlines import RULE_FIELDS, rule_retire, rule_revise
from ocrotire.workflow.models import DeadlineRule, WorkflowVersion
from ocrotire.workflow.permissions import can_manage_rules

RULE_FORM_FIELDS: tuple[str, ...] = (
    "code",
    "country",
    "version",
    *RULE_FIELDS,
    "active",
    "created_at",
)


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(AuditedAdmin):
    list_display = [
        "code",
        "country",
        "version",
        "anchor",
        "completed_by",
        "offset",
        "offset_unit",
        "assignee",
        "verified",
        "active",
    ]
    list_filter = ["country", "verified", "active"]
    search_fields = ["code", "anchor", "completed_by", "legal_reference"]
    fields = RULE_FORM_FIELDS
    ordering = ["country", "code", "-version"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ("version", "created_at")
        if not obj.active:
            # A retired version is history: tasks were generated from it as it stands.
            return RULE_FORM_FIELDS
        return ("code", "country", "version", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and can_manage_rules(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and can_manage_rules(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: Model, form: ModelForm[Any], change: bool
    ) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        assert isinstance(obj, DeadlineRule)
        actor = acting_user(request)
        current = DeadlineRule.objects.get(pk=obj.pk)
        if not obj.active:
            saved = rule_retire(actor=actor, rule=current)
        else:
            saved = rule_revise(
                actor=actor,
                rule=current,
                values={name: getattr(obj, name) for name in RULE_FIELDS},
            )
        # The admin's messages and "save and continue" then point at the row that now stands.
        obj.pk = saved.pk
        obj.version = saved.version
        obj.active = saved.active
        obj.created_at = saved.created_at


@admin.register(WorkflowVersion)
class WorkflowVersionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The case workflows loaded from the packs, to read: a change comes from the pack
    (`load_packs`) as a new version, and cases keep the version they were opened with."""

    list_display = ["country", "version", "created_at"]
    list_filter = ["country"]
    fields = ("country", "version", "definition", "digest", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def former_admin_urls() -> list[URLPattern | URLResolver]:
    """The rules' admin pages at /admin/cases/deadlinerule/…, where they were before the rules
    moved to the workflow app, keep answering (the admin's own links go to /admin/workflow/)."""
    return [
        path(
            "admin/cases/deadlinerule/",
            include(admin.site.get_model_admin(DeadlineRule).urls),
        )
    ]
