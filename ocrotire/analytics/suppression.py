"""Small-cell suppression: a count from 1 to 4 could identify a child, so readers without access
to the records see it as "<5". Zero identifies nobody and is shown."""

from __future__ import annotations

THRESHOLD = 5
SUPPRESSED = "<5"


def cell(value: int, *, exact: bool) -> int | str:
    """The figure as the reader may see it."""
    if exact or value == 0 or value >= THRESHOLD:
        return value
    return SUPPRESSED


def is_suppressed(value: object) -> bool:
    return value == SUPPRESSED
