"""The API's JSON parser: DRF's, refusing bodies nested deeper than any request of the API needs
(a body of ten thousand brackets would otherwise exhaust the recursion of the decoder or of the
code after it and answer 500)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# The deepest request of the API (a report's children with their identifiers) is 4 levels.
DEFAULT_MAX_DEPTH = 32


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether `value` nests lists and objects deeper than `limit`, walked without recursion."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class BoundedJSONParser(JSONParser):
    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        limit = getattr(settings, "OCROTIRE_JSON_MAX_DEPTH", DEFAULT_MAX_DEPTH)
        refusal = _("The request body is nested too deeply (at most %(limit)s levels).") % {
            "limit": limit
        }
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(refusal) from exc
        if _depth_exceeds(data, limit):
            raise ParseError(refusal)
        return data
