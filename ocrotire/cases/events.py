"""What the case's own events say on the timeline."""

from __future__ import annotations

from ocrotire.cases.models import Stage


def stage_label(stage: str) -> str:
    return str(Stage(stage).label) if stage in Stage.values else stage
