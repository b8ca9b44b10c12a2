"""The case steps that show a form (a hook the cases app fills from its `ready()`): their codes
and their names in the reader's language, for the page where a form is tied to a step."""

from __future__ import annotations

from typing import Any

_STEPS: dict[str, Any] = {}


def step_register(code: str, title: Any) -> None:
    _STEPS[code] = title


def steps_with_forms() -> dict[str, Any]:
    """The step's code → its name (a lazy translated sentence)."""
    return dict(_STEPS)
