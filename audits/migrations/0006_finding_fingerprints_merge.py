"""Give existing findings their fingerprint and merge the duplicates re-runs raised.

Each re-run of a check used to add its findings again, so one problem could have many open
rows. Per fingerprint the oldest open row is kept (its occurrences count them all, its last
seen run is the newest one's) and the others are closed as duplicates of it. Resolved rows
only get their fingerprint. Rows are read and written in batches so a large table does not
have to fit in memory; the unique constraint comes in the next migration, once this is done.

The fingerprint and the days to fix are written out here rather than imported: a migration
must do the same thing on every database, whatever the code says later.
"""

import hashlib
from collections import defaultdict
from datetime import timedelta

from django.db import migrations
from django.utils import timezone

BATCH = 2000
DUE_DAYS = {"high": 7, "medium": 30, "low": 90}


def fingerprint(model_version_id, kind, code, metric, group):
    key = "\x1f".join([str(model_version_id), kind, code, metric or "", group or ""])
    return hashlib.sha256(key.encode()).hexdigest()


def forwards(apps, schema_editor):
    Finding = apps.get_model("audits", "Finding")
    rows = (
        Finding.objects.filter(fingerprint="")
        .select_related("check_run", "operational_metric")
        .order_by("pk")
    )
    batch = []
    open_by_fp = defaultdict(list)
    for f in rows.iterator(chunk_size=BATCH):
        if f.source == "audit":
            kind = "audit"
        elif f.source == "operational" and f.operational_metric_id:
            kind = f"operational:{f.operational_metric.environment}"[:40]
        else:
            kind = f.check_run.kind if f.check_run_id else f.source
        f.kind = kind
        f.fingerprint = fingerprint(f.model_version_id, kind, f.code, f.metric, f.group)
        f.last_seen_at = f.created_at
        f.last_seen_run_id = f.check_run_id
        if f.status == "open":
            days = DUE_DAYS.get(f.severity)
            f.due_date = (f.created_at + timedelta(days=days)).date() if days else None
            open_by_fp[f.fingerprint].append((f.created_at, f.pk, f.check_run_id))
        batch.append(f)
        if len(batch) >= BATCH:
            Finding.objects.bulk_update(
                batch, ["kind", "fingerprint", "last_seen_at", "last_seen_run", "due_date"]
            )
            batch = []
    if batch:
        Finding.objects.bulk_update(
            batch, ["kind", "fingerprint", "last_seen_at", "last_seen_run", "due_date"]
        )

    now = timezone.now()
    Seen = Finding.seen_in_runs.through
    for fp, members in open_by_fp.items():
        if len(members) < 2:
            continue
        members.sort()
        _, keep_pk, _ = members[0]
        newest_at, _, newest_run = members[-1]
        Finding.objects.filter(pk=keep_pk).update(
            occurrences=len(members), last_seen_at=newest_at, last_seen_run_id=newest_run
        )
        Seen.objects.bulk_create(
            [Seen(finding_id=keep_pk, checkrun_id=run) for _, _, run in members[1:] if run],
            ignore_conflicts=True,
        )
        Finding.objects.filter(pk__in=[pk for _, pk, _ in members[1:]]).update(
            status="duplicate",
            duplicate_of_id=keep_pk,
            resolved_at=now,
            due_date=None,
            resolution_comment=f"Merged into finding #{keep_pk}, the same problem raised earlier.",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0005_finding_work_queue"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
