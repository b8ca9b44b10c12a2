"""HTML drawn as PDF with WeasyPrint, imported only when a document is asked for."""

from __future__ import annotations


class PdfUnavailable(Exception):
    """The server lacks WeasyPrint or the libraries it draws with (Pango)."""


def html_to_pdf(html: str) -> bytes:
    # Imported here, not at the top: a server without Pango still serves every other page, and
    # the PDF routes answer 503 instead of the whole application failing to start.
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:
        raise PdfUnavailable(str(exc)) from exc
    return bytes(HTML(string=html).write_pdf())
