"""Migration 0006 on a database that already holds duplicate findings: fingerprints are given,
one open finding per problem is kept (the oldest) and the others are closed as duplicates,
before 0007 adds the constraint that would refuse them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from audits.runs.models.findings import Finding, finding_fingerprint

BEFORE = [("audits", "0004_evidence_rules")]
AFTER = [("audits", "0007_finding_one_live_per_fingerprint")]


@pytest.mark.django_db(transaction=True)
def test_existing_duplicates_are_merged_into_the_oldest(model_version, scientist):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    OldRun = old.get_model("audits", "CheckRun")
    OldFinding = old.get_model("audits", "Finding")

    def raise_(code, group, status="open", kind="fairness", days_ago=0):
        run = OldRun.objects.create(
            kind=kind, model_version_id=model_version.pk, requested_by_id=scientist.pk
        )
        row = OldFinding.objects.create(
            model_version_id=model_version.pk,
            source="check",
            check_run=run,
            severity="high",
            code=code,
            message=f"{code} {group}",
            metric="demographic_parity_difference",
            group=group,
            status=status,
        )
        # auto_now_add: the age is set afterwards, as a re-run days later would have it.
        OldFinding.objects.filter(pk=row.pk).update(
            created_at=timezone.now() - timedelta(days=days_ago)
        )
        return row.pk, run.pk

    a1, _ = raise_("parity", "sex=f", days_ago=9)
    a2, run2 = raise_("parity", "sex=f", days_ago=5)
    a3, run3 = raise_("parity", "sex=f", days_ago=1)
    b1, _ = raise_("parity", "age<25", days_ago=9)  # another group: its own problem
    c1, _ = raise_("parity", "sex=f", kind="data_quality", days_ago=3)  # another kind
    done, _ = raise_("parity", "sex=f", status="resolved", days_ago=20)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    try:
        rows = {f.pk: f for f in Finding.objects.all()}
        kept = rows[a1]
        assert kept.status == "open"
        assert kept.occurrences == 3
        assert kept.last_seen_run_id == run3
        assert set(kept.seen_in_runs.values_list("pk", flat=True)) == {run2, run3}
        assert kept.due_date == (kept.created_at + timedelta(days=7)).date()
        for pk in (a2, a3):
            assert rows[pk].status == "duplicate" and rows[pk].duplicate_of_id == a1
            assert f"#{a1}" in rows[pk].resolution_comment
        assert rows[b1].status == "open" and rows[c1].status == "open"
        assert rows[done].status == "resolved"
        assert kept.fingerprint == finding_fingerprint(
            model_version_id=model_version.pk,
            kind="fairness",
            code="parity",
            metric="demographic_parity_difference",
            group="sex=f",
        )
        assert rows[done].fingerprint == kept.fingerprint
        assert len({rows[pk].fingerprint for pk in (a1, b1, c1)}) == 3
    finally:
        # Leave the schema as the other tests expect it, whatever happened above.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
