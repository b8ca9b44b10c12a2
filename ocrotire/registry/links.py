"""The extension point for merge: every app that links to persons moves its links here, and back on undo.

Apps register a mover in their AppConfig.ready(); it is an explicit call, not a signal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class LinkMover:
    name: str
    # (from_person_id, to_person_id) -> ids of the rows moved
    move: Callable[[int, int], list[int]]
    # (ids, back_to_person_id) -> None
    move_back: Callable[[list[int], int], None]


LINK_MOVERS: list[LinkMover] = []


def register(mover: LinkMover) -> None:
    if all(existing.name != mover.name for existing in LINK_MOVERS):
        LINK_MOVERS.append(mover)
