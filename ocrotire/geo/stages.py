"""What a country calls the stages of a case, read from its pack (`geo/packs/<cc>/stages.json`):
a name in each language for the stages it names differently (Ukraine's needs assessment, Romania's
PIP), each with its legal reference and whether a lawyer verified it. A stage the pack does not
name keeps the generic name."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from ocrotire.geo.services import PACKS_DIR


@lru_cache(maxsize=16)
def stage_terms(country: str) -> dict[str, dict[str, Any]]:
    """The pack's stages by code: {"names": {language: name}, "legal_reference", "verified"}."""
    path = PACKS_DIR / country.lower() / "stages.json" if country else None
    if path is None or not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {row["code"]: row for row in data.get("stages", [])}


def stage_term(country: str, stage: str, language: str) -> str | None:
    """The country's name of the stage in the language (else in English), or None."""
    row = stage_terms(country.upper()).get(stage)
    if row is None:
        return None
    names = row.get("names", {})
    name = names.get(language[:2]) or names.get("en")
    return str(name) if name else None
