"""Periodic tasks of the audits app, merged into the Celery beat schedule by AuditsConfig."""

from __future__ import annotations

BEAT_SCHEDULE = {
    # Cheap when nothing is due: one indexed query. Row locks make overlapping beats harmless.
    "audits-dispatch-due": {"task": "audits.dispatch_due_audits", "schedule": 60.0},
    # Classification and policy edits change who is audited how often.
    "audits-sync-schedules": {"task": "audits.sync_schedules", "schedule": 3600.0},
}
