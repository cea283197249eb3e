"""PII detection on a corpus of public datasets, against a peer detector, and its speed.

Runs our detector (``registry.inspection``: the real profiler's sample, then the scanner) on
every table of ``tests/data/pii_corpus`` and prints precision and recall per category, per
column and over the direct identifiers and the Art. 9 categories, with a sample of the
cases it gets wrong. Then runs Microsoft Presidio on the same tables in its own virtualenv
(``var/peer-venv``; see ``bench/peer_presidio.py``) and prints both side by side. Last, it
profiles and scans a generated CSV of 1 million rows x 50 columns and reports the time and
the peak memory (targets: under 60 s, memory flat).

Targets: recall >= 0.98 on direct identifiers and on Art. 9 categories, column precision
>= 0.95, both ahead of the peer. Usage: ``python bench/bench_pii.py [--no-peer] [--no-speed]``;
``--speed-only --rows 10000000 --columns 5`` (or ``BENCH_PII_ROWS=10000000
BENCH_PII_COLUMNS=5``) streams a long file and checks memory stays flat. The generated file
goes to the system's temporary directory (``TMPDIR``), never into the repository.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.pii_corpus import DIRECT, ROOT, SPECIAL, Score, load_corpus, score
from registry.inspection.pii import scan_columns
from registry.inspection.pii.abbreviations import abbreviation_matches
from registry.inspection.pii.names import name_matches
from registry.inspection.pii.values import mask
from registry.inspection.profiling import profile_data_file

PEER_PYTHON = ROOT / "var" / "peer-venv" / "bin" / "python"
PEER_CACHE = ROOT / "var" / "bench"
TARGET_RECALL = 0.98
TARGET_COLUMN_PRECISION = 0.95
TARGET_SECONDS = 60.0


def detect_ours(tables) -> tuple[dict, dict]:
    """What our pipeline flags per column: profile a CSV of the table, scan its sample."""
    found: dict[tuple[str, str], set[str]] = {}
    evidence: dict[tuple[str, str], str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for table in tables:
            path = Path(tmp) / f"{table.name}.csv"
            table.frame.to_csv(path, index=False)
            profile = profile_data_file(path, data_format="csv")
            samples = {c.name: c.sample_values for c in profile.columns}
            for column in table.labels:
                found[(table.name, column)] = set()
            for hit in scan_columns(samples):
                found[(table.name, hit.column)].add(hit.category)
                evidence[(table.name, hit.column)] = (
                    evidence.get((table.name, hit.column), "") + f"{hit.category}: {hit.evidence}; "
                )
            for column in table.labels:
                if not found[(table.name, column)]:
                    evidence[(table.name, column)] = _no_hit(column, samples.get(column, []))
    return found, evidence


def _no_hit(column: str, values: list) -> str:
    """Why a column got no hit: the hints that were there but not enough, and its values."""
    reasons = [
        f"weak name hint {m.category} ('{m.keyword}') not borne out by the values"
        for m in name_matches(column)
        if not m.strong
    ]
    reasons += [
        f"name may abbreviate '{m.phrase}' ({m.category}) but nothing corroborates it"
        for m in abbreviation_matches(column)
    ]
    if not reasons:
        reasons.append("no rule reads the name")
    distinct = sorted({str(v) for v in values})
    shown = ", ".join(mask(v, "") for v in distinct[:4]) + (", ..." if len(distinct) > 4 else "")
    reasons.append(f"{len(distinct)} distinct sampled values ({shown})")
    return "no hit: " + "; ".join(reasons)


def detect_peer(tables) -> dict | None:
    """Presidio's answer per column; cached in var/ by the corpus' content (it is slow)."""
    if not PEER_PYTHON.exists():
        print(f"peer: {PEER_PYTHON} is missing; create it with scripts/peer_venv.sh")
        return None
    digest = hashlib.sha256()
    for table in tables:
        digest.update(table.name.encode() + table.frame.to_csv(index=False).encode())
    cache = PEER_CACHE / f"{digest.hexdigest()[:16]}.json"
    if cache.exists():
        raw = json.loads(cache.read_text())
        print(f"peer: {raw['engine']} (cached answer for this corpus, {cache.name})")
        return {(r["table"], r["column"]): set(r["categories"]) for r in raw["columns"]}
    with tempfile.TemporaryDirectory() as tmp:
        listing = []
        for table in tables:
            path = Path(tmp) / f"{table.name}.csv"
            table.frame.to_csv(path, index=False)
            listing.append({"table": table.name, "path": str(path)})
        manifest = Path(tmp) / "manifest.json"
        manifest.write_text(json.dumps(listing))
        result = subprocess.run(
            [str(PEER_PYTHON), str(ROOT / "bench" / "peer_presidio.py"), str(manifest)],
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        print("peer failed:", result.stderr[-2000:])
        return None
    raw = json.loads(result.stdout)
    PEER_CACHE.mkdir(parents=True, exist_ok=True)
    cache.write_text(result.stdout)
    print(f"peer: {raw['engine']}")
    return {(r["table"], r["column"]): set(r["categories"]) for r in raw["columns"]}


def report(name: str, result: Score) -> None:
    print(f"\n--- {name}: per category (precision / recall, tp fp fn) ---")
    for category in DIRECT + SPECIAL:
        tp, fp, fn = (result.tp.get(category, 0), result.fp.get(category, 0),
                      result.fn.get(category, 0))  # fmt: skip
        if tp + fp + fn:
            print(
                f"  {category:22s} {result.precision([category]):5.2f} / "
                f"{result.recall([category]):5.2f}   {tp:3d} {fp:3d} {fn:3d}"
            )


def summary(result: Score) -> dict[str, float]:
    return {
        "recall_direct": result.recall(DIRECT),
        "recall_art9": result.recall(SPECIAL),
        "precision_direct": result.precision(DIRECT),
        "precision_art9": result.precision(SPECIAL),
        "column_precision": result.column_precision,
        "column_recall": result.column_recall,
    }


def groups(tables, found) -> None:
    """The summary per group of tables: those the vocabularies were written against, and
    each held-out batch, labelled before the detector first saw it."""
    names = sorted({t.batch for t in tables})
    if names == [""]:
        return
    print("\n--- per group (Art. 9 recall, direct recall, column precision; columns) ---")
    for batch in names:
        part = [t for t in tables if t.batch == batch]
        result = score(part, found)
        labelled = sum(bool(v) for t in part for v in t.labels.values())
        print(
            f"  {batch or 'written against':18s} {result.recall(SPECIAL):6.3f} "
            f"{result.recall(DIRECT):6.3f} {result.column_precision:6.3f}   "
            f"{len(part)} tables, {sum(len(t.labels) for t in part)} columns, "
            f"{labelled} with personal data"
        )


def speed(rows: int = 1_000_000, columns: int = 50) -> tuple[float, float, bool]:
    """Profile and scan a generated CSV; returns seconds, peak RSS in MB and flatness."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "wide.csv"
        rng = np.random.default_rng(0)
        chunk = 100_000
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            frame = pd.DataFrame(
                {
                    f"c{i}": (
                        rng.integers(0, 10**6, n)
                        if i % 3 == 0
                        else rng.normal(size=n).round(4)
                        if i % 3 == 1
                        else rng.choice(["alpha", "beta", "gamma", "delta"], n)
                    )
                    for i in range(columns)
                }
            )
            frame.insert(0, "id", np.arange(start, start + n))
            frame = frame.iloc[:, :columns]
            frame.to_csv(path, mode="a", header=start == 0, index=False)
        size_mb = path.stat().st_size / 2**20
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        cpu_started = time.process_time()
        profile = profile_data_file(path, data_format="csv")
        scan_columns({c.name: c.sample_values for c in profile.columns})
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        load = os.getloadavg()[0]
    print(
        f"\n--- speed: {rows:,} rows x {columns} columns ({size_mb:.0f} MB CSV): {seconds:.1f} s"
        f" wall, {cpu:.1f} s CPU (load average {load:.1f} on {os.cpu_count()} cores),"
        f" peak RSS {peak:.0f} MB (before {before:.0f} MB, file {size_mb:.0f} MB)"
    )
    flat = peak - before < size_mb
    return seconds, peak, flat


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--misses", type=int, default=25)
    parser.add_argument("--speed-only", action="store_true")
    parser.add_argument(
        "--exclude-batch",
        action="append",
        default=[],
        help="leave out a held-out batch (e.g. one not yet scored)",
    )
    parser.add_argument(
        "--rows", type=int, default=int(os.environ.get("BENCH_PII_ROWS", 1_000_000))
    )
    parser.add_argument("--columns", type=int, default=int(os.environ.get("BENCH_PII_COLUMNS", 50)))
    args = parser.parse_args()
    if args.speed_only:
        seconds, _peak, flat = speed(args.rows, args.columns)
        print(("PASS" if flat else "FAIL") + ": memory flat while streaming")
        return 0 if flat else 1
    tables = load_corpus(exclude_batches=tuple(args.exclude_batch))
    print(
        f"corpus: {len(tables)} tables, {sum(len(t.labels) for t in tables)} columns, "
        f"{sum(bool(v) for t in tables for v in t.labels.values())} with personal data"
    )
    started = time.perf_counter()
    found, evidence = detect_ours(tables)
    ours = score(tables, found, why=lambda t, c: evidence.get((t, c), "no hit"))
    print(f"ours: scanned in {time.perf_counter() - started:.1f} s")
    report("ours", ours)
    peer = None
    if not args.no_peer:
        peer_found = detect_peer(tables)
        if peer_found is not None:
            peer = score(tables, peer_found)
            report("peer (Presidio)", peer)
    print("\n--- summary ---")
    print(f"  {'':20s} {'ours':>8s} {'peer':>8s}")
    ours_summary = summary(ours)
    peer_summary = summary(peer) if peer else {}
    for key, value in ours_summary.items():
        other = peer_summary.get(key)
        print(f"  {key:20s} {value:8.3f} {other if other is None else f'{other:8.3f}'}")
    groups(tables, found)
    print(f"\n--- sample of columns we get wrong ({len(ours.misses)} in all) ---")
    for miss in ours.misses[: args.misses]:
        print(
            f"  {miss.table}.{miss.column}: expected {sorted(miss.expected) or 'none'}, "
            f"found {sorted(miss.found) or 'none'} — {miss.why[:160]}"
        )
    ok = (
        ours_summary["recall_direct"] >= TARGET_RECALL
        and ours_summary["recall_art9"] >= TARGET_RECALL
        and ours_summary["column_precision"] >= TARGET_COLUMN_PRECISION
    )
    if peer_summary:
        ok = ok and all(
            ours_summary[k] >= peer_summary[k]
            for k in ("recall_direct", "recall_art9", "column_precision")
        )
    print(("PASS" if ok else "FAIL") + ": recall and column precision targets, ahead of the peer")
    if not args.no_speed:
        seconds, _peak, flat = speed(args.rows, args.columns)
        speed_ok = seconds < TARGET_SECONDS and flat
        print(
            ("PASS" if speed_ok else "FAIL")
            + f": 1M x 50 in under {TARGET_SECONDS:.0f} s, flat memory"
        )
        ok = ok and speed_ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
