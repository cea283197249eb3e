from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

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

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.limit = self.get_limit(request)
        if self.limit is None:
            return None
        self.offset = self.get_offset(request)
        rows = []
        if self.offset + self.limit < _MAX_SQL_INT:
            # A view may read the page's rows differently from what it counts (``page_rows``:
            # e.g. only the columns it shows, which the count does not need to join).
            page_rows = getattr(view, "page_rows", None)
            source = page_rows(queryset) if page_rows is not None else queryset
            rows = list(source[self.offset : self.offset + self.limit + 1])
        self.has_next = len(rows) > self.limit
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

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.count,
                "count_exact": self.count_exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
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
        }
        base["required"] = ["count", "count_exact", "results"]
        return base

    def get_next_link(self):
        if not self.has_next:
            return None
        url = self.request.build_absolute_uri()
        url = replace_query_param(url, self.limit_query_param, self.limit)
        return replace_query_param(url, self.offset_query_param, self.offset + self.limit)
