"""Uploaded files kept as evidence (a report's attachments, a plan's evidence): the same checks
of size and kind, and the digest they are kept under."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    size: int
    sha256: str


def check_upload(
    upload: Any, *, types: set[str] | frozenset[str], refusal: str | Promise
) -> CheckedUpload:
    """Refuse an empty or too large file, or one of another kind (`refusal` says which are
    accepted); answer its kind, size and SHA-256, the file rewound for saving."""
    size = upload.size or 0
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": _("The file is larger than 20 MB.")})
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    content_type = (upload.content_type or "").split(";")[0].strip()
    if content_type not in types:
        raise ValidationError({"file": refusal})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(content_type, size, digest.hexdigest())
