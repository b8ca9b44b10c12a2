"""A logging filter that keeps public tracking codes out of the logs (issue 21: the public side
leaves no trace that could tie a code to a person or let a reader of the logs follow a report).

Django logs every 4xx answer with its path ("Too Many Requests: /api/v1/public/reports/<code>/"),
so a code throttled at its holder's address would otherwise be written down in full."""

from __future__ import annotations

import logging
import re

# The segment after `/public/reports/` is the tracking code (core knows no app: only the path).
_CODE_IN_PATH = re.compile(r"(/public/reports/)[^/\s?#\"']+")


def scrub(text: str) -> str:
    return _CODE_IN_PATH.sub(r"\1…", text)


class PublicCodeFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, ()
        return True
