"""The plan as an Excel workbook in its own column layout — 1 specific objective, 2 action,
3 sub-action, 4 deadline, 5 responsible, 6 partners, 7-1…7-3 result, outcome and specific
objective indicators, 8 total and 8-1…8-4 money by source — and back: a workbook exported here
(or kept by planners in the same layout) imports to the same plan. A second sheet carries the
indicators' definitions (computation, baseline, targets), which the plan's columns cannot hold."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ocrotire.core.files import check_workbook_size
from ocrotire.planning import parsing
from ocrotire.planning.models import (
    FUNDING_COLUMNS,
    FundingSource,
    Indicator,
    IndicatorKind,
    Level,
    PlanItem,
    Strategy,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PLAN_SHEET = "Plan"
INDICATOR_SHEET = "Indicatori"
HEADINGS = (
    "Obiective specifice (conform strategiei)",
    "Acțiuni (conform strategiei)",
    "Denumirea subacțiunii (activității)",
    "Termen/ periodicitatea de realizare",
    "Autoritatea/ Instituția responsabilă",
    "Parteneri",
    "Indicatorii de rezultat: subacțiune (3)",
    "Indicatorii de rezultat: acțiune (2)",
    "Indicatorii de rezultat: obiectiv specific (1)",
    "Total",
    "Buget municipal",
    "Buget de stat",
    "Alte surse. donații",
    "Ne- acoperit",
)
INDICATOR_HEADINGS = (
    "Cod",
    "Tip",
    "Indicator",
    "Unitate",
    "Calculat de",
    "Valoare de bază",
    "Anul de bază",
    "Ținte (an: valoare)",
)
WIDTHS = (28, 28, 48, 14, 18, 18, 30, 26, 26, 12, 12, 12, 12, 12)
MAX_ROWS = 20_000


def is_workbook(raw: bytes) -> bool:
    return raw[:4] == b"PK\x03\x04" and zipfile.is_zipfile(io.BytesIO(raw))


def _as_text(sheet: Any) -> None:
    """Text that starts with "=" stays text: openpyxl would make it a formula (one that runs in
    the reader's Excel, and reads back empty)."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"


def _money_cell(amount: Decimal, currency: str) -> Any:
    if currency == "MDL":
        return float(amount) if amount != amount.to_integral() else int(amount)
    return f"{amount} {currency}"


def write_plan(strategy: Strategy) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = PLAN_SHEET
    sheet.append([strategy.name])
    sheet.append([strategy.approving_decision or ""])
    sheet.append(list(HEADINGS))
    sheet.append(list(parsing.COLUMNS))
    heading_row = 4
    for column, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    for heading in sheet[3] + sheet[4]:
        heading.font = Font(bold=True)
    items = list(
        PlanItem.objects.filter(strategy=strategy)
        .prefetch_related("funding", "indicators")
        .order_by("position", "id")
    )
    pending: dict[str, str] = {"1": "", "2": "", "7-2": "", "7-3": ""}
    wrap = Alignment(wrap_text=True, vertical="top")

    def flush_objective_rows() -> None:
        """An action or objective without a sub-action still gets its own row."""
        if pending["1"] or pending["2"]:
            sheet.append(
                [pending["1"], pending["2"], "", "", "", "", "", pending["7-2"], pending["7-3"]]
            )
            for key in pending:
                pending[key] = ""

    def titled(item: PlanItem) -> str:
        """Code and title, the note kept as the Word table's footnote ("[1: …]")."""
        text = f"{item.code} {item.title}"
        return f"{text} [1: {item.note}]" if item.note else text

    def indicators_text(item: PlanItem) -> str:
        return "\n".join(f"{i.code} {i.text}" for i in item.indicators.all())

    for item in items:
        if item.level == Level.GENERAL:
            flush_objective_rows()
            impact = "\n".join(f"{i.code} {i.text}" for i in item.indicators.all())
            text = f"Obiectiv general {item.code}: {item.title}"
            if impact:
                text += f"\nIndicatori de impact: \n{impact}"
            sheet.append([text])
            row = sheet.max_row
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=14)
            sheet.cell(row=row, column=1).font = Font(bold=True)
            continue
        if item.level == Level.SPECIFIC:
            flush_objective_rows()
            pending["1"] = titled(item)
            pending["7-3"] = indicators_text(item)
            continue
        if item.level == Level.ACTION:
            if pending["2"]:
                flush_objective_rows()
            pending["2"] = titled(item)
            pending["7-2"] = indicators_text(item)
            continue
        by_source: dict[str, Any] = {}
        total = Decimal(0)
        currencies = set()
        for funding in item.funding.all():
            source = funding.source if funding.source in FUNDING_COLUMNS else FundingSource.OTHER
            by_source[source] = by_source.get(source, Decimal(0)) + funding.amount
            total += funding.amount
            currencies.add(funding.currency)
        currency = currencies.pop() if len(currencies) == 1 else "MDL"
        unspecified = any(f.source == FundingSource.UNSPECIFIED for f in item.funding.all())
        sheet.append(
            [
                pending["1"],
                pending["2"],
                titled(item),
                item.deadline_text,
                item.responsible_text,
                item.partners_text,
                item.result_text,
                pending["7-2"],
                pending["7-3"],
                # A total without a source is written as such, not as "other sources".
                (_money_cell(total, currency) if total else None)
                if not unspecified
                else f"{total} {currency}",
                *[
                    _money_cell(by_source[source], currency)
                    if source in by_source and not unspecified
                    else None
                    for source in FUNDING_COLUMNS
                ],
            ]
        )
        for key in pending:
            pending[key] = ""
    flush_objective_rows()
    for line in sheet.iter_rows(min_row=heading_row + 1):
        for written in line:
            written.alignment = wrap
    sheet.freeze_panes = f"A{heading_row + 1}"
    _as_text(sheet)
    _write_indicators(book, strategy)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _write_indicators(book: Workbook, strategy: Strategy) -> None:
    sheet = book.create_sheet(INDICATOR_SHEET)
    sheet.append(list(INDICATOR_HEADINGS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for indicator in Indicator.objects.filter(strategy=strategy).prefetch_related("targets"):
        targets = "; ".join(
            f"{t.year or '*'}: {t.value.normalize():f} {t.comparator}"
            for t in indicator.targets.all()
        )
        sheet.append(
            [
                indicator.code,
                indicator.kind,
                indicator.text,
                indicator.unit,
                indicator.computation,
                float(indicator.baseline) if indicator.baseline is not None else None,
                indicator.baseline_year,
                targets,
            ]
        )
    _as_text(sheet)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_plan(raw: bytes) -> parsing.ParsedPlan:
    """Read a workbook in the plan's layout: the first sheet's rows after the row of column
    numbers (1 … 8-4), a general objective as a row whose first cell says so."""
    check_workbook_size(raw)
    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ValidationError({"file": _("This file is not an Excel workbook (.xlsx).")}) from exc
    sheet = book[PLAN_SHEET] if PLAN_SHEET in book.sheetnames else book.worksheets[0]
    plan = parsing.ParsedPlan()
    rows = sheet.iter_rows(values_only=True)
    header: list[str] = []
    for count, row in enumerate(rows, start=1):
        cells = [_text(v).strip() for v in row]
        if cells[:3] == ["1", "2", "3"] and "8-4" in cells:
            break
        header.append(next((c for c in cells if c), ""))
        if count > 50:
            raise ValidationError(
                {"file": _("The row of column numbers (1, 2, 3 … 8-4) was not found.")}
            )
    else:
        raise ValidationError(
            {"file": _("The row of column numbers (1, 2, 3 … 8-4) was not found.")}
        )
    lines = [h for h in header if h and h not in parsing.COLUMNS and h not in HEADINGS]
    plan.name = lines[0] if lines else ""
    plan.approving_decision = lines[1] if len(lines) > 1 else ""
    period = parsing.PERIOD.search(plan.name)
    if period:
        plan.period_start, plan.period_end = int(period.group(1)), int(period.group(2))
    general = specific = action = ""
    for number, row in enumerate(rows, start=1):
        if number > MAX_ROWS:
            raise ValidationError({"file": _("The plan has more than 20,000 rows.")})
        cells = [_text(v) for v in row][: len(parsing.COLUMNS)]
        cells += [""] * (len(parsing.COLUMNS) - len(cells))
        if not any(c.strip() for c in cells):
            continue
        if parsing.GENERAL.match(parsing.clean(cells[0])):
            item, issues = parsing.parse_general(cells[0])
            plan.items.append(item)
            plan.issues.extend(issues)
            general, specific, action = item.code, "", ""
            continue
        specific, action = parsing.read_row(plan, cells, number, general, specific, action)
    if INDICATOR_SHEET in book.sheetnames:
        plan.definitions = _read_indicators(book[INDICATOR_SHEET], plan)
    return plan


def _decimal(value: str) -> Decimal | None:
    """A finite number the database can hold, else None."""
    try:
        number = Decimal(value.replace(",", ".")) if value.strip() else None
    except InvalidOperation:
        return None
    if number is None or not number.is_finite() or abs(number) >= parsing.LARGEST:
        return None
    return number


def _year(value: str) -> int | None:
    return int(value) if value.isdigit() and 1990 <= int(value) <= 2100 else None


def _read_indicators(sheet: Any, plan: parsing.ParsedPlan) -> dict[str, dict[str, Any]]:
    """Definitions by indicator code: computation, unit, baseline and targets."""
    definitions: dict[str, dict[str, Any]] = {}
    for row in sheet.iter_rows(min_row=2, values_only=True):
        cells = [_text(v).strip() for v in row][:8]
        cells += [""] * (8 - len(cells))
        code, kind, _label, unit, computation, baseline, baseline_year, targets = cells
        if not code:
            continue
        parsed_targets = []
        for chunk in filter(None, (t.strip() for t in targets.split(";"))):
            year, _sep, rest = chunk.partition(":")
            value, _space, comparator = rest.strip().partition(" ")
            amount = _decimal(value)
            if amount is None or not (year.strip() == "*" or _year(year.strip())):
                plan.issues.append(parsing.Issue(code, INDICATOR_SHEET, chunk, "indicator_code"))
                continue
            parsed_targets.append(
                (None if year.strip() == "*" else int(year), amount, comparator or "at_least")
            )
        if (baseline and _decimal(baseline) is None) or (
            baseline_year and not _year(baseline_year)
        ):
            plan.issues.append(
                parsing.Issue(
                    code, INDICATOR_SHEET, f"{baseline} {baseline_year}", "indicator_code"
                )
            )
        definitions[code] = {
            "kind": kind if kind in IndicatorKind.values else "",
            "unit": unit,
            "computation": computation,
            "baseline": _decimal(baseline),
            "baseline_year": _year(baseline_year),
            "targets": parsed_targets,
        }
    return definitions
