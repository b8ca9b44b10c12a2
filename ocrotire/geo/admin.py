"""Territory in the admin: readable, searchable; changes come from country packs."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ocrotire.core.admin import AuditedAdmin
from ocrotire.geo.models import Unit, UnitName


class UnitNameInline(admin.TabularInline):  # type: ignore[type-arg]
    model = UnitName
    extra = 0


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ["code", "name", "level", "country", "is_urban", "active"]
    list_filter = ["country", "level"]
    search_fields = ["code", "name", "names__name"]
    readonly_fields = ["code", "country", "parent", "path", "depth"]
    inlines = [UnitNameInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
