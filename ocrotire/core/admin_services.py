"""The write path behind the Django admin: every save and delete made there is audited too."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import models, transaction

from ocrotire.core.audit import audit_label, audit_record
from ocrotire.core.models import AuditAction

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser


def _value(obj: models.Model, name: str) -> Any:
    field = obj._meta.get_field(name)
    if field.many_to_many:
        return sorted(str(o) for o in getattr(obj, name).all()) if obj.pk else []
    if field.is_relation:
        return getattr(obj, getattr(field, "attname", name), None)
    return getattr(obj, name, None)


@transaction.atomic
def admin_object_save(
    *, actor: AbstractBaseUser, obj: models.Model, created: bool, changed_fields: Iterable[str]
) -> None:
    obj.save()
    changes = {name: _value(obj, name) for name in changed_fields if name != "password"}
    if "password" in changed_fields:
        changes["password"] = "changed"  # noqa: S105  (a marker, never the password)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=obj,
        changes=changes,
    )


@transaction.atomic
def admin_object_delete(*, actor: AbstractBaseUser, obj: models.Model) -> None:
    label, pk, text = audit_label(obj), obj.pk, str(obj)
    obj.delete()
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        object_type=label,
        object_id=str(pk),
        object_repr=text,
    )


@transaction.atomic
def admin_relations_audit(
    *, actor: AbstractBaseUser, obj: models.Model, fields: Iterable[str]
) -> None:
    changes = {name: _value(obj, name) for name in fields}
    if changes:
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=obj, changes=changes)
