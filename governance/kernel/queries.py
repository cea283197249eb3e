"""Queries of a fixed shape, compiled once per process.

Django builds the SQL of a queryset anew on every evaluation. For a read by primary key with
several ``select_related`` joins that is about two milliseconds of CPU, more than the database
takes to run it: on the hot paths (a version's detail, a registration's model) it was the
largest single cost of the request. ``FixedGet`` compiles its queryset once per database
alias, keeps the statement and the compiler's description of the columns, and then only binds
the primary key, runs the statement and turns the row into instances the way the ORM's own
iterator does (same converters, related objects cached on the instance).

Only the shape is fixed: the queryset given must not depend on the user or the moment (no
visibility filter); callers check visibility first (``TeamScopedQuerySet.visible_pk``).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections, models, router
from django.db.models.query import get_related_populators

# A primary key no row has, to find where the real one is bound in the compiled parameters.
_PLACEHOLDER = -7_345_019_283


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    pk_index: int
    compiler: Any
    init_list: list[str]
    start: int
    end: int
    populators: list[Any]


class FixedGet:
    """``build().get(pk=pk)`` with the SQL compiled once per database (see the module)."""

    def __init__(self, build: Callable[[], models.QuerySet]):
        self._build = build
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    @functools.cached_property
    def model(self) -> type[models.Model]:
        return self._build().model

    def _compile(self, alias: str) -> _Compiled:
        queryset = self._build()
        if queryset.query.where or queryset.query.is_sliced or queryset._prefetch_related_lookups:
            raise ValueError("FixedGet takes an unfiltered, unsliced queryset without prefetches")
        compiler = queryset.filter(pk=_PLACEHOLDER).order_by().query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        where = [i for i, value in enumerate(params) if value == _PLACEHOLDER]
        if len(where) != 1:
            raise ValueError("the primary key must be the statement's only parameter of its value")
        select, klass_info = compiler.select, compiler.klass_info
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        return _Compiled(
            sql=sql,
            params=tuple(params),
            pk_index=where[0],
            compiler=compiler,
            init_list=[column[0].target.attname for column in select[start:end]],
            start=start,
            end=end,
            populators=get_related_populators(klass_info, select, alias),
        )

    def get(self, pk: int, *, using: str | None = None) -> models.Model:
        model = self.model
        alias = using or router.db_for_read(model)
        compiled = self._compiled.get(alias)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(alias) or self._compile(alias)
                self._compiled[alias] = compiled
        params = list(compiled.params)
        params[compiled.pk_index] = model._meta.pk.get_db_prep_value(pk, connections[alias])
        with connections[alias].cursor() as cursor:
            cursor.execute(compiled.sql, params)
            found = cursor.fetchone()
        if found is None:
            raise model.DoesNotExist(f"{model._meta.object_name} {pk} does not exist.")
        row = next(iter(compiled.compiler.results_iter(results=[[found]])))
        obj = model.from_db(alias, compiled.init_list, row[compiled.start : compiled.end])
        for populator in compiled.populators:
            populator.populate(row, obj)
        return obj
