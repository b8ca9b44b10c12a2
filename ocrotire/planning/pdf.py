"""The plan as a PDF (WeasyPrint): every row with its cells, money and the year's progress."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from ocrotire.planning.models import ProgressStatus, Strategy
from ocrotire.planning.selectors import plan_rows, plan_tree


class PdfUnavailable(Exception):
    """The server lacks the libraries WeasyPrint draws with (Pango)."""


def plan_pdf(strategy: Strategy, year: int) -> bytes:
    html = render_to_string(
        "planning/plan_pdf.html",
        {
            "strategy": strategy,
            "year": year,
            "rows": plan_rows(plan_tree(strategy, year=year)),
            "statuses": dict(ProgressStatus.choices),
            "printed": timezone.localtime(),
        },
    )
    try:
        from weasyprint import HTML
    except OSError as exc:  # pragma: no cover - depends on the server's system libraries
        raise PdfUnavailable(str(exc)) from exc
    return bytes(HTML(string=html).write_pdf())
