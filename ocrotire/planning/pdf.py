"""The plan as a PDF (WeasyPrint): every row with its cells, money and the year's progress."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from ocrotire.core.pdf import html_to_pdf
from ocrotire.planning.models import ProgressStatus, Strategy
from ocrotire.planning.selectors import plan_rows, plan_tree


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
    return html_to_pdf(html)
