"""Uploaded files kept as evidence (a report's attachments, a plan's evidence): the same checks
of size, declared kind and content, and the digest they are kept under; and the guard that reads
an uploaded workbook's unpacked size before anything unpacks it."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from typing import Any

import filetype  # type: ignore[import-untyped]  # the package ships no type hints
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# Enough of a file's start for every signature below.
_HEAD_BYTES = 64 * 1024
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The part an Office Open XML package of each kind cannot be without.
_OOXML_PART = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "word/",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xl/",
}
# Control characters no text file carries (a program does: "MZ", then NUL bytes).
_NOT_TEXT = bytes(set(range(32)) - {9, 10, 12, 13, 26})


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    size: int
    sha256: str


def _zip_names(upload: Any) -> list[str] | None:
    try:
        with zipfile.ZipFile(upload) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)


def content_matches(upload: Any, content_type: str) -> bool:
    """Whether the file's bytes are of the declared kind: a program declared as text, a web page
    declared as PDF or a drawing declared as PNG is not."""
    upload.seek(0)
    head = upload.read(_HEAD_BYTES)
    upload.seek(0)
    if content_type in _OOXML_PART:
        names = _zip_names(upload)
        part = _OOXML_PART[content_type]
        return names is not None and any(name.startswith(part) for name in names)
    if content_type == "application/msword":
        return bool(head.startswith(_OLE))
    guessed = filetype.guess_mime(head)
    if content_type == "text/plain":
        return guessed is None and not any(byte in _NOT_TEXT for byte in head)
    return bool(guessed == content_type)


def check_upload(
    upload: Any, *, types: set[str] | frozenset[str], refusal: str | Promise
) -> CheckedUpload:
    """Refuse an empty or too large file, one of another kind (`refusal` says which are
    accepted), or one whose content is not of the kind it declares; answer its kind, size and
    SHA-256, the file rewound for saving."""
    size = upload.size or 0
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": _("The file is larger than 20 MB.")})
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    content_type = (upload.content_type or "").split(";")[0].strip()
    if content_type not in types:
        raise ValidationError({"file": refusal})
    if not content_matches(upload, content_type):
        raise ValidationError(
            {
                "file": _(
                    "The content of the file does not match its kind: it is not the file it "
                    "claims to be."
                )
            }
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(content_type, size, digest.hexdigest())


def check_workbook_size(raw: bytes) -> None:
    """Refuse a workbook whose parts unpack to more than the configured bound, read from the zip's
    central directory before anything is unpacked (a 200 KB file can unpack to gigabytes)."""
    limit = int(getattr(settings, "OCROTIRE_XLSX_MAX_UNPACKED_BYTES", 100 * 1024 * 1024))
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ValidationError({"file": _("This file is not an Excel workbook (.xlsx).")}) from exc
    if unpacked > limit:
        raise ValidationError(
            {
                "file": _(
                    "This workbook unpacks to more than %(limit)s MB: split it into smaller "
                    "workbooks."
                )
                % {"limit": limit // (1024 * 1024)}
            }
        )
