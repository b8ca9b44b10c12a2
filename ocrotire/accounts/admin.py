"""Administration of users, roles (with their two-factor policy) and institutions."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from ocrotire.accounts.models import Institution, Role, User
from ocrotire.core.admin import AuditedAdmin


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):  # type: ignore[type-arg]
    list_display = [
        "username",
        "first_name",
        "last_name",
        "institution",
        "is_active",
        "locked_until",
    ]
    list_filter = ["is_active", "roles"]
    filter_horizontal = ["roles", "units"]
    autocomplete_fields = ["institution"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets[:2],  # type: ignore[index]
        (_("Work"), {"fields": ("roles", "units", "institution", "language")}),
        (
            _("Status"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "locked_until",
                    "failed_logins",
                    "last_login",
                    "date_joined",
                )
            },
        ),
    )
    readonly_fields = ["last_login", "date_joined", "failed_logins"]


@admin.register(Role)
class RoleAdmin(AuditedAdmin):
    list_display = ["code", "sees_case_data", "mfa_required"]
    list_editable = ["mfa_required"]
    fields = ["code", "sees_case_data", "mfa_required"]
    readonly_fields = ["code", "sees_case_data"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Institution)
class InstitutionAdmin(AuditedAdmin):
    list_display = ["abbreviation", "name", "kind", "country", "active", "name_verified"]
    list_filter = ["kind", "country", "active", "name_verified"]
    search_fields = ["name", "abbreviation"]
    filter_horizontal = ["units"]
    exclude = ["version"]
