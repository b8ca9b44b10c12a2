"""Reading an action plan as it stands: the text of the Word table of the Chișinău strategy's
action plan (seed 002), and the cells of such a plan wherever they come from (the Excel
workbook too). Pure functions: text in, plain data out, and a list of what could not be
understood — never silently dropped.

The Word table reaches us as text with one tab before every cell: a general objective is one
cell spanning the table; every other row has the plan's 14 columns (1–6, 7-1…7-3, 8, 8-1…8-4),
a cell empty where the Word cell was merged with the one above."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

# Amounts and targets beyond this are misreadings (a year glued to a number): refused, listed.
LARGEST = Decimal(10) ** 13
COLUMNS = ("1", "2", "3", "4", "5", "6", "7-1", "7-2", "7-3", "8", "8-1", "8-2", "8-3", "8-4")
MONEY_COLUMNS = {"8-1": "municipal", "8-2": "state", "8-3": "other", "8-4": "uncovered"}

_FOOTNOTE_REF = re.compile(r"\[footnoteRef:\d+\]")
_FOOTNOTE = re.compile(r"\[(\d+):\s*(.*?)\]", re.S)
_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
_SPACES = re.compile(r"[ \t]+")
_CODE = {
    "specific": re.compile(r"^(\d+\.\d+)\.?\s+(?=\D)"),
    "action": re.compile(r"^(\d+\.\d+\.\d+)\.?\s*(?=\D)"),
    "subaction": re.compile(r"^(\d+\.\d+\.\d+\.\d+)\.?\s*(?=\D)"),
}
GENERAL = re.compile(r"^Obiectiv general\s+(\d+)\s*[:.]\s*(.*)$", re.S | re.I)
_IMPACT = re.compile(r"(I\.\d+\.\d+)\.?\s+(.*?)(?=\s*(?:I\.\d+\.\d+)|\Z)", re.S)
_OUTCOME = re.compile(r"^(\d+\.\d+\.\d+)\s*\.?\s*([a-z])\)\s*(.*)$", re.S)
_SPECIFIC_INDICATOR = re.compile(r"^(\d+\.\d+)\.([ivx]+)(?:\.\s*|\s+)(.*)$", re.S)
_CROSS_REF = re.compile(r"\((?:activitatea\s+|activitățile\s+|vezi\s+)?(\d+(?:\.\d+){1,3})\)")
_DECISION_DATE = re.compile(r"\b(\d{2})\.(\d{2})\.(\d{4})\b")
PERIOD = re.compile(r"(20\d\d)\s*[-–]\s*(20\d\d)")


@dataclass
class Issue:
    """Something the importer could not read: where, which column, the text, and why (one of
    `planning.models.Problem`)."""

    location: str
    column: str
    text: str
    problem: str


@dataclass
class Deadline:
    kind: str  # year, range, annual, periodic, permanent, as_needed, unknown
    start_year: int | None = None
    end_year: int | None = None
    times_per_year: int | None = None


@dataclass
class Target:
    unit: str
    value: Decimal | None
    comparator: str = "at_least"  # at_least, exactly
    annual: bool = False
    percent: bool = False


@dataclass
class Money:
    source: str  # municipal, state, other, uncovered, unspecified
    amount: Decimal
    currency: str = "MDL"
    text: str = ""


@dataclass
class Indicator:
    code: str
    text: str


@dataclass
class Item:
    level: str  # general, specific, action, subaction
    code: str
    title: str
    parent: str = ""
    note: str = ""
    deadline_text: str = ""
    deadline: Deadline | None = None
    responsible_text: str = ""
    partners_text: str = ""
    result_text: str = ""
    targets: list[Target] = field(default_factory=list)
    money: list[Money] = field(default_factory=list)
    cross_refs: list[str] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)


@dataclass
class ParsedPlan:
    name: str = ""
    document_date: str = ""  # ISO date
    approving_decision: str = ""
    period_start: int | None = None
    period_end: int | None = None
    items: list[Item] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)  # codes of rows the document cut short
    # Indicator definitions by code (the workbook's second sheet): computation, unit, targets…
    definitions: dict[str, dict[str, Any]] = field(default_factory=dict)


def clean(text: str) -> str:
    """A cell's text without Word's markup, with single spaces and no blank lines."""
    text = _FOOTNOTE_REF.sub("", text)
    text = _BOOKMARK.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r", "").split("\n")]
    return "\n".join(line for line in lines if line)


def footnotes(text: str) -> tuple[str, str]:
    """Split a cell into its text and its footnotes' text ("[2: …]")."""
    notes = [m.group(2).strip() for m in _FOOTNOTE.finditer(text)]
    return _FOOTNOTE.sub("", text), " ".join(notes)


def split_code(text: str, level: str) -> tuple[str, str] | None:
    found = _CODE[level].match(text)
    if found is None:
        return None
    return found.group(1), text[found.end() :].strip()


# Periodicity words of the plan, in Romanian (the seed), with Russian, Ukrainian and English.
_ANNUAL = re.compile(r"\b(anual|annual|yearly|ежегодно|щорічно)", re.I)
_PERMANENT = re.compile(r"\b(permanent|continuous|постоянно|постійно)", re.I)
_AS_NEEDED = re.compile(
    r"(după necesitate|la necesitate|as needed|по необходимости|за потреби)", re.I
)
_PERIODIC = re.compile(r"\b(periodic|periodically|периодически|періодично)", re.I)
_TIMES = re.compile(r"(\d+)\s*(?:ori|times|раз[а]?)\b", re.I)
_YEAR = re.compile(r"\b(20\d\d)\b")
_RANGE = re.compile(r"\b(20\d\d)\s*[-–]\s*(\d{2}|20\d\d)\b")


def parse_deadline(text: str) -> Deadline:
    """'2022', '2023-25', '2021-22', 'anual', 'Periodic (2 ori de pe an)', 'permanent',
    'După necesitate', '2022 și anual', '2022 și actualizat periodic'."""
    text = text.strip()
    start = end = None
    span = _RANGE.search(text)
    if span:
        start = int(span.group(1))
        tail = span.group(2)
        end = int(tail) if len(tail) == 4 else start // 100 * 100 + int(tail)
        if end < start:
            start, end = end, start
    else:
        year = _YEAR.search(text)
        if year:
            start = int(year.group(1))
    times = _TIMES.search(text)
    times_per_year = int(times.group(1)) if times else None
    if times_per_year is not None and not 0 < times_per_year <= 366:
        return Deadline("unknown", start, end)
    if _AS_NEEDED.search(text):
        return Deadline("as_needed", start, end)
    if _PERMANENT.search(text):
        return Deadline("permanent", start, end)
    if _ANNUAL.search(text):
        return Deadline("annual", start, end, times_per_year or 1)
    if _PERIODIC.search(text):
        return Deadline("periodic", start, end, times_per_year)
    if start is not None and end is not None:
        return Deadline("range", start, end)
    if start is not None and re.fullmatch(r"\s*20\d\d\s*\.?", text):
        return Deadline("year", start, start)
    return Deadline("unknown", start, end, times_per_year)


# "Nr. seminare-1", "Nr. participanți – 30", "Nr. de sesizări parvenite – 600", "Nr. instruire 1",
# "30 profesori", "Cel puțin 6 cazuri", "(50%) școli".
_NR_TARGET = re.compile(
    r"\bNr\.?\s*(?:de\s+)?(?P<unit>[^\d\-–—.,;:]+?)\s*(?:[-–—:]\s*|\s)(?P<value>\d+(?:[.,]\d+)?)\b",
    re.I,
)
_NR_UNQUANTIFIED = re.compile(r"\bNr\.?\s*(?:de\s+)?(?P<unit>[^\d\-–—.,;:]+?)\s*(?:[.,;]|$)", re.I)
_COUNT_FIRST = re.compile(
    r"(?<![\w.])(?P<value>\d+(?:[.,]\d+)?)\s+(?P<unit>[a-zA-ZăâîșțĂÂÎȘȚ][^\d,.;]*)"
)
_PERCENT = re.compile(r"\(?(?P<value>\d+(?:[.,]\d+)?)\s*%\)?\s*(?P<unit>[^\d,.;]*)")
_AT_LEAST = re.compile(r"\b(cel puțin|minimum|at least|не менее|щонайменше)\b", re.I)


def _number(value: str) -> Decimal:
    return Decimal(value.replace(",", "."))


def parse_targets(text: str) -> tuple[list[Target], list[str]]:
    """The quantified targets of a result-indicator cell, and the parts named without a number
    (for a planner to complete). 'Anual: Nr. seminare-1, Nr. participanți – 30.' gives
    seminare 1 and participanți 30 each year."""
    flat = " ".join(text.split())
    annual = bool(re.search(r"\banual\b", flat, re.I))
    at_least = bool(_AT_LEAST.search(flat))
    targets: list[Target] = []
    unquantified: list[str] = []
    taken: list[tuple[int, int]] = []

    def add(unit: str, value: Decimal | None, span: tuple[int, int], percent: bool = False) -> None:
        unit = unit.strip(" .:-–—()").strip()
        if not unit:
            return
        if value is not None and value >= LARGEST:
            taken.append(span)
            unquantified.append(unit)
            return
        taken.append(span)
        targets.append(
            Target(
                unit=unit,
                value=value,
                comparator="at_least" if at_least or value is not None else "exactly",
                annual=annual,
                percent=percent,
            )
        )

    for m in _NR_TARGET.finditer(flat):
        add(m.group("unit"), _number(m.group("value")), m.span())
    for m in _NR_UNQUANTIFIED.finditer(flat):
        if not any(a <= m.start() < b for a, b in taken):
            unit = m.group("unit").strip(" .:-–—").strip()
            if unit:
                unquantified.append(unit)
                taken.append(m.span())
    for m in _PERCENT.finditer(flat):
        if not any(a <= m.start() < b for a, b in taken):
            add(m.group("unit") or "%", _number(m.group("value")), m.span(), percent=True)
    for m in _COUNT_FIRST.finditer(flat):
        if not any(a <= m.start() < b for a, b in taken):
            unit = re.split(r"\s+(?:anual|format|formați|elaborate)\b", m.group("unit"))[0]
            add(unit, _number(m.group("value")), m.span())
    return targets, unquantified


_MONEY = re.compile(
    r"(?<![\d.,])(?P<amount>\d{1,3}(?:[ \u00a0]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)\s*"
    r"(?P<scale>mii|mil(?:\.|ioane)?|milioane)?\s*"
    r"(?P<currency>lei|MDL|EUR|euro|USD|UAH|грн|KGS|сом|RON)\b",
    re.I,
)
_SOURCES = (
    ("municipal", re.compile(r"buget(?:ul)?\s+mun", re.I)),
    ("state", re.compile(r"buget(?:ul)?\s+de\s+stat|state budget", re.I)),
    ("other", re.compile(r"alte\s+surse|donați|donor|grant", re.I)),
    ("uncovered", re.compile(r"ne-?\s*acoperit|neacoperit|uncovered", re.I)),
)
_CURRENCIES = {
    "lei": "MDL",
    "mdl": "MDL",
    "eur": "EUR",
    "euro": "EUR",
    "usd": "USD",
    "uah": "UAH",
    "грн": "UAH",
    "kgs": "KGS",
    "сом": "KGS",
    "ron": "RON",
}


def parse_money(text: str, column: str = "8") -> tuple[list[Money], str | None]:
    """'400,0 mii lei. Buget municipal' → 400,000 MDL from the municipal budget. In a source
    column (8-1…8-4) the source is the column's; in the total column (8) it is read from the
    text. Returns the amounts and why a non-empty cell could not be read (or None)."""
    flat = " ".join(text.split())
    if not flat:
        return [], None
    found = list(_MONEY.finditer(flat))
    bare = re.fullmatch(r"\s*(\d{1,3}(?:[ \u00a0]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)\s*", flat)
    if not found and not bare:
        return [], "no amount with a currency"
    if column in MONEY_COLUMNS:
        source = MONEY_COLUMNS[column]
    else:
        source = next((name for name, pattern in _SOURCES if pattern.search(flat)), "unspecified")
    amounts = []
    for m in found or []:
        try:
            amount = _number(m.group("amount").replace(" ", "").replace("\u00a0", ""))
        except InvalidOperation:
            return [], "amount not understood"
        scale = (m.group("scale") or "").lower()
        if scale.startswith("mii"):
            amount *= 1000
        elif scale.startswith("mil"):
            amount *= 1_000_000
        if amount >= LARGEST:
            return [], "too large"
        currency = _CURRENCIES.get(m.group("currency").lower(), "MDL")
        amounts.append(Money(source, amount, currency, flat))
    if bare and not found:
        amount = _number(bare.group(1).replace(" ", "").replace("\u00a0", ""))
        if amount >= LARGEST:
            return [], "too large"
        amounts.append(Money(source, amount, "MDL", flat))
    return amounts, None


def cross_refs(text: str) -> list[str]:
    """Codes of other objectives, actions or sub-actions named in brackets: '(5.1.1)',
    '(activitatea 1.2.5)', '(2.2.3.1)'."""
    return list(dict.fromkeys(m.group(1) for m in _CROSS_REF.finditer(text)))


def parse_general(cell: str) -> tuple[Item, list[Issue]]:
    text = clean(cell)
    issues: list[Issue] = []
    found = GENERAL.match(text)
    assert found is not None
    code = found.group(1)
    body = found.group(2)
    title, _sep, rest = body.partition("\n")
    indicators = []
    if rest:
        block = re.sub(r"^Indicatori de impact[^:]*:\s*", "", rest.strip(), flags=re.I)
        for m in _IMPACT.finditer(block):
            indicators.append(Indicator(m.group(1), m.group(2).strip().rstrip(",.;").strip()))
        if not indicators and block:
            issues.append(Issue(f"Obiectiv general {code}", "1", block, "impact_indicators"))
    return Item("general", code, title.strip(), indicators=indicators), issues


def parse_action_plan(text: str) -> ParsedPlan:
    """Read the Word table of an action plan (see the module's docstring)."""
    plan = ParsedPlan()
    cells = text.split("\t")
    head = clean(cells[0])
    head_text, note = footnotes(head)
    lines = [line for line in head_text.split("\n") if line.strip()]
    for line in lines:
        found = _DECISION_DATE.fullmatch(line.strip())
        if found and not plan.document_date:
            try:
                day = date(int(found.group(3)), int(found.group(2)), int(found.group(1)))
            except ValueError:
                plan.issues.append(Issue("—", "", line.strip(), "document_date"))
                continue
            plan.document_date = day.isoformat()
        elif not plan.name:
            plan.name = line.strip()
    plan.approving_decision = note
    period = PERIOD.search(plan.name)
    if period:
        plan.period_start, plan.period_end = int(period.group(1)), int(period.group(2))
    # The header ends with the second row of column numbers ("1" … "8-4").
    index = 1
    seen_numbering = 0
    while index < len(cells):
        if clean(cells[index]) == "8-4":
            seen_numbering += 1
            if seen_numbering == 2:
                index += 1
                break
        index += 1
    else:
        plan.issues.append(Issue("—", "", "", "no_header"))
        return plan
    general = specific = action = ""
    row_number = 0
    while index < len(cells):
        first = clean(cells[index])
        if GENERAL.match(first):
            item, issues = parse_general(cells[index])
            plan.items.append(item)
            plan.issues.extend(issues)
            general, specific, action = item.code, "", ""
            index += 1
            continue
        row = cells[index : index + len(COLUMNS)]
        index += len(COLUMNS)
        row_number += 1
        if not any(clean(c) for c in row):
            continue
        specific, action = read_row(plan, row, row_number, general, specific, action)
    return plan


def read_row(
    plan: ParsedPlan, row: list[str], row_number: int, general: str, specific: str, action: str
) -> tuple[str, str]:
    values = dict(zip(COLUMNS, row, strict=False))
    where = f"#{row_number}"
    if len(row) < len(COLUMNS):
        missing = COLUMNS[len(row) :]
        sub = clean(values.get("3", ""))
        head = split_code(sub, "subaction")
        label = head[0] if head else where
        plan.incomplete.append(label)
        plan.issues.append(Issue(label, ",".join(missing), sub[:200], "incomplete_row"))
    for level, column in (("specific", "1"), ("action", "2")):
        text, note = footnotes(clean(values.get(column, "")))
        if not text:
            continue
        parsed = split_code(text, level)
        if parsed is None:
            plan.issues.append(Issue(where, column, text[:300], f"no_{level}_code"))
            continue
        code, title = parsed
        parent = general if level == "specific" else specific
        plan.items.append(Item(level, code, title, parent=parent, note=note))
        if level == "specific":
            specific, action = code, ""
        else:
            action = code
    sub_text, note = footnotes(clean(values.get("3", "")))
    parsed = split_code(sub_text, "subaction") if sub_text else None
    where = parsed[0] if parsed else where
    _row_indicators(plan, values, where, specific, action)
    if not sub_text:
        if any(clean(values.get(c, "")) for c in ("4", "5", "6", "7-1", "8", *MONEY_COLUMNS)):
            plan.issues.append(Issue(where, "3", "", "no_subaction"))
        return specific, action
    if parsed is None:
        plan.issues.append(Issue(where, "3", sub_text[:300], "no_subaction_code"))
        return specific, action
    code, title = parsed
    if action and not code.startswith(action + "."):
        plan.issues.append(Issue(code, "3", sub_text[:200], "wrong_parent"))
    item = Item("subaction", code, title, parent=action, note=note)
    item.cross_refs = [ref for ref in cross_refs(title) if ref != code]
    item.deadline_text = clean(values.get("4", ""))
    if item.deadline_text:
        item.deadline = parse_deadline(item.deadline_text)
        if item.deadline.kind == "unknown":
            plan.issues.append(Issue(code, "4", item.deadline_text, "deadline"))
    item.responsible_text = clean(values.get("5", ""))
    item.partners_text = clean(values.get("6", ""))
    item.result_text = clean(values.get("7-1", ""))
    if item.result_text:
        targets, unquantified = parse_targets(item.result_text)
        item.targets = targets
        for unit in unquantified:
            plan.issues.append(Issue(code, "7-1", unit, "no_target"))
    item.money = _row_money(plan, values, code)
    plan.items.append(item)
    return specific, action


_INDICATOR_START = {
    "7-2": re.compile(r"\n(?=\d+\.\d+\.\d+\s*\.?\s*[a-z]\))"),
    "7-3": re.compile(r"\n(?=\d+\.\d+\.[ivx]+[.\s])"),
}


def _row_indicators(
    plan: ParsedPlan, values: dict[str, str], where: str, specific: str, action: str
) -> None:
    """Column 7-2 holds the action's outcome indicators, 7-3 the specific objective's, in the
    row where the action or objective begins; several are written one per line."""
    for column, pattern, owner in (
        ("7-2", _OUTCOME, action),
        ("7-3", _SPECIFIC_INDICATOR, specific),
    ):
        text = clean(values.get(column, ""))
        if not text:
            continue
        owner_item = next(
            (i for i in reversed(plan.items) if i.code == owner and i.level != "subaction"), None
        )
        for chunk in _INDICATOR_START[column].split(text):
            found = pattern.match(chunk.strip())
            if found is None or owner_item is None:
                plan.issues.append(Issue(where, column, chunk[:300], "indicator_code"))
                continue
            code = f"{found.group(1)}.{found.group(2)}" + (")" if column == "7-2" else "")
            owner_item.indicators.append(Indicator(code, " ".join(found.group(3).split())))


def _row_money(plan: ParsedPlan, values: dict[str, str], code: str) -> list[Money]:
    """Amounts by source from columns 8-1…8-4; column 8 (the total) only where no source
    column is filled, its source then read from its text ('400,0 mii lei. Buget municipal')."""
    by_source: list[Money] = []
    for column in MONEY_COLUMNS:
        cell = clean(values.get(column, ""))
        amounts, problem = parse_money(cell, column)
        if problem:
            plan.issues.append(Issue(code, column, cell, "money"))
        by_source.extend(amounts)
    total_cell = clean(values.get("8", ""))
    total, problem = parse_money(total_cell, "8")
    if problem:
        plan.issues.append(Issue(code, "8", total_cell, "money"))
    if not by_source:
        return total
    written = sum((m.amount for m in total), Decimal(0))
    if total and written != sum((m.amount for m in by_source), Decimal(0)):
        plan.issues.append(Issue(code, "8", total_cell, "money"))
    return by_source


_PAREN = re.compile(r"\(([^)]*)\)?")


def split_institutions(text: str) -> list[tuple[str, str]]:
    """The names in a responsible or partners cell with the remark that follows each:
    'DGPDC,\\nDGETS, DGASS (Direcția juridică)' → DGPDC, DGETS, and DGASS with its remark.
    A bracket left open at the end of the cell is closed there."""
    parts: list[tuple[str, str]] = []
    depth = 0
    current = ""
    for char in text.replace("\n", ","):
        depth += char == "("
        depth -= char == ")" and depth > 0
        if char == "," and depth == 0:
            parts.append(_named(current))
            current = ""
        else:
            current += char
    parts.append(_named(current))
    return [(name, note) for name, note in parts if name]


def _named(chunk: str) -> tuple[str, str]:
    notes = [m.group(1).strip(" .") for m in _PAREN.finditer(chunk)]
    name = " ".join(_PAREN.sub(" ", chunk).split()).strip(" .;")
    return name, "; ".join(n for n in notes if n)
