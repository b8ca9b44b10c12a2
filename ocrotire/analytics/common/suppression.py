"""Small-cell suppression: a count from 1 to 4 could identify a child, so readers without access
to the records see it as "<5". Zero identifies nobody and is shown.

Suppression is complementary: where figures add up (the parts of a row and the row, the months of
a series and the series' total, a unit and its parts), hiding one of them alone would let a reader
compute it back by subtraction. So in every additive group where exactly one figure is hidden, the
next-smallest figure of that group is hidden too ("secondary", shown with a mark of its own), and
this is repeated until no group has a single hidden figure, since one group's secondary cell may
leave another group with one."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

THRESHOLD = 5
SUPPRESSED = "<5"
# A figure of 5 or more hidden only so that a "<5" beside it cannot be computed back.
SECONDARY = "×"

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Group(Generic[K]):
    """Figures that add up: `parts` sum to `total`. A total that is not one of the figures
    shown (`total=None`) is taken as known to the reader: it may be shown elsewhere (another
    series of the same reports, the same year's official report), so a part it reveals must be
    hidden all the same."""

    total: K | None
    parts: tuple[K, ...]


def cell(value: int, *, exact: bool) -> int | str:
    """The figure as the reader may see it, on its own (no group around it)."""
    if exact or value == 0 or value >= THRESHOLD:
        return value
    return SUPPRESSED


def is_small(value: int) -> bool:
    return 0 < value < THRESHOLD


def hidden_cells(
    values: Mapping[K, int],
    groups: Iterable[Group[K]],
    *,
    shown: Iterable[K] | None = None,
) -> tuple[set[K], set[K]]:
    """The figures to hide: (the small ones, those hidden beside them). `values` holds every
    figure a group names; only those in `shown` (all, by default) appear to the reader and may be
    hidden as secondary cells. A figure not shown but named by a group counts as known unless it
    is itself small (a unit's remainder beside its mapped parts, a total never printed)."""
    displayed = set(values) if shown is None else set(shown)
    order = {key: i for i, key in enumerate(values)}
    groups = list(groups)
    primary = {key for key, value in values.items() if is_small(value)}
    hidden = set(primary)
    secondary: set[K] = set()
    changed = True
    while changed:
        changed = False
        for group in groups:
            cells: Sequence[K] = group.parts if group.total is None else (*group.parts, group.total)
            if sum(1 for key in cells if key in hidden) != 1:
                continue
            free = [key for key in group.parts if key in displayed and key not in hidden]
            # The smallest figure that is not zero (a hidden zero protects nothing the reader
            # could not guess), else the total, else a zero part.
            candidates = [key for key in free if values[key] > 0]
            total = group.total
            if not candidates and total is not None and total in displayed and total not in hidden:
                candidates = [total]
            if not candidates:
                candidates = free
            if not candidates:
                continue
            pick = min(candidates, key=lambda key: (values[key], order[key]))
            hidden.add(pick)
            secondary.add(pick)
            changed = True
    return primary & displayed, secondary


def suppress(
    values: Mapping[K, int], groups: Iterable[Group[K]], *, exact: bool
) -> dict[K, int | str]:
    """Every figure as the reader may see it: exact for readers of the records, else small ones
    as "<5" and those that would give them away as "×"."""
    if exact:
        return dict(values)
    primary, secondary = hidden_cells(values, groups)
    return {
        key: SUPPRESSED if key in primary else SECONDARY if key in secondary else value
        for key, value in values.items()
    }


def is_suppressed(value: object) -> bool:
    """Whether a figure as shown is hidden (either mark)."""
    return value in (SUPPRESSED, SECONDARY)
