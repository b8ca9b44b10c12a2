"""The provider register in the Django admin: the catalogues are read-only there (they come from
the country packs); providers and service points are saved through the audited admin path."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from ocrotire.core.admin import AuditedAdmin
from ocrotire.providers.models import Provider, ServiceBundle, ServicePoint, ServiceType


class _PackAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Rows loaded from a country pack: change the pack and run load_packs instead."""

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(ServiceType)
class ServiceTypeAdmin(_PackAdmin):
    list_display = ["code", "country", "classifier_code", "group", "care_form", "active"]
    list_filter = ["country", "group", "care_form"]
    search_fields = ["code", "classifier_code"]


@admin.register(ServiceBundle)
class ServiceBundleAdmin(_PackAdmin):
    list_display = ["code", "country"]
    list_filter = ["country"]


@admin.register(Provider)
class ProviderAdmin(AuditedAdmin):
    list_display = ["institution", "kind", "licence_number", "licence_valid_until", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["institution__name", "institution__abbreviation", "registration_number"]
    exclude = ["version"]


@admin.register(ServicePoint)
class ServicePointAdmin(AuditedAdmin):
    list_display = ["name", "provider", "service_type", "unit", "capacity", "active"]
    list_filter = ["service_type__country", "active"]
    search_fields = ["name", "provider__institution__name"]
    exclude = ["version"]
