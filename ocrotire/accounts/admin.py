"""Administration of users (with the reset of their second-factor devices), roles (with their
two-factor policy) and institutions. A password, activity, role or policy change made here ends
the sessions and API tokens it concerns, through the accounts services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from ocrotire.accounts import security, services
from ocrotire.accounts.models import Institution, Role, User
from ocrotire.accounts.permissions import acting_user
from ocrotire.core.admin import AuditedAdmin

# Devices are enrolled by their owners (with the password again) and reset by an administrator
# through the audited action below; django-otp's own device pages would bypass both.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


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
    actions = ["reset_devices"]

    def _keep(self, request: HttpRequest) -> str | None:
        session = getattr(request, "session", None)
        return session.session_key if session is not None else None

    def save_model(
        self, request: HttpRequest, obj: Model, form: ModelForm[Any], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        assert isinstance(obj, User)
        if change and "is_active" in form.changed_data and not obj.is_active:
            security.user_credentials_end(
                actor=acting_user(request), user=obj, reason="deactivated"
            )

    def save_related(
        self, request: HttpRequest, form: ModelForm[Any], formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        if change and "roles" in form.changed_data:
            security.user_credentials_end(
                actor=acting_user(request),
                user=form.instance,
                reason="roles_changed",
                keep_session_key=self._keep(request)
                if form.instance.pk == request.user.pk
                else None,
            )

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Django's page, with the change audited and the user's sessions and tokens ended in
        the same transaction."""
        if not str(id).isdigit():
            return super().user_change_password(request, id, form_url)
        with transaction.atomic():
            before = User.objects.filter(pk=id).values_list("password", flat=True).first()
            response = super().user_change_password(request, id, form_url)
            user = User.objects.filter(pk=id).first()
            if user is not None and before is not None and user.password != before:
                security.user_password_change_record(
                    actor=acting_user(request), user=user, keep_session_key=self._keep(request)
                )
        return response

    @admin.action(description=_("Reset two-factor devices (ends sessions and API tokens)"))
    def reset_devices(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        actor = acting_user(request)
        for user in queryset:
            security.user_devices_reset(actor=actor, user=user)
        self.message_user(
            request,
            gettext(
                "The two-factor devices of the chosen users were reset; their sessions and API tokens were ended."
            ),
            messages.SUCCESS,
        )


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

    def save_model(
        self, request: HttpRequest, obj: Model, form: ModelForm[Any], change: bool
    ) -> None:
        assert isinstance(obj, Role)
        if change and form.changed_data == ["mfa_required"]:
            # Through the service: making it mandatory ends what was got without it.
            services.role_policy_set(
                actor=acting_user(request),
                role=Role.objects.get(pk=obj.pk),
                mfa_required=obj.mfa_required,
                keep_session_key=getattr(getattr(request, "session", None), "session_key", None),
            )
            return
        super().save_model(request, obj, form, change)


@admin.register(Institution)
class InstitutionAdmin(AuditedAdmin):
    list_display = ["abbreviation", "name", "kind", "country", "active", "name_verified"]
    list_filter = ["kind", "country", "active", "name_verified"]
    search_fields = ["name", "abbreviation"]
    filter_horizontal = ["units"]
    exclude = ["version"]
