"""The case file as a PDF for a court or a commission: what the case page shows its reader, with a
watermark naming who printed it and when on every page; printing is audited."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from ocrotire.accounts.models import User
from ocrotire.cases import services
from ocrotire.cases.models import Case
from ocrotire.cases.panels import pdf_panels
from ocrotire.cases.pipeline import stage_name
from ocrotire.cases.selectors import case_records, case_team, case_timeline
from ocrotire.core.pdf import html_to_pdf
from ocrotire.intake.permissions import keeps_register
from ocrotire.intake.selectors import report_scope
from ocrotire.registry.selectors import person_scope
from ocrotire.workflow.events import event_text
from ocrotire.workflow.timeline import deadlines_of, rule_names

# Stands for a page counter while the translated sentence is cut around it (never in a msgstr).
_MARK = "\x00"


def _css_string(text: str) -> str:
    """A CSS string literal; `<` is escaped too, so no text can close the <style> element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
    return '"' + escaped.replace("<", "\\3C ") + '"'


def page_counter_css() -> SafeString:
    """`content:` of the footer's "page X of Y", from one translated sentence: its words stay
    in the order each language puts them, around the page counters."""
    sentence = _("Page %(page)s of %(pages)s") % {
        "page": f"{_MARK}page{_MARK}",
        "pages": f"{_MARK}pages{_MARK}",
    }
    parts = []
    for index, piece in enumerate(sentence.split(_MARK)):
        if index % 2:
            parts.append(f"counter({piece})")
        elif piece:
            parts.append(_css_string(piece))
    return mark_safe(" ".join(parts))  # noqa: S308 - every literal part went through _css_string


def watermark_text(*, actor: User, printed_at: datetime) -> str:
    return _("Printed by %(name)s (%(username)s) on %(when)s — confidential") % {
        "name": actor.get_full_name() or actor.username,
        "username": actor.username,
        "when": date_format(timezone.localtime(printed_at), "SHORT_DATETIME_FORMAT"),
    }


def _reports(actor: User, case: Case) -> list[dict[str, Any]]:
    """The reports that led to the case. Everyone who sees the case sees their numbers, as on
    the case page; what a report says only to those who may open its card (register keepers of
    its area). The narrative is left out: the case page does not show it."""
    reports = list(
        case.reports.select_related("most_serious")
        .prefetch_related("concerns")
        .order_by("received_at", "id")
    )
    readable: set[int] = set()
    if keeps_register(actor):
        readable = set(
            report_scope(actor).filter(pk__in=[r.pk for r in reports]).values_list("pk", flat=True)
        )
    return [
        {
            "report": report,
            "details": report.pk in readable,
            "concerns": [c.label() for c in report.concerns.all()] if report.pk in readable else [],
        }
        for report in reports
    ]


def _child_record(actor: User, case: Case) -> dict[str, Any] | None:
    """The child's registry card (birth date, sex, identifiers) for those who may open it; the
    case page names the child to everyone else, and so does the file."""
    child = person_scope(actor, include_inactive=True).filter(pk=case.child_id).first()
    if child is None:
        return None
    return {"person": child, "identifiers": [i for i in child.identifiers.all() if i.active]}


def case_file_context(*, actor: User, case: Case, printed_at: datetime) -> dict[str, Any]:
    """`case` comes from `case_get` with the actor's scope: the file never reaches further."""
    names = rule_names(case.unit.country)
    return {
        "case": case,
        "stage": stage_name(case),
        "child_record": _child_record(actor, case),
        "reports": _reports(actor, case),
        "records": case_records(case),
        "panels": pdf_panels(actor, case),
        "team": list(case_team(case)),
        "timeline": [
            {"event": e, "text": event_text(e, names), "deadlines": deadlines_of(e, names)}
            for e in case_timeline(case)
        ],
        "watermark": watermark_text(actor=actor, printed_at=printed_at),
        "page_counter": page_counter_css(),
        "printed_at": printed_at,
    }


def _reader_language(actor: User) -> str | None:
    language = actor.language
    return language if language in dict(settings.LANGUAGES) else translation.get_language()


def case_file_html(*, actor: User, case: Case, printed_at: datetime | None = None) -> str:
    """The document before it is drawn, in the reader's language (API callers included)."""
    with translation.override(_reader_language(actor)):
        return render_to_string(
            "cases/case_file_pdf.html",
            {
                **case_file_context(
                    actor=actor, case=case, printed_at=printed_at or timezone.now()
                ),
                "LANGUAGE_CODE": translation.get_language(),
            },
        )


def case_file_pdf(*, actor: User, case: Case) -> bytes:
    """Drawn first, then audited: a server that cannot draw PDF (`PdfUnavailable`) records no
    print that did not happen."""
    document = html_to_pdf(case_file_html(actor=actor, case=case))
    services.case_file_print_record(actor=actor, case=case)
    return document


def case_file_filename(case: Case) -> str:
    """`case-<number>.pdf`, with anything but letters, digits, dots and dashes replaced."""
    safe = re.sub(r"[^\w.-]+", "-", case.number).strip(".-_") or str(case.pk)
    return f"case-{safe[:80]}.pdf"


def case_file_disposition(case: Case) -> str:
    """An attachment named after the case (RFC 6266, with `filename*` for non-Latin numbers)."""
    return content_disposition_header(as_attachment=True, filename=case_file_filename(case)) or (
        "attachment"
    )
