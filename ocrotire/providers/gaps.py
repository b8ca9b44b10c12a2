"""What else answers a child's service need in the gap analysis (`selectors.unmet_needs`), besides
an enrolment or a referral of the provider register: apps register a reader in their
AppConfig.ready() (care: an active placement at a service point of that type), so that providers
needs to know none of them."""

from __future__ import annotations

from collections.abc import Callable, Iterable

# Children's ids -> (child id, service type code) for each need answered.
NeedsAnswered = Callable[[list[int]], Iterable[tuple[int, str]]]

_READERS: dict[str, NeedsAnswered] = {}


def register_needs_answered(name: str, reader: NeedsAnswered) -> None:
    """Registering a name again replaces its reader (an app's ready() may run twice in tests)."""
    _READERS[name] = reader


def needs_answered(children: list[int]) -> Iterable[tuple[int, str]]:
    """(child id, service type code) of every need of these children another app answers."""
    for reader in _READERS.values():
        yield from reader(children)
