"""gunicorn's settings for this application (read from the working directory, or ``-c``).

Threaded workers with keep-alive: gunicorn's default sync workers close the connection after
every response, so each API call of a client that keeps its connection (the Python client, the
CLI, the MLflow plugin, any HTTP session) paid a new TCP connection on both sides. Measured side
by side on the 2-core machine (4 workers, 20 clients, PostgreSQL): 20–35 % more registrations
and list pages per second, with less CPU per request in the server and in the clients
(docs/PERFORMANCE.md). One thread per worker by default: a worker still handles one request at
a time, as a sync worker does, while idle kept-alive connections wait in its poller.

Command-line options override these (``--workers 4``, ``--bind``); the environment variables
below tune the defaults without editing this file.

One difference from sync workers: a worker is no longer killed by ``--timeout`` while one of
its requests runs long (its main thread keeps reporting), so a very large upload is not cut at
30 s; the database's and the object store's own timeouts still bound each call.
"""

import os

worker_class = os.environ.get("WEB_WORKER_CLASS", "gthread")
threads = int(os.environ.get("WEB_THREADS", "1"))
# Seconds an idle connection is kept for its next request (gunicorn's default is 2).
keepalive = int(os.environ.get("WEB_KEEPALIVE", "5"))
