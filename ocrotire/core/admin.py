"""Admin base class that routes writes through the audited write path; the audit log, read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from ocrotire.core.admin_services import (
    admin_object_delete,
    admin_object_save,
    admin_relations_audit,
)
from ocrotire.core.models import AuditEvent


def _staff_user(request: HttpRequest) -> AbstractBaseUser:
    """The signed-in user; the admin site lets in only active staff."""
    user = request.user
    if not isinstance(user, AbstractBaseUser):
        raise PermissionDenied
    return user


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def save_model(
        self, request: HttpRequest, obj: Model, form: ModelForm[Any], change: bool
    ) -> None:
        admin_object_save(
            actor=_staff_user(request),
            obj=obj,
            created=not change,
            changed_fields=[
                f for f in form.changed_data if not obj._meta.get_field(f).many_to_many
            ],
        )

    def save_related(
        self, request: HttpRequest, form: ModelForm[Any], formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        m2m = [f for f in form.changed_data if form.instance._meta.get_field(f).many_to_many]
        admin_relations_audit(actor=_staff_user(request), obj=form.instance, fields=m2m)

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        admin_object_delete(actor=_staff_user(request), obj=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            admin_object_delete(actor=_staff_user(request), obj=obj)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["at", "actor_username", "action", "object_type", "object_id", "ip"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_username", "object_id", "object_repr"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
