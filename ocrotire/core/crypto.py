"""Encryption at rest for the most sensitive free text (narratives, reporter identity, findings).

Values are Fernet tokens (AES-128-CBC + HMAC-SHA256) keyed by `OCROTIRE_FIELD_KEYS`: a comma-separated
list whose first key encrypts and every key decrypts, so keys rotate by prepending a new one and
running `manage.py rotate_field_keys` (`core.key_rotation`), after which the old key can go. A database dump alone does not reveal what a child or a reporter said. The price: these
fields cannot be searched or filtered in SQL, which none of them needs."""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "enc1:"


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    fernets = []
    for key in keys:
        try:
            fernets.append(Fernet(key.encode()))
        except ValueError as exc:
            raise ImproperlyConfigured(
                "OCROTIRE_FIELD_KEYS must hold Fernet keys (Fernet.generate_key())."
            ) from exc
    return MultiFernet(fernets)


def field_keys() -> tuple[str, ...]:
    keys = tuple(k.strip() for k in settings.OCROTIRE_FIELD_KEYS if k.strip())
    if keys:
        return keys
    if settings.PRODUCTION:
        raise ImproperlyConfigured("Set OCROTIRE_FIELD_KEYS in production.")
    # Development and tests: a key derived from the secret key, so nothing needs configuring.
    digest = hashlib.sha256(b"ocrotire-field-key:" + settings.SECRET_KEY.encode()).digest()
    return (base64.urlsafe_b64encode(digest).decode(),)


def fernet() -> MultiFernet:
    """The configured keys: the first encrypts, every one decrypts."""
    return _fernet(field_keys())


def encrypt(text: str) -> str:
    if not text:
        return ""
    return PREFIX + fernet().encrypt(text.encode()).decode()


def decrypt(value: str) -> str:
    if not value or not value.startswith(PREFIX):
        return value  # written before encryption was switched on
    try:
        return fernet().decrypt(value[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "An encrypted field cannot be read with the configured OCROTIRE_FIELD_KEYS."
        ) from exc


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """A text field stored encrypted; `max_length` limits the plain text (forms and validation)."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return decrypt(value) if isinstance(value, str) else value

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            return decrypt(value)
        return super().to_python(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if isinstance(value, str):
            return encrypt(value)
        return value


class EncryptedJSONField(EncryptedTextField):
    """A JSON value (answers to a form) stored as encrypted text: nothing of it is readable or
    searchable in the database, and the key rotation re-encrypts it like any encrypted text.
    A value written before it was encrypted (plain JSON text) is still read."""

    # What the model attribute holds for the type checker (django-stubs): a JSON value.
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if not isinstance(value, str):
            return value
        text = decrypt(value)
        return json.loads(text) if text else self.get_default()

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            text = decrypt(value)
            return json.loads(text) if text else self.get_default()
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return encrypt(json.dumps(value, ensure_ascii=False, sort_keys=True))

    def value_to_string(self, obj: Any) -> str:
        return json.dumps(self.value_from_object(obj), ensure_ascii=False, sort_keys=True)
