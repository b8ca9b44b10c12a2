"""The panels other apps add to a case's page and to its case file (PDF), so that cases needs to
know none of them: care adds the child's placements. Each app registers its panels in its
AppConfig.ready(); the page and the file show them in `order`, after the case records."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ocrotire.accounts.models import User
from ocrotire.cases.models import Case

# What a panel's template reads as `panel` (beside the page's own `case`) for this reader and
# this case; None leaves the panel out.
PanelContext = Callable[[User, Case], Mapping[str, Any] | None]


@dataclass(frozen=True)
class Panel:
    name: str
    order: int
    context: PanelContext
    template: str
    # In the case file too, when it has a template there; its own context, or the page's.
    pdf_template: str = ""
    pdf_context: PanelContext | None = None


_PANELS: dict[str, Panel] = {}


def register(panel: Panel) -> None:
    """Registering a name again replaces its panel (an app's ready() may run twice in tests)."""
    _PANELS[panel.name] = panel


def _shown(user: User, case: Case, *, pdf: bool) -> list[dict[str, Any]]:
    shown = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.name)):
        if pdf and not panel.pdf_template:
            continue
        context_of = (panel.pdf_context or panel.context) if pdf else panel.context
        context = context_of(user, case)
        if context is not None:
            template = panel.pdf_template if pdf else panel.template
            shown.append({"name": panel.name, "template": template, "context": context})
    return shown


def page_panels(user: User, case: Case) -> list[dict[str, Any]]:
    """The panels of the case page, in order, each as its template and its context."""
    return _shown(user, case, pdf=False)


def pdf_panels(user: User, case: Case) -> list[dict[str, Any]]:
    """The sections other apps add to the case file, in order."""
    return _shown(user, case, pdf=True)
