"""Rows that come from a country pack name themselves in several languages (`names`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language


class NamedInLanguages:
    """Mixin for pack rows with `names` ({language: name}) and a `code`: the name in the
    reader's language, else in English, else the code."""

    names: Any
    code: Any

    def label(self, language: str | None = None) -> str:
        language = (language or get_language() or "ro")[:2]
        return str(self.names.get(language) or self.names.get("en") or self.code)
