"""Detail reads and list pages kept until something changes: the audit trail's position is
the version.

Every change of state writes an audit event in its own transaction (the services' rule), so
the chain head's sequence moves whenever anything a read could show changes. A read computed
at head position N is therefore still right while the head is at N, unless the clock alone
changes it (an approval expiring, a responsibility starting): the payload says when, through
``valid_until`` keys, and the entry ends then. Entries are per user (what a user may see
differs), bounded by ``READ_CACHE_SECONDS``, and carry an ETag so clients can ask "has it
changed?" and get a 304 without the body. Under a steady stream of writes this saves
nothing and costs one primary-key read; for the reads that dominate, it skips the work.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import orjson
from django.conf import settings
from django.core.cache import cache
from django.db import connections, router
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from governance.kernel.api.renderers import OPTIONS, default, dumps
from governance.kernel.audit.models import AuditChainHead


@functools.cache
def _position_sql(alias: str) -> str:
    qn = connections[alias].ops.quote_name
    meta = AuditChainHead._meta
    column = qn(meta.get_field("last_sequence").column)
    # Names from the model's metadata, quoted; no value is interpolated.
    return f"SELECT {column} FROM {qn(meta.db_table)} WHERE {qn(meta.pk.column)} = 1"  # noqa: S608


def trail_position() -> int:
    # Read on every detail request: one fixed statement, written once instead of compiled by
    # the ORM each time.
    alias = router.db_for_read(AuditChainHead)
    with connections[alias].cursor() as cursor:
        cursor.execute(_position_sql(alias))
        row = cursor.fetchone()
    return row[0] if row else 0


def _moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        return parse_datetime(value)
    return None


def valid_until_in(parts: Iterable[Any]) -> datetime | None:
    """The earliest ``valid_until`` among the dicts of a payload's top level."""
    moments = [_moment(part.get("valid_until")) for part in parts if isinstance(part, dict)]
    return min((m for m in moments if m is not None), default=None)


def etag_of(data: Any) -> str:
    # orjson, keys sorted: the same value always gives the same tag, at a fraction of the cost
    # of the standard library's encoder on a detail's body.
    body = orjson.dumps(data, default=default, option=OPTIONS | orjson.OPT_SORT_KEYS)
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def list_scope(request) -> str:
    """The scope of a list page: its host (the page's links are absolute) and its path with
    the query string as sent, hashed to bound the key's length."""
    url = f"{request.get_host()}{request.get_full_path()}".encode()
    return "list:" + hashlib.sha256(url).hexdigest()[:40]


def entry_key(scope: str, user_id: int, position: int) -> str:
    return f"read:{scope}:u{user_id}:t{position}"


def kept_entries(scope_by_key: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Which of these keys hold a live entry (for checks that compare with a fresh read)."""
    now = timezone.now()
    found = cache.get_many(list(scope_by_key))
    return {
        key: entry
        for key, entry in found.items()
        if entry["valid_until"] is None or entry["valid_until"] > now
    }


def read_through(
    *, scope: str, user_id: int, compute: Callable[[], dict[str, Any]]
) -> tuple[bytes, str]:
    """``compute()``'s result for ``scope`` as ``user_id`` sees it, rendered as the API writes
    it (``renderers.dumps``), and its ETag; computed again once the trail moved, the payload's
    ``valid_until`` passed or the entry aged out. What is kept is the rendered body: a kept
    read is served as it is, without unpickling a payload and rendering it again."""
    seconds = settings.READ_CACHE_SECONDS
    if seconds <= 0:
        data = compute()
        return dumps(data), etag_of(data)
    # Read the position first: what is computed after it is at least that recent.
    key = entry_key(scope, user_id, trail_position())
    now = timezone.now()
    entry = cache.get(key)
    if entry is not None and (entry["valid_until"] is None or entry["valid_until"] > now):
        return entry["body"], entry["etag"]
    data = compute()
    body, etag = dumps(data), etag_of(data)
    until = valid_until_in(data.values())
    timeout = seconds
    if until is not None:
        timeout = max(0, min(seconds, int((until - now).total_seconds())))
    if timeout:
        cache.set(key, {"body": body, "etag": etag, "valid_until": until}, timeout)
    return body, etag
