"""The panels other apps add to a report's card, so that intake needs to know none of them: the
cases app adds what triage decided (with the report's cases) and the triage form. Each app
registers its panels in its AppConfig.ready(); the card shows them in `order`, between the
agencies notified and the notification form."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ocrotire.accounts.models import User
from ocrotire.intake.models import Report


@dataclass(frozen=True)
class Panel:
    name: str
    order: int
    # What the panel's template reads as `panel` (beside the card's own `report`); None leaves the
    # panel out for this reader and this report.
    context: Callable[[User, Report], Mapping[str, Any] | None]
    template: str


_PANELS: dict[str, Panel] = {}


def register(
    name: str,
    order: int,
    context: Callable[[User, Report], Mapping[str, Any] | None],
    template: str,
) -> None:
    """Registering a name again replaces its panel (an app's ready() may run twice in tests)."""
    _PANELS[name] = Panel(name, order, context, template)


def panels_of(
    user: User, report: Report, *, bound: Mapping[str, Mapping[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """The panels this reader sees on this report's card, in order, each as its template and its
    context. `bound` overrides what a shown panel holds, by panel name: a form as it was posted,
    with its errors."""
    shown = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.name)):
        context = panel.context(user, report)
        if context is None:
            continue
        shown.append(
            {
                "name": panel.name,
                "template": panel.template,
                "context": {**context, **(bound or {}).get(panel.name, {})},
            }
        )
    return shown
