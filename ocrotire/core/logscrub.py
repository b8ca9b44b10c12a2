"""Keeping the public side out of the logs (issue 21: it leaves no trace that could tie a code to a
person or let a reader of the logs follow a report).

Django logs every 4xx answer with its path ("Too Many Requests: /api/v1/public/reports/<code>/"),
so a code throttled at its holder's address would otherwise be written down in full: the filter
below scrubs it. The web server's access log (gunicorn, config/gunicorn.conf.py) writes every
request's path, address and browser: `public_atoms` takes the code, the address, the browser
and every request header out of the lines of the public pages and the public API."""

from __future__ import annotations

import logging
import re
from typing import Any

# The segment after `/public/reports/` is the tracking code (core knows no app: only the path).
_CODE_IN_PATH = re.compile(r"(/public/reports/)[^/\s?#\"']+")
# The public side's addresses: the API's and the pages' (`/public/…`, `/<lang>/public/…`).
_PUBLIC_PATH = re.compile(r"^(/[a-z]{2})?(/api/v\d+)?/public/")


def scrub(text: str) -> str:
    return _CODE_IN_PATH.sub(r"\1…", text)


class PublicCodeFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, ()
        return True


def public_atoms(atoms: dict[str, Any]) -> dict[str, Any]:
    """The atoms of an access-log line, without what identifies or follows a public visitor:
    for a public path, no address, no browser, no referrer, no request header, and no code in
    the path or the request line (the query too: a code may be typed into a form sent by GET)."""
    path = str(atoms.get("U") or "")
    if not _PUBLIC_PATH.match(path):
        return atoms
    kept = {key: value for key, value in atoms.items() if not key.endswith("}i")}
    method = atoms.get("m") or "-"
    protocol = atoms.get("H") or "-"
    kept.update(
        h="-",
        a="-",
        f="-",
        q="",
        U=scrub(path),
        r=f"{method} {scrub(path)} {protocol}",
    )
    return kept
