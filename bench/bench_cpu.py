"""CPU per request of the three registry calls, in-process: a repeatable figure.

The side-by-side run against MLflow (``bench_vs_mlflow.py``) measures the server under load on
a machine that others may share; this one sends the same three calls one after the other
through Django's test client in this process, on PostgreSQL and Redis with DEBUG off, and
counts the process's own CPU time (``time.process_time``) per request, so it barely moves with
the machine's load. It also counts the SQL queries and the cache calls of each request.

* **read**: ``GET /api/v1/model-versions/{id}/`` of random versions of the listed model
  (repeated reads: the body is kept per user until the audit trail moves);
* **list**: ``GET /api/v1/models/{id}/versions/?limit=25``;
* **register**: multipart ``POST /api/v1/models/{id}/versions/`` with a 9 KB skops artefact.

What the client adds (building the request, reading the response) is included: it is the
same before and after a change. ``--profile CALL`` prints cProfile's top functions of that call.

Database: BENCH_CPU_DATABASE_URL, an existing database seeded as the side-by-side run seeds
it (``seed_scale --teams 1``); without it a database ``governance_bench_cpu`` is created on
BENCH_PG, seeded with BENCH_CPU_VERSIONS versions (default 10 000: ten models of 1 000) and
dropped at the end. Redis: BENCH_CPU_REDIS (default redis://127.0.0.1:6379/13).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import subprocess
import sys
import time
import uuid
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import BENCH_PG as PG  # noqa: E402 - after the path it is found on
from bench.common import psql  # noqa: E402

OWN_DB = "governance_bench_cpu"


def _environment(database_url: str, var: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ.get("BENCH_CPU_REDIS", "redis://127.0.0.1:6379/13"),
        "CACHE_KEY_PREFIX": f"bench-cpu-{os.getpid()}",
        "CELERY_QUEUE_PREFIX": f"bench-cpu-{os.getpid()}-",
        "GOVERNANCE_VAR_DIR": var,
        "GOVERNANCE_ENV": "development",
        "DEBUG": "false",
        "API_THROTTLE_USER": "1000000/minute",
        "LOG_LEVEL": "WARNING",
        # Each registration's wait for, and hold of, the audit chain head (ms).
        "AUDIT_HEAD_LOCK_LOG": f"{var}/head-lock.log",
    }


def _seed(env: dict[str, str], versions: int) -> None:
    def manage(*args: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**os.environ, **env},
            check=True,
            capture_output=True,
        )

    manage("migrate", "-v0")
    manage("seed_demo", "--users-only")
    manage("seed_scale", "--teams", "1", "--versions", str(versions), "--events", "0")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="per call (default 300)")
    parser.add_argument("--profile", choices=("read", "list", "register"), default=None)
    args = parser.parse_args()

    given = os.environ.get("BENCH_CPU_DATABASE_URL", "")
    var = f"/tmp/bench-cpu-{os.getpid()}"
    os.makedirs(var, exist_ok=True)
    env = _environment(given or f"{PG}/{OWN_DB}", var)
    if not given:
        psql(f"DROP DATABASE IF EXISTS {OWN_DB} WITH (FORCE)")
        psql(f"CREATE DATABASE {OWN_DB}")
        _seed(env, int(os.environ.get("BENCH_CPU_VERSIONS", "10000")))
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
    try:
        run(args)
    finally:
        if not given:
            _close_and_drop()


def _close_and_drop() -> None:
    from django.db import connections  # noqa: PLC0415 - Django is set up in main()

    connections.close_all()
    psql(f"DROP DATABASE IF EXISTS {OWN_DB} WITH (FORCE)")


def run(args) -> None:
    # Django is set up only once the environment above is in place.
    import django  # noqa: PLC0415

    django.setup()
    from django.core.cache import cache  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    from bench.bench_vs_mlflow import skops_artefact, with_comment  # noqa: PLC0415
    from governance.kernel.accounts.models import User  # noqa: PLC0415
    from governance.kernel.accounts.services import api_token_issue  # noqa: PLC0415
    from registry.models import Model, ModelVersion  # noqa: PLC0415

    user = User.objects.get(username="scale-scientist")
    raw = api_token_issue(actor=user, user=user, name="bench-cpu").raw
    listed = Model.objects.get(name="scale-model-0-0").pk
    registered = Model.objects.get(name="scale-model-0-1").pk
    ids = list(ModelVersion.objects.filter(model_id=listed).values_list("pk", flat=True))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_HOST="127.0.0.1")
    artefact = skops_artefact()
    run_id = uuid.uuid4().hex[:8]
    picks = random.Random(1)
    counter = iter(range(10**9))

    def read():
        return client.get(f"/api/v1/model-versions/{picks.choice(ids)}/")

    def list_():
        return client.get(f"/api/v1/models/{listed}/versions/?limit=25")

    def register():
        i = next(counter)
        upload = with_comment(artefact, f"{run_id}-{i}".encode())
        return client.post(
            f"/api/v1/models/{registered}/versions/",
            {
                "version": f"cpu-{run_id}-{i}",
                "artefact": SimpleUploadedFile("model.skops", upload),
            },
        )

    calls = {"read": read, "list": list_, "register": register}
    cache_calls = {"n": 0}
    for name in ("get", "set", "get_many", "add", "incr", "delete", "set_many"):
        original = getattr(cache, name)

        def counted(*a, _original=original, **k):
            cache_calls["n"] += 1
            return _original(*a, **k)

        setattr(cache, name, counted)
    # The throttles' counter goes to Redis in one pipeline of its own.
    from governance.kernel.api import throttling  # noqa: PLC0415

    if hasattr(throttling, "count_hit"):
        original_count = throttling.count_hit

        def counted_hit(*a, **k):
            cache_calls["n"] += 1
            return original_count(*a, **k)

        throttling.count_hit = counted_hit

    print(f"in-process, {args.requests} requests per call, PostgreSQL + Redis, DEBUG off")
    print(f"  {'call':<10}{'CPU ms/request':>16}{'queries':>9}{'cache calls':>13}")
    for name, call in calls.items():
        for _ in range(min(30, args.requests)):  # warm-up: connections, caches, imports
            response = call()
            assert response.status_code < 400, (name, response.status_code, response.content)
        with CaptureQueriesContext(connection) as queries:
            cache_calls["n"] = 0
            call()
            per_request_queries = len(queries)
            per_request_cache = cache_calls["n"]
        profile = cProfile.Profile() if args.profile == name else None
        started = time.process_time()
        if profile:
            profile.enable()
        for _ in range(args.requests):
            call()
        if profile:
            profile.disable()
        cpu_ms = (time.process_time() - started) * 1000 / args.requests
        print(f"  {name:<10}{cpu_ms:>16.2f}{per_request_queries:>9}{per_request_cache:>13}")
        if name == "register":
            holds = sorted(
                float(line.split()[1])
                for line in Path(os.environ["AUDIT_HEAD_LOCK_LOG"])
                .read_text()
                .splitlines()[-args.requests :]
            )
            print(
                f"  audit chain head held per registration: p50 {holds[len(holds) // 2]:.2f} ms,"
                f" p95 {holds[int(len(holds) * 0.95)]:.2f} ms, max {holds[-1]:.2f} ms"
            )
        if profile:
            order = os.environ.get("BENCH_CPU_SORT", "cumulative")
            pstats.Stats(profile).sort_stats(order).print_stats(45)


if __name__ == "__main__":
    main()
