"""The donor's list of a programme's certificates as CSV or an Excel workbook.

Written by the same writers as the analytics exports (`core.tabular`: a BOM for Excel, text that
looks like a formula kept as text)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, datetime

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from ocrotire.accounts.models import User
from ocrotire.core.audit import audit_record
from ocrotire.core.errors import NotAllowed
from ocrotire.core.models import AuditAction
from ocrotire.core.tabular import Cell, write_csv, write_xlsx
from ocrotire.outreach import programmes
from ocrotire.outreach.models import Certificate, Programme

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


def export_bytes(programme: Programme, certificates: QuerySet[Certificate], fmt: str) -> bytes:
    lines = rows(programme, certificates)
    out = io.BytesIO()
    if fmt == "csv":
        write_csv(out, headers(), lines)
    else:
        # Sheet titles may not hold some characters ([]:*?/\); a programme's code holds none.
        write_xlsx(out, headers(), lines, title=programme.code)
    return out.getvalue()


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
