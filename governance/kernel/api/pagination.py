import base64
import binascii
import json
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Model, Q
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from governance.kernel.api.errors import ApiError

# Largest OFFSET + LIMIT the databases accept (signed 64-bit); beyond it no row can exist.
_MAX_SQL_INT = 2**63 - 1


class DefaultPagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 500


class CappedCountPagination(DefaultPagination):
    """Limit/offset pagination that never counts more than ``count_cap`` rows.

    An exact ``COUNT(*)`` over a large table costs more than the page itself, on every page.
    This paginator reads one row beyond the page to know whether a next page exists, then:

    * on the last page (and on a first page that is also the last) the count follows from the
      offset, with no count query;
    * otherwise it counts at most ``count_cap + 1`` matching rows.

    The response keeps the usual ``count``/``next``/``previous``/``results`` shape and adds
    ``count_exact``: when false there are more rows than ``count`` (a lower bound: at least
    ``count_cap``, or the end of the current page if further), and ``next`` says whether
    another page follows.
    """

    count_cap = 1000
    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.limit = self.get_limit(request)
        if self.limit is None:
            return None
        self.ordering = _ordering(queryset)
        counted_queryset = queryset
        cursor = request.query_params.get(self.cursor_query_param)
        self.keyset = cursor is not None
        if self.keyset:
            # Keyset ("seek") pagination: rows after the last one of the previous page, found
            # through the ordering's index, so page 1 000 costs what page 1 costs.
            if self.ordering is None:
                raise ApiError(400, "cursor_not_supported", "This ordering has no cursor pages.")
            try:
                queryset = queryset.filter(_after(self.ordering, _decode(cursor, self.ordering)))
            except (ValueError, TypeError, ValidationError) as exc:
                raise ApiError(
                    400, "invalid_cursor", "The cursor is not one this list gave out."
                ) from exc
            self.offset = 0
        else:
            self.offset = self.get_offset(request)
        rows = []
        if self.offset + self.limit < _MAX_SQL_INT:
            # A view may read the page's rows differently from what it counts (``page_rows``:
            # e.g. only the columns it shows, which the count does not need to join).
            page_rows = getattr(view, "page_rows", None)
            source = page_rows(queryset) if page_rows is not None else queryset
            rows = list(source[self.offset : self.offset + self.limit + 1])
        self.has_next = len(rows) > self.limit
        self.last_row = rows[self.limit - 1] if self.has_next else None
        if self.keyset:
            return self._keyset_page(rows, counted_queryset)
        rows = rows[: self.limit]
        if not self.has_next and (rows or self.offset == 0):
            self.count, self.count_exact = self.offset + len(rows), True
        else:
            counted = queryset.order_by()[: self.count_cap + 1].count()
            if counted <= self.count_cap:
                self.count, self.count_exact = counted, True
            else:
                lower = self.count_cap
                if self.has_next:
                    lower = max(lower, self.offset + len(rows))
                self.count, self.count_exact = lower, False
        if (self.has_next or self.count > self.limit) and self.template is not None:
            self.display_page_controls = True
        return rows

    def _keyset_page(self, rows, queryset):
        rows = rows[: self.limit]
        counted = queryset.order_by()[: self.count_cap + 1].count()
        self.count = min(counted, self.count_cap)
        self.count_exact = counted <= self.count_cap
        return rows

    def next_cursor(self) -> str | None:
        if not self.has_next or self.last_row is None or self.ordering is None:
            return None
        values = [_value_of(self.last_row, name.lstrip("-")) for name in self.ordering]
        if any(v is None for v in values):
            return None  # a null sort key has no "after"; offsets still work there
        return _encode(self.ordering, values)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.count,
                "count_exact": self.count_exact,
                "next": self.get_next_link(),
                "previous": None if self.keyset else self.get_previous_link(),
                "next_cursor": self.next_cursor(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        base = super().get_paginated_response_schema(schema)
        properties = base["properties"]
        properties["count"] = {
            **properties["count"],
            "description": f"Matching rows, counted up to {self.count_cap}; a lower bound "
            "when count_exact is false.",
        }
        base["properties"] = {
            "count": properties["count"],
            "count_exact": {
                "type": "boolean",
                "description": "False when there are more matching rows than count.",
            },
            **{k: v for k, v in properties.items() if k != "count"},
            "next_cursor": {
                "type": "string",
                "nullable": True,
                "description": "Pass as ?cursor= for the next page by keyset: constant time at "
                "any depth (forward only; previous is then null).",
            },
        }
        base["required"] = ["count", "count_exact", "results"]
        return base

    def get_next_link(self):
        if not self.has_next:
            return None
        url = self.request.build_absolute_uri()
        url = replace_query_param(url, self.limit_query_param, self.limit)
        if self.keyset:
            url = remove_query_param(url, self.offset_query_param)
            return replace_query_param(url, self.cursor_query_param, self.next_cursor())
        return replace_query_param(url, self.offset_query_param, self.offset + self.limit)


def _ordering(queryset) -> list[str] | None:
    """The queryset's ordering with the primary key as the last, unique key; None when it is
    not a list of field names (an expression), where keyset pages are not offered."""
    given = list(queryset.query.order_by or queryset.model._meta.ordering or [])
    if not all(isinstance(n, str) for n in given):
        return None
    names = list(given)
    names = [n for n in names if not n.lstrip("-").startswith("?")]
    if not any(n.lstrip("-") in ("id", "pk") for n in names):
        names.append("-id" if names and names[-1].startswith("-") else "id")
    return ["-id" if n == "-pk" else "id" if n == "pk" else n for n in names]


def _value_of(row, name: str):
    value = row.get(name) if isinstance(row, dict) else _attr_path(row, name)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _attr_path(row, name: str):
    value = row
    for part in name.split("__"):
        value = getattr(value, part, None)
    return value.pk if isinstance(value, Model) else value


def _encode(ordering: list[str], values: list) -> str:
    raw = json.dumps({"o": ordering, "v": values}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, ordering: list[str]) -> list:
    bad = ApiError(400, "invalid_cursor", "The cursor is not one this list gave out.")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise bad from exc
    if not isinstance(data, dict) or not isinstance(data.get("v"), list):
        raise bad
    if data.get("o") != ordering:
        raise ApiError(
            400,
            "cursor_ordering_changed",
            "The cursor belongs to another ordering; keep the same ordering= while paging.",
        )
    values = data["v"]
    if len(values) != len(ordering) or any(v is None or isinstance(v, dict | list) for v in values):
        raise bad
    return values


def _after(ordering: list[str], values: list) -> Q:
    """Rows strictly after ``values`` in ``ordering``: (a > x) or (a = x and b > y) or ..."""
    condition = Q(pk__in=[])
    equal = Q()
    for name, value in zip(ordering, values, strict=True):
        field = name.lstrip("-")
        step = "lt" if name.startswith("-") else "gt"
        condition |= equal & Q(**{f"{field}__{step}": value})
        equal &= Q(**{field: value})
    return condition
