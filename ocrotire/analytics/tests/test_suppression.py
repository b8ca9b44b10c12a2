"""Complementary suppression on its own: whatever the figures, no additive group is left with a
single hidden figure, and nothing is hidden from a reader of the records."""

from __future__ import annotations

import random

import pytest

from ocrotire.analytics.common.suppression import SECONDARY, SUPPRESSED, Group, suppress
from ocrotire.analytics.official.hg270 import GROUPS, KEYS


def _single_hidden(shown: dict[str, int | str], groups: list[Group[str]]) -> list[Group[str]]:
    bad = []
    for group in groups:
        cells = list(group.parts) + ([group.total] if group.total else [])
        if sum(1 for key in cells if isinstance(shown[key], str)) == 1:
            bad.append(group)
    return bad


@pytest.mark.parametrize("seed", range(200))
def test_no_group_of_the_hg270_report_has_one_hidden_row(seed: int) -> None:
    rng = random.Random(seed)
    values = {key: rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 14, 40]) for key in KEYS}
    shown = suppress(values, GROUPS, exact=False)
    assert not _single_hidden(shown, GROUPS)
    for key, value in values.items():
        if 1 <= value <= 4:
            assert shown[key] == SUPPRESSED
        elif shown[key] != value:
            assert shown[key] == SECONDARY
    assert suppress(values, GROUPS, exact=True) == values


def test_a_second_cell_hidden_in_one_group_is_protected_in_the_next() -> None:
    """Row 1 with 1.1 small: 1.2 (the next-smallest) is hidden beside it; 1.2 is also a part of
    another group (here with a known total) where it would then be alone, so one more goes."""
    values = {"t": 30, "a": 3, "b": 7, "c": 20, "b2": 12, "d": 9}
    groups = [Group("t", ("a", "b", "c")), Group(None, ("b", "d", "b2"))]
    shown = suppress(values, groups, exact=False)
    assert shown == {"t": 30, "a": "<5", "b": "×", "c": 20, "b2": 12, "d": "×"}


def test_the_total_is_hidden_when_it_is_the_only_other_figure() -> None:
    values = {"t": 9, "a": 3, "b": 6}
    shown = suppress(values, [Group("t", ("a", "b"))], exact=False)
    # b, the only other part, is hidden; the total may stay, as a and b are both unknown.
    assert shown == {"t": 9, "a": "<5", "b": "×"}
    values = {"t": 3, "a": 3, "b": 0}
    shown = suppress(values, [Group("t", ("a", "b"))], exact=False)
    assert shown["t"] == "<5"
    assert shown["a"] == "<5"
