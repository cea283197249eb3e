"""The Celery application, configured for reliability before speed.

Tasks are acknowledged after they finish (``acks_late``) and re-queued when a worker dies
(``reject_on_worker_lost``), each worker reserves one task at a time, and the Redis visibility
timeout is longer than the longest hard time limit so a running task is never handed to a
second worker. Heavy analysis (SHAP, fairness, reports) and light work (notifications,
webhooks, bookkeeping) use separate queues so one slow explanation cannot delay an e-mail.
"""

from __future__ import annotations

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")

app = Celery("governance")
app.config_from_object("django.conf:settings", namespace="CELERY")


def _configure() -> None:
    from django.conf import settings  # noqa: PLC0415 - settings are read once Django is configured

    prefix = settings.CELERY_QUEUE_PREFIX
    light, heavy = f"{prefix}light", f"{prefix}analysis"
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_soft_time_limit=settings.CELERY_LIGHT_SOFT_LIMIT,
        task_time_limit=settings.CELERY_LIGHT_HARD_LIMIT,
        broker_transport_options={
            "visibility_timeout": settings.CELERY_VISIBILITY_TIMEOUT,
            # A broker host that does not answer must not hold a web request for long.
            "socket_connect_timeout": 5,
        },
        broker_connection_retry_on_startup=True,
        task_default_queue=light,
        task_queues=(Queue(light), Queue(heavy)),
        task_routes={"analysis.*": {"queue": heavy}},
        task_track_started=False,
        task_ignore_result=True,
        worker_max_tasks_per_child=200,
        worker_cancel_long_running_tasks_on_connection_loss=True,
        timezone="UTC",
        enable_utc=True,
        beat_schedule={
            # Work queued while the broker was unreachable is sent once it is back.
            "jobs-redispatch": {
                "task": "governance.jobs_redispatch",
                "schedule": float(settings.JOB_REDISPATCH_INTERVAL_SECONDS),
            },
            # A dataset version left "pending" (its job lost or failed) is marked failed.
            "dataset-versions-sweep": {
                "task": "registry.dataset_versions_sweep",
                "schedule": float(settings.PROFILE_SWEEP_INTERVAL_SECONDS),
            },
            # New versions of followed MLflow registered models are imported (when a server is
            # configured: without MLFLOW_TRACKING_URI the task finds nothing to do).
            "mlflow-links-sync": {
                "task": "registry.mlflow_links_sync",
                "schedule": float(settings.MLFLOW_SYNC_INTERVAL_SECONDS),
            },
            # Re-certification: approvals are also checked at read time, this only notifies
            # people and moves overdue versions back to review.
            "approvals-expire": {
                "task": "governance.approvals_expire",
                "schedule": 3600.0,
            },
            # Accepted risks lapse on a date; hourly so a lapse shows the same morning.
            "findings-reopen-expired": {
                "task": "audits.findings_reopen_expired",
                "schedule": 3600.0,
            },
            # A quiet trail is signed too: writers sign every N events, this every M minutes.
            "audit-checkpoint": {
                "task": "governance.audit_checkpoint",
                "schedule": float(settings.AUDIT_CHECKPOINT_EVERY_SECONDS),
            },
            # Single sign-on: suspend people the identity provider no longer vouches for
            # (their API tokens stop working), resync everyone else's role and teams.
            "sso-accounts-check": {
                "task": "governance.sso_accounts_check",
                "schedule": float(min(300, settings.OIDC_ACCOUNT_CHECK_SECONDS)),
            },
        },
    )


_configure()
# Every folder that keeps a tasks.py; Celery imports each once Django is ready.
app.autodiscover_tasks(
    [
        "governance.kernel.accounts.sso",
        "governance.kernel.audit",
        "governance.kernel.jobs",
        "governance.policy.notifications",
        "governance.review.approvals",
        "governance.obligations.incidents",
        "registry",
        "audits.runs",
        "audits.programme",
        "audits.reporting",
    ]
)
