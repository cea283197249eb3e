"""Demo content: real fairness and explainability checks of the demo credit model.

The demo model was trained on one-hot features derived from German Credit (70 % of it), so
the checks run on the other 30 %, the rows it never saw: a derived dataset version holding
exactly those model inputs plus the label and the raw sensitive attributes (sex, age), linked
to the published data with ``derived_from`` and to the model version with ``tested_on``. Only
such evaluation data counts as evidence for the version. Idempotent: a second run finds the
data and the checks and creates nothing.
"""

from __future__ import annotations

import io

import pandas as pd
from django.core.files.uploadedfile import SimpleUploadedFile

from audits.programme.services.schedules import schedules_sync
from audits.runs.models.checks import CheckRun
from audits.runs.services.checks import check_run_request
from registry.demo import german_credit_csv, holdout_index, prepare_features
from registry.models import Dataset, DatasetVersion, ModelVersion
from registry.services.datasets import ColumnSettings, dataset_version_register
from registry.services.lineage import lineage_edge_add

TEST_VERSION = "2024-01-test"


def _test_version(scientist, dataset, source: DatasetVersion, mv) -> DatasetVersion:

    existing = DatasetVersion.objects.filter(dataset=dataset, version=TEST_VERSION).first()
    if existing is not None:
        return existing
    raw = pd.read_csv(io.BytesIO(german_credit_csv()))
    raw = raw.loc[holdout_index(raw)]
    frame = prepare_features(raw).assign(sex=raw["sex"], risk=raw["risk"])
    dv = dataset_version_register(
        actor=scientist,
        dataset=dataset,
        version=TEST_VERSION,
        data_file=SimpleUploadedFile(
            "german_credit_test.csv", frame.to_csv(index=False).encode(), "text/csv"
        ),
        description="Held-out test split (30 %, never used in training): model inputs "
        "(one-hot encoded) with the label and sensitive attributes.",
        column_settings=ColumnSettings(roles={"risk": "target"}, sensitive=["sex", "age"]),
    )
    lineage_edge_add(actor=scientist, kind="derived_from", upstream=source, downstream=dv)
    lineage_edge_add(actor=scientist, kind="tested_on", upstream=dv, downstream=mv)
    return dv


def seed(*, team, users, stdout) -> None:
    scientist = users["scientist"]
    dataset = Dataset.objects.filter(team=team, name="German Credit").first()
    source = DatasetVersion.objects.filter(dataset=dataset, version="2024-01").first()
    mv = ModelVersion.objects.filter(
        model__system__team=team, model__name="credit-risk-xgb", version="1.0.0"
    ).first()
    if dataset is None or source is None or mv is None:
        stdout.write("Demo checks skipped: the registry demo content is missing.")
        return
    dv = _test_version(scientist, dataset, source, mv)
    for kind in ("fairness", "explainability"):
        run = (
            CheckRun.objects.filter(model_version=mv, kind=kind, dataset_version=dv)
            .exclude(status="failed")
            .first()
        )
        if run is None:
            run = check_run_request(
                actor=scientist, model_version=mv, kind=kind, dataset_version=dv
            )
            run.refresh_from_db()
        verdict = {True: "passed", False: "did not pass", None: "no verdict yet"}[run.passed]
        stdout.write(f"Demo {kind} check #{run.pk}: {run.status}, {verdict}")
    # Classified systems get their audit schedule from the tier's policy (beat does this
    # hourly in production; the demo should not wait for it).

    counts = schedules_sync()
    stdout.write(f"Audit schedules: {counts}")
