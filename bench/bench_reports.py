"""Render time and peak memory of the demo's Annex IV report (about 20 pages).

Seeds the demo on a fresh embedded stack (a real model, real fairness and SHAP runs with their
charts), then, in a separate process, renders the report three times from its snapshot and
prints wall time and the process's peak resident memory (targets: under 10 s, under 600 MB).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, os, resource, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
import django; django.setup()
from audits.models import Report
from audits.reporting.services import render_from_snapshot_pages
report = Report.objects.filter(kind="annex_iv", status="succeeded").latest("pk")
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
times, pages, sizes = [], 0, set()
for _ in range(3):
    started = time.perf_counter()
    pdf, pages = render_from_snapshot_pages(report.kind, report.snapshot)
    times.append(time.perf_counter() - started)
    sizes.add(len(pdf))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
import hashlib
print(json.dumps({"pages": pages, "times": times, "baseline_mb": baseline, "peak_mb": peak,
                  "identical": hashlib.sha256(pdf).hexdigest() == report.sha256,
                  "bytes": sizes.pop()}))
"""


def main() -> None:
    var = tempfile.mkdtemp(prefix="bench-reports-")
    env = {**os.environ, "GOVERNANCE_VAR_DIR": var, "LOG_LEVEL": "WARNING"}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    py = sys.executable
    subprocess.run([py, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [py, "manage.py", "seed_demo"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    subprocess.run(
        [
            py,
            "-c",
            (
                "import os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','governance.settings');"
                "import django; django.setup();"
                "from governance.models import User; from registry.models import ModelVersion;"
                "from audits.reporting.services import report_request;"
                "report_request(actor=User.objects.get(username='auditor'), kind='annex_iv',"
                " model_version=ModelVersion.objects.get(version='1.0.0'))"
            ),
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    out = subprocess.run(
        [py, "-c", CHILD], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    best = min(figures["times"])
    print("report benchmark (Annex IV of the demo high-risk version, from its snapshot)")
    print(f"  pages                   {figures['pages']:10d}")
    print(f"  PDF size                {figures['bytes'] / 1024:10.1f} KB")
    print(
        f"  render time (best of 3) {best:10.2f} s   target < 10 s   "
        f"{'PASS' if best < 10 else 'FAIL'}"
    )
    print(
        f"  process peak RSS        {figures['peak_mb']:10.1f} MB  target < 600 MB "
        f"{'PASS' if figures['peak_mb'] < 600 else 'FAIL'}"
    )
    print(f"  of which before render  {figures['baseline_mb']:10.1f} MB  (Django and libraries)")
    print(f"  byte-identical re-render {'yes' if figures['identical'] else 'NO'}")


if __name__ == "__main__":
    main()
