"""Page-number pagination with a caller-chosen page size up to 500, and keyset cursors for lists
so long that an OFFSET gets slow.

A keyset page is asked for with `?after=<cursor>` (the rows after that one, in the list's order)
or `?before=<cursor>`; `next` and `previous` of such a page are cursors again, so a client that
follows the links reads a list of any length at the same cost per page (SPEC §4: a page deep in
a city's 478,000 cases). `?page=` keeps working; the answer has the same shape either way.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.utils.urls import remove_query_param, replace_query_param

MAX_ID = 2**63 - 1


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request: Request) -> int:
        """The page size asked for, or the default; a size that is not a whole number from 1 to
        500 is refused with a 400 rather than silently replaced (SPEC §3)."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("The page size must be a whole number from 1 to 500.")
                    ]
                }
            )
        return int(raw)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "default": self.page_size,
                }
                parameter["description"] = (
                    "Rows per page, 1 to 500 (50 when left out); any other value is a 400."
                )
            elif parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters


def cursor_of(at: datetime, pk: int) -> str:
    raw = f"{at.isoformat()}|{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(value: str, field: str) -> tuple[datetime, int]:
    try:
        padded = value + "=" * (-len(value) % 4)
        at_text, _sep, pk_text = base64.urlsafe_b64decode(padded).decode().partition("|")
        at = datetime.fromisoformat(at_text)
        pk = int(pk_text)
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise ValidationError({field: [_("Not a valid cursor: use a link from a list.")]}) from exc
    if at.tzinfo is None or not 0 < pk <= MAX_ID:
        raise ValidationError({field: [_("Not a valid cursor: use a link from a list.")]})
    return at, pk


@dataclass
class KeysetPage:
    ids: list[int]
    next: str | None
    previous: str | None


def keyset_page(
    request: Request, queryset: QuerySet[Any], *, field: str, page_size: int
) -> KeysetPage | None:
    """The ids of a keyset page of `queryset`, newest `field` first (ties by id, newest first),
    with its links; None when the request asks for no cursor."""
    after = request.query_params.get("after")
    before = request.query_params.get("before")
    if not after and not before:
        return None
    if after and before:
        raise ValidationError({"after": [_("Give either after or before, not both.")]})
    at, pk = _decode(after or before or "", "after" if after else "before")
    if after:
        # (field, id) < (at, pk): rows at the same instant are ordered by id.
        rows = queryset.filter(**{f"{field}__lte": at}).exclude(**{field: at, "pk__gte": pk})
        rows = rows.order_by(f"-{field}", "-pk")
    else:
        rows = queryset.filter(**{f"{field}__gte": at}).exclude(**{field: at, "pk__lte": pk})
        rows = rows.order_by(field, "pk")
    found: list[tuple[int, datetime]] = list(rows.values_list("pk", field)[: page_size + 1])
    more = len(found) > page_size
    del found[page_size:]
    if before:
        found.reverse()
    url = remove_query_param(remove_query_param(request.build_absolute_uri(), "before"), "after")
    url = remove_query_param(url, "page")
    first = cursor_of(found[0][1], found[0][0]) if found else None
    last = cursor_of(found[-1][1], found[-1][0]) if found else None
    has_next = (more if after else True) and last is not None
    has_previous = (True if after else more) and first is not None
    return KeysetPage(
        ids=[row[0] for row in found],
        next=replace_query_param(url, "after", last) if has_next else None,
        previous=replace_query_param(url, "before", first) if has_previous else None,
    )
