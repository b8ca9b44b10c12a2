"""The names of the service needs an assessment records (codes of the country's service
catalogue). The provider register knows the catalogue and registers how to name them from its
AppConfig.ready(), so that the case page and the case file show names, never codes, and cases
needs to know nothing of the catalogue."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

# The names of the codes a country's catalogue knows, in the reader's language.
NameNeeds = Callable[[str, Iterable[str]], Mapping[str, str]]

_NAMERS: dict[str, NameNeeds] = {}


def register_namer(name: str, namer: NameNeeds) -> None:
    """Registering a name again replaces it (an app's ready() may run twice in tests)."""
    _NAMERS[name] = namer


def need_names(country: str, codes: Iterable[str]) -> dict[str, str]:
    """Each code's name; a code no catalogue knows (typed by hand) stays as it was written."""
    wanted = list(dict.fromkeys(codes))
    if not wanted:
        return {}
    names = {code: code for code in wanted}
    for namer in _NAMERS.values():
        names.update(namer(country, wanted))
    return names
