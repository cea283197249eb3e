"""Entry point of a spawned process that verifies one range of the audit chain.

The processes are spawned, not forked: a fork of a process with threads (a web server, a
browser driver, a worker's heartbeat) can inherit a held lock and hang. A spawned process
starts clean, so it sets Django up itself and connects to the same database as its parent.
"""

from __future__ import annotations

import os


def verify_range(args: tuple) -> tuple:
    database, first, last, chunk_size = args
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
    import django  # noqa: PLC0415 - this spawned process sets Django up first
    from django.conf import settings  # noqa: PLC0415 - this spawned process sets Django up first

    if not settings.configured or not getattr(verify_range, "_ready", False):
        django.setup()
        # The parent may be on a database other than the configured one (e.g. a test DB).
        settings.DATABASES["default"]["NAME"] = database
        verify_range._ready = True
    from django.db import connections  # noqa: PLC0415 - this spawned process sets Django up first

    from governance.kernel.audit.services import _verify_range  # noqa: PLC0415 - this spawned process sets Django up first

    try:
        return _verify_range(first, last, chunk_size)
    finally:
        connections.close_all()
