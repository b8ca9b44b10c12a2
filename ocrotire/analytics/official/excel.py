"""Workbooks of the official reports."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from ocrotire.analytics.official.hg270 import LINES

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def hg270_workbook(document: dict[str, Any]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "HG 270"
    sheet.append([_("HG 270 annual monitoring report")])
    sheet["A1"].font = Font(bold=True, size=13)
    # Names are data: one that starts like a formula stays text.
    area = f"{document['unit_name']} ({document['unit']})"
    sheet.append([_("Area"), "'" + area if area.startswith(("=", "+", "-", "@")) else area])
    sheet.append([_("Year"), document["year"]])
    if document["suppressed"]:
        sheet.append([_("Counts from 1 to 4 are shown as <5.")])
        sheet.append(
            [
                _(
                    "A figure shown as × is hidden so that another figure cannot be computed by subtraction."
                )
            ]
        )
    sheet.append([])
    sheet.append([_("Row"), _("Indicator"), _("Count")])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for line in LINES:
        label = ("    " * line.depth) + str(line.label)
        sheet.append([line.key, label, document["rows"][line.key]])
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 80
    sheet.column_dimensions["C"].width = 12
    out = BytesIO()
    book.save(out)
    return out.getvalue()
