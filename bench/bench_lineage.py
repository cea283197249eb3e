"""Lineage queries on a 100,000-node graph (PostgreSQL).

Creates database ``governance_bench_lineage``, seeds BENCH_LINEAGE_NODES nodes (default
100 000: a third dataset versions, the rest model versions) with ``seed_scale --lineage-nodes``,
then times, for BENCH_LINEAGE_SAMPLES random nodes each (default 300):

* upstream of a model version (what the version detail, the personal-data summary and the
  requirements read),
* downstream of a dataset version (the impact of a data problem: every version built on it),
* downstream of a model version,

printing p50/p95/p99 in ms, the rows returned and PASS/FAIL against p95 ≤ 50 ms.
BENCH_KEEP_DB=1 keeps the database; BENCH_REUSE_DB=1 then skips creating and seeding it.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.common import ROOT

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
NODES = int(os.environ.get("BENCH_LINEAGE_NODES", "100000"))
SAMPLES = int(os.environ.get("BENCH_LINEAGE_SAMPLES", "300"))
DB_NAME = "governance_bench_lineage"
TARGET_MS = 50.0


def psql(sql: str) -> None:
    subprocess.run(
        ["psql", f"{PG}/postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
        check=True,
        capture_output=True,
    )


def seed(env: dict) -> None:
    psql(f"DROP DATABASE IF EXISTS {DB_NAME}")
    psql(f"CREATE DATABASE {DB_NAME}")
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True
    )
    run("migrate", "--noinput", "-v0")
    started = time.perf_counter()
    model_versions = NODES - NODES // 3
    run(
        "seed_scale",
        "--versions",
        str(model_versions),
        "--events",
        "0",
        "--lineage-nodes",
        str(NODES),
    )
    # As autovacuum would after a bulk load: the planner needs the tables' statistics.
    subprocess.run(["psql", f"{PG}/{DB_NAME}", "-q", "-c", "ANALYZE"], check=True)
    print(f"seeded in {time.perf_counter() - started:.0f} s")


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> int:
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG}/{DB_NAME}",
        "GOVERNANCE_ENV": "development",
        "DJANGO_SETTINGS_MODULE": "governance.settings",
    }
    env.pop("REDIS_URL", None)
    if os.environ.get("BENCH_REUSE_DB") != "1":
        seed(env)
    os.environ.update({k: v for k, v in env.items() if k in ("DATABASE_URL", "GOVERNANCE_ENV")})
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
    import django  # noqa: PLC0415 - configured from the environment set just above

    django.setup()
    from registry import lineage  # noqa: PLC0415 - needs Django set up
    from registry.models import DatasetVersion, LineageEdge, ModelVersion  # noqa: PLC0415

    edges = LineageEdge.objects.count()
    rng = random.Random(7)
    models = list(
        ModelVersion.objects.filter(upstream_edges__isnull=False)
        .values_list("pk", flat=True)
        .distinct()
    )
    datas = list(DatasetVersion.objects.values_list("pk", flat=True))
    print(f"graph: {len(datas)} dataset versions, {len(models)} model versions, {edges} edges")
    cases = [
        ("upstream of a model version", lineage.upstream_rows, "m", models),
        ("downstream of a dataset version", lineage.downstream_rows, "d", datas),
        ("downstream of a model version", lineage.downstream_rows, "m", models),
    ]
    failed = False
    print(f"{'query':34} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'rows p50':>9}")
    for label, walk, kind, pool in cases:
        walk((kind, pool[0]))  # warm the connection and the plan
        times, sizes = [], []
        for pk in rng.sample(pool, min(SAMPLES, len(pool))):
            started = time.perf_counter()
            rows = walk((kind, pk))
            times.append((time.perf_counter() - started) * 1000)
            sizes.append(len(rows))
        p95 = percentile(times, 95)
        verdict = "PASS" if p95 <= TARGET_MS else "FAIL"
        failed |= p95 > TARGET_MS
        print(
            f"{label:34} {len(times):>5} {percentile(times, 50):>8.1f} {p95:>8.1f} "
            f"{percentile(times, 99):>8.1f} {statistics.median(sizes):>9.0f}  "
            f"p95 ≤ {TARGET_MS:.0f} ms {verdict}"
        )
    if os.environ.get("BENCH_KEEP_DB") != "1":
        from django.db import connections  # noqa: PLC0415

        connections.close_all()
        psql(f"DROP DATABASE IF EXISTS {DB_NAME}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
