"""The donor's list of a programme's certificates as CSV or an Excel workbook.

The same rules as the analytics exports (which sit above this app, so they are not imported):
CSV in UTF-8 with a byte-order mark, so Excel reads Cyrillic and Romanian letters; a text cell a
spreadsheet would take for a formula is written as text (an apostrophe in CSV, a string cell in
the workbook), so nothing typed by a user is ever evaluated when the file is opened."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from ocrotire.accounts.models import User
from ocrotire.core.audit import audit_record
from ocrotire.core.errors import NotAllowed
from ocrotire.core.models import AuditAction
from ocrotire.outreach import programmes
from ocrotire.outreach.models import Certificate, Programme

Cell = str | int | Decimal | date | datetime | None
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def headers() -> list[str]:
    return [
        _("Number"),
        _("Status"),
        _("Household"),
        _("Place"),
        _("Amount"),
        _("Currency"),
        _("Applied on"),
        _("Decided on"),
        _("Valid until"),
        _("Redeemed on"),
        _("Redeemed with"),
        _("Reason"),
    ]


def _day(moment: datetime | None) -> date | None:
    return timezone.localdate(moment) if moment is not None else None


def rows(programme: Programme, certificates: QuerySet[Certificate]) -> Iterator[list[Cell]]:
    for certificate in certificates.select_related("household", "household__unit").iterator(
        chunk_size=500
    ):
        household = certificate.household
        yield [
            certificate.number or "",
            certificate.get_status_display(),
            str(household),
            household.unit.display_name() if household.unit else "",
            programme.amount,
            programme.currency,
            _day(certificate.applied_at),
            _day(certificate.decided_at),
            certificate.expires_on,
            _day(certificate.redeemed_at),
            certificate.redeemed_with,
            certificate.reason,
        ]


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


def write_csv(titles: list[str], lines: Iterable[list[Cell]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([_csv_text(title) for title in titles])
    for line in lines:
        writer.writerow([_csv_text(value) for value in line])
    return out.getvalue().encode("utf-8-sig")


def _xlsx_cell(sheet: object, value: Cell) -> object:
    if isinstance(value, datetime | date):
        cell = WriteOnlyCell(sheet, value)  # type: ignore[arg-type]
        cell.number_format = "yyyy-mm-dd"
        return cell
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", value))  # type: ignore[arg-type]
        cell.data_type = "s"  # text that looks like a formula stays text
        return cell
    return value


def write_xlsx(titles: list[str], lines: Iterable[list[Cell]], *, title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([_xlsx_cell(sheet, value) for value in titles])
    for line in lines:
        sheet.append([_xlsx_cell(sheet, value) for value in line])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_bytes(programme: Programme, certificates: QuerySet[Certificate], fmt: str) -> bytes:
    lines = rows(programme, certificates)
    if fmt == "csv":
        return write_csv(headers(), lines)
    # Sheet titles may not hold some characters ([]:*?/\); a programme's code holds none.
    return write_xlsx(headers(), lines, title=programme.code)


def file_name(programme: Programme, fmt: str) -> str:
    return f"{programme.code}-certificates-{timezone.localdate().isoformat()}.{fmt}"


def export_response(user: User, programme: Programme, fmt: str) -> HttpResponse:
    """The file of the donor's list, for the API and the programme's page alike; audited."""
    if not programmes.can_export(user, programme):
        raise NotAllowed
    certificates = programmes.certificate_list(user=user, programme=programme).order_by(
        "number", "applied_at", "id"
    )
    body = export_bytes(programme, certificates, fmt)
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        obj=programme,
        changes={"format": fmt, "rows": certificates.count()},
    )
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{file_name(programme, fmt)}"'
    return response
