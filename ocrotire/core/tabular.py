"""Lists written as CSV or an Excel workbook, the same way for every export (analytics' lists,
a benefit programme's certificates): CSV in UTF-8 with a byte-order mark, so Excel reads
Romanian and Cyrillic letters; a text cell a spreadsheet would take for a formula is written as
text (an apostrophe in CSV, a string cell in the workbook), so nothing a user typed is ever
evaluated when the file is opened (CSV injection)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any, cast

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

Cell = str | int | Decimal | date | datetime | None
# A text cell starting with one of these is a formula to a spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | Decimal):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def write_csv(out: IO[bytes], headers: list[str], rows: Iterable[list[Cell]]) -> int:
    """UTF-8 with a byte-order mark, so that Excel reads Romanian and Cyrillic letters right;
    a text cell that a spreadsheet would take for a formula starts with an apostrophe."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow([_csv_text(header) for header in headers])
    count = 0
    for row in rows:
        writer.writerow([_csv_text(value) for value in row])
        count += 1
    text.flush()
    text.detach()
    return count


def _xlsx_cell(sheet: Any, value: Cell) -> Any:
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, cast(Any, value))  # openpyxl writes dates, its stubs omit them
        cell.number_format = "yyyy-mm-dd"
        return cell
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", value))
        # Text that looks like a formula stays text: never evaluated when the file is opened.
        cell.data_type = "s"
        return cell
    return value


def write_xlsx(
    out: IO[bytes], headers: list[str], rows: Iterable[list[Cell]], *, title: str
) -> int:
    """An Excel workbook written row by row (openpyxl's write-only mode keeps memory flat)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([_xlsx_cell(sheet, header) for header in headers])
    count = 0
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
        count += 1
    workbook.save(out)
    return count
