"""API latency and throughput on the production stack, at scale.

Starts PostgreSQL database ``governance_bench`` (created, then dropped), Redis db 12, one
Celery worker and gunicorn with 4 workers on loopback; seeds BENCH_VERSIONS model versions
(default 100 000) and BENCH_EVENTS audit events (default 1 000 000) with ``seed_scale``; then
20 concurrent clients send a fixed number of requests per endpoint and the script prints
requests/s, p50/p95/p99 latency and PASS/FAIL against the targets, plus the time of
``verify_audit_trail`` over the whole chain.

Environment: BENCH_VERSIONS, BENCH_EVENTS, BENCH_CLIENTS (20), BENCH_REQUESTS (requests per
read endpoint, 2000), BENCH_UPLOADS (registrations, 200), BENCH_ARTEFACT_MB (10),
BENCH_PG (postgres://postgres@127.0.0.1:5432), BENCH_REDIS (redis://127.0.0.1:6379/12),
BENCH_KEEP_DB=1 keeps the database afterwards; BENCH_REUSE_DB=1 then skips creating and
seeding it on the next run (to repeat the load phase alone).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.common import ROOT, free_port

PY = sys.executable
VERSIONS = int(os.environ.get("BENCH_VERSIONS", "100000"))
EVENTS = int(os.environ.get("BENCH_EVENTS", "1000000"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "20"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "2000"))
UPLOADS = int(os.environ.get("BENCH_UPLOADS", "200"))
ARTEFACT_MB = float(os.environ.get("BENCH_ARTEFACT_MB", "10"))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/12")
DB_NAME = "governance_bench"
# (label, target p95 in ms)
TARGETS = {
    "list": 150.0,
    "list+search+filter": 150.0,
    "detail": 60.0,
    "register (10 MB)": 300.0,
    "deep offset": 50.0,
    "deep cursor": 50.0,
    "deep offset, 1 client": 50.0,
    "deep cursor, 1 client": 50.0,
}
# How deep the deep pages are (rows before the page), capped by the rows visible.
DEPTH = int(os.environ.get("BENCH_DEPTH", "50000"))
VERIFY_TARGET_S = 30.0


def psql(sql: str) -> None:
    subprocess.run(
        ["psql", f"{PG}/postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
        check=True,
        capture_output=True,
    )


def environment(var: str, port: int) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG}/{DB_NAME}",
        "REDIS_URL": REDIS,
        "CELERY_QUEUE_PREFIX": "bench-",
        "CACHE_KEY_PREFIX": "bench",
        "GOVERNANCE_VAR_DIR": var,
        "GOVERNANCE_ENV": "development",
        "DEBUG": "false",
        # Twenty clients share one token: the per-user rate limit would measure the throttle.
        "API_THROTTLE_USER": "1000000/minute",
        "LOG_LEVEL": "WARNING",
    }
    return env


def manage(env: dict, *args: str, capture: bool = True) -> str:
    out = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=capture, text=True
    )
    return out.stdout if capture else ""


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def load(name: str, count: int, make_request, clients: int | None = None) -> dict:
    """Send ``count`` requests from ``clients`` threads (CLIENTS), each with its own session."""
    clients = clients or CLIENTS
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    local = threading.local()
    counter = iter(range(count))

    def session() -> requests.Session:
        if not hasattr(local, "s"):
            local.s = requests.Session()
        return local.s

    def worker() -> None:
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            started = time.perf_counter()
            try:
                response = make_request(session(), i)
                ok = response.status_code < 400
                detail = f"{response.status_code} {response.text[:120]}"
            except requests.RequestException as exc:
                ok, detail = False, repr(exc)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if not ok:
                    errors.append(detail)

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for _ in range(clients):
            pool.submit(worker)
    wall = time.perf_counter() - started
    if errors:
        print(f"  {name}: {len(errors)} errors, first: {errors[0]}", file=sys.stderr)
    return {
        "name": name,
        "n": len(latencies),
        "rps": len(latencies) / wall,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "errors": len(errors),
    }


def wait_http(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("gunicorn exited")
        try:
            if requests.get(f"{url}/healthz/", timeout=5).ok:
                return
        except requests.RequestException:
            time.sleep(0.3)
    raise RuntimeError("server did not start")


def main() -> None:
    var = tempfile.mkdtemp(prefix="bench-api-")
    port = free_port()
    env = environment(var, port)
    url = f"http://127.0.0.1:{port}"
    reuse = bool(os.environ.get("BENCH_REUSE_DB"))
    if not reuse:
        psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        psql(f"CREATE DATABASE {DB_NAME}")
    procs: list[subprocess.Popen] = []
    try:
        seed_s = 0.0
        if not reuse:
            manage(env, "migrate", "-v0")
            manage(env, "seed_demo", "--users-only")
            started = time.perf_counter()
            manage(env, "seed_scale", "--versions", str(VERSIONS), "--events", str(EVENTS))
            seed_s = time.perf_counter() - started
        manage(
            env,
            "shell",
            "-c",
            "from django.db import connection as c; c.cursor().execute('VACUUM ANALYZE')",
        )
        token = manage(env, "issue_api_token", "scale-scientist").strip()
        log = open(Path(var) / "worker.log", "w")  # noqa: SIM115
        procs.append(
            subprocess.Popen(
                [
                    PY,
                    "-m",
                    "celery",
                    "-A",
                    "governance",
                    "worker",
                    "--concurrency",
                    "1",
                    "-Q",
                    "bench-light,bench-analysis",
                    "--without-gossip",
                    "--without-mingle",
                    "--loglevel",
                    "WARNING",
                    "-n",
                    f"bench-{os.getpid()}@%h",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        gunicorn = subprocess.Popen(
            [
                PY,
                "-m",
                "gunicorn",
                "governance.wsgi",
                "--config",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "4",
                "--timeout",
                "600",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(Path(var) / "web.log", "w"),  # noqa: SIM115
        )
        procs.append(gunicorn)
        wait_http(url, gunicorn)
        headers = {"Authorization": f"Bearer {token}"}
        api = f"{url}/api/v1"
        first = requests.get(f"{api}/model-versions/?limit=50", headers=headers, timeout=60)
        first.raise_for_status()
        # The model-version list counts up to a cap (count_exact false beyond it).
        total = first.json()["count"]
        visible = f"{total}" if first.json().get("count_exact", True) else f"more than {total}"
        ids = [row["id"] for row in first.json()["results"]]
        page = requests.get(
            f"{api}/model-versions/?limit=50&offset={max(total // 2, 0)}",
            headers=headers,
            timeout=60,
        ).json()["results"]
        ids += [row["id"] for row in page]
        model_id = requests.get(f"{api}/models/?limit=1", headers=headers, timeout=60).json()[
            "results"
        ][0]["id"]
        # Deep pages: offsets around DEPTH, and the keyset cursors the offset pages give out
        # for the same places (a client walking the list follows next_cursor to get there).
        depth = min(DEPTH, max(total - 100, 0)) if first.json().get("count_exact") else DEPTH
        deep_offsets = [max(depth - 50 * k, 0) for k in range(20)]
        deep_cursors = [
            requests.get(
                f"{api}/model-versions/?limit=50&offset={offset}", headers=headers, timeout=120
            ).json()["next_cursor"]
            for offset in deep_offsets
        ]
        # Warm every worker once.
        for _ in range(8):
            requests.get(f"{api}/model-versions/?limit=50", headers=headers, timeout=60)
        artefact = b"tree\nversion=v4\nnum_class=1\n" + os.urandom(int(ARTEFACT_MB * 2**20))

        def list_req(s, i):
            return s.get(f"{api}/model-versions/?limit=50", headers=headers, timeout=120)

        def search_req(s, i):
            return s.get(
                f"{api}/model-versions/?limit=50&search=scale-model-{i % 10}-{i % 7}"
                f"&status=approved&ordering=-created_at",
                headers=headers,
                timeout=120,
            )

        def detail_req(s, i):
            return s.get(f"{api}/model-versions/{ids[i % len(ids)]}/", headers=headers, timeout=120)

        def deep_offset_req(s, i):
            offset = deep_offsets[i % len(deep_offsets)]
            return s.get(f"{api}/model-versions/?limit=50&offset={offset}", headers=headers)

        def deep_cursor_req(s, i):
            cursor = deep_cursors[i % len(deep_cursors)]
            return s.get(f"{api}/model-versions/?limit=50&cursor={cursor}", headers=headers)

        run_id = uuid.uuid4().hex[:6]

        def register_req(s, i):
            # Unique bytes per registration: content-addressed storage would dedupe otherwise.
            body = artefact + f"\n# {run_id}-{i}\n".encode()
            return s.post(
                f"{api}/models/{model_id}/versions/",
                headers=headers,
                timeout=300,
                data={"version": f"bench-{run_id}-{i}"},
                files={"artefact": ("model.txt", body)},
            )

        rows = [
            load("list", REQUESTS, list_req),
            load("list+search+filter", REQUESTS, search_req),
            load("detail", REQUESTS, detail_req),
            load("register (10 MB)", UPLOADS, register_req),
            # With 20 clients in a closed loop latency is mostly queueing; one client shows
            # what a deep page costs the server by itself.
            load("deep offset", REQUESTS // 4, deep_offset_req),
            load("deep cursor", REQUESTS // 4, deep_cursor_req),
            load("deep offset, 1 client", 100, deep_offset_req, clients=1),
            load("deep cursor, 1 client", 100, deep_cursor_req, clients=1),
        ]
        started = time.perf_counter()
        verify = subprocess.run(
            [PY, "manage.py", "verify_audit_trail"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        verify_s = time.perf_counter() - started
    finally:
        for proc in reversed(procs):
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        if not (os.environ.get("BENCH_KEEP_DB") or reuse):
            psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")

    print(
        f"API benchmark: gunicorn 4 workers, PostgreSQL, Redis, 1 Celery worker, "
        f"{CLIENTS} clients, {os.cpu_count()} cores; {VERSIONS} versions and {EVENTS} audit "
        f"events ({'reused database' if reuse else f'seeded in {seed_s:.0f} s'}; "
        f"{visible} versions visible to the client; deep pages at offset {depth})"
    )
    header = f"  {'endpoint':<22}{'n':>6}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
    print(header + f"{'errors':>8}  {'target':<16}result")
    failed = False
    for row in rows:
        target = TARGETS[row["name"]]
        ok = row["p95"] < target and row["errors"] == 0
        failed |= not ok
        print(
            f"  {row['name']:<22}{row['n']:>6}{row['rps']:>9.1f}{row['p50']:>9.1f}"
            f"{row['p95']:>9.1f}{row['p99']:>9.1f}{row['errors']:>8}  "
            f"{f'p95 < {target:.0f} ms':<16}{'PASS' if ok else 'FAIL'}"
        )
    verify_ok = verify.returncode == 0 and verify_s < VERIFY_TARGET_S
    failed |= not verify_ok
    print(
        f"  {'verify_audit_trail':<22}{EVENTS:>6} events in {verify_s:.1f} s "
        f"(exit {verify.returncode}){'':>14}{f'< {VERIFY_TARGET_S:.0f} s':<16}"
        f"{'PASS' if verify_ok else 'FAIL'}"
    )
    if verify.returncode != 0:
        print(verify.stdout[-500:], verify.stderr[-500:], file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
