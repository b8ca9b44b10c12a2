"""Builders for placement tests: the decision a planned placement rests on (gatekeeping)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone


def decided(*, api: bool = False, **values: Any) -> dict[str, Any]:
    """The gatekeeping commission's approving decision, as `placement_start` keywords (or, with
    `api`, as the JSON body's fields)."""
    today = timezone.localdate()
    return {
        "decision_by": "gatekeeper",
        "decision_outcome": "approved",
        "decision_reference": "Hotărârea nr. 7",
        "decision_date": today.isoformat() if api else today,
        **values,
    }
