"""The API's JSON renderer: orjson, with DRF's spelling of every value.

DRF's renderer runs the standard library's encoder, which walks the response in Python; for a
version's detail that was a noticeable part of a read. orjson does the same in C. The output is
what DRF's encoder writes: datetimes in ISO 8601 with ``Z`` for UTC, decimals as numbers, sets
and tuples as lists, lazy translations as text; compact, as DRF writes it by default.
"""

from __future__ import annotations

import datetime
import decimal
import ipaddress
import uuid
from collections.abc import Mapping
from typing import Any

import orjson
from django.utils.functional import Promise
from rest_framework.renderers import JSONRenderer

OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY


def default(value: Any) -> Any:
    """What orjson does not know, as DRF's encoder spells it."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, datetime.timedelta):
        return str(value.total_seconds())
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, (uuid.UUID, ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return str(value)
    if isinstance(value, Mapping):
        return dict(value)
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "__iter__"):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(value: Any) -> bytes:
    """``value`` as the API writes it."""
    return orjson.dumps(value, default=default, option=OPTIONS)


def plain(value: Any) -> Any:
    """``value`` as a client reads it back (datetimes as text, tuples as lists...): what is
    stored to be served later must compare equal to what a fresh computation would render."""
    return orjson.loads(dumps(value))


class FastJSONRenderer(JSONRenderer):
    """DRF's JSON renderer with orjson underneath. An ``indent`` asked for in the Accept header
    is honoured (two spaces, orjson's only indentation)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        renderer_context = renderer_context or {}
        indent = self.get_indent(accepted_media_type or "", renderer_context)
        option = OPTIONS | (orjson.OPT_INDENT_2 if indent else 0)
        return orjson.dumps(data, default=default, option=option)
