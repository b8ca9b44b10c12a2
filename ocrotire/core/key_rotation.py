"""Re-encrypting every encrypted field under the newest of `OCROTIRE_FIELD_KEYS`.

Every `EncryptedTextField` of every installed model is found through the app registry and read in
primary-key order, in batches. A value is re-encrypted only when the newest key alone cannot read
it (older key, or plain text written before encryption), so the progress is the data itself: a run
that stops anywhere is resumed by running it again, and a finished run finds nothing to do. Each
batch commits on its own in a short transaction, and each row is updated only if its stored value
is still the one that was read (a concurrent edit, already under the newest key, is kept)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.db import models, transaction
from django.db.models.functions import Cast
from django.db.models.lookups import Exact

from ocrotire.core.audit import audit_record
from ocrotire.core.crypto import PREFIX, EncryptedTextField, fernet, field_keys
from ocrotire.core.models import AuditAction


@dataclass
class RotationResult:
    checked: int = 0
    rotated: int = 0
    by_field: dict[str, int] = field(default_factory=dict)


def encrypted_fields() -> Iterator[tuple[type[models.Model], list[EncryptedTextField]]]:
    """Each concrete model with its own encrypted columns (inherited ones belong to the parent)."""
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        found = [f for f in model._meta.local_concrete_fields if isinstance(f, EncryptedTextField)]
        if found:
            yield model, found


def _rotated(raw: str | None, newest: Fernet) -> str | None:
    """The value to store instead of `raw`, or None when it is already under the newest key."""
    if not raw:
        return None
    if not raw.startswith(PREFIX):
        return PREFIX + fernet().encrypt(raw.encode()).decode()
    token = raw[len(PREFIX) :].encode()
    try:
        newest.decrypt(token)
    except InvalidToken:
        # MultiFernet.rotate decrypts with any configured key (InvalidToken if none can).
        return PREFIX + fernet().rotate(token).decode()
    return None


def field_keys_rotate(
    *, batch: int = 500, progress: Callable[[str, int, int], None] | None = None
) -> RotationResult:
    """Re-encrypt every encrypted value not yet under the newest key; one audit row per run."""
    newest = Fernet(field_keys()[0].encode())
    result = RotationResult()
    for model, fields in encrypted_fields():
        label = model._meta.label_lower
        raw_names = {f.attname: f"_raw_{f.attname}" for f in fields}
        manager = model._base_manager
        last_pk: object = None
        while True:
            rows_qs = manager.order_by("pk").annotate(
                **{
                    raw: Cast(name, output_field=models.TextField())
                    for name, raw in raw_names.items()
                }
            )
            if last_pk is not None:
                rows_qs = rows_qs.filter(pk__gt=last_pk)
            rows = list(rows_qs.values("pk", *raw_names.values())[:batch])
            if not rows:
                break
            last_pk = rows[-1]["pk"]
            with transaction.atomic():
                for row in rows:
                    for name, raw in raw_names.items():
                        new = _rotated(row[raw], newest)
                        if new is None:
                            continue
                        updated = (
                            manager.filter(pk=row["pk"])
                            .filter(Exact(Cast(name, output_field=models.TextField()), row[raw]))
                            .update(**{name: models.Value(new, output_field=models.TextField())})
                        )
                        result.rotated += updated
                        key = f"{label}.{name}"
                        result.by_field[key] = result.by_field.get(key, 0) + updated
            result.checked += len(rows)
            if progress is not None:
                progress(label, result.checked, result.rotated)
    audit_record(
        actor=None,
        actor_username="rotate_field_keys",
        action=AuditAction.UPDATE,
        object_type="core.fieldkeys",
        object_repr="OCROTIRE_FIELD_KEYS",
        changes={"rows_checked": result.checked, "values_rotated": result.by_field},
    )
    return result
