"""Run every due scheduled audit now, in this process (the embedded stack has no beat)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from audits.programme.models import AuditRun
from audits.programme.services.schedules import dispatch_due_audits, schedules_sync
from governance.celery import app


class Command(BaseCommand):
    help = "Sync audit schedules with the policies, then run every due audit in-process."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-sync", action="store_true", help="Do not create schedules from policies first."
        )

    def handle(self, *args, no_sync: bool, **options):

        if not no_sync:
            counts = schedules_sync()
            self.stdout.write(f"Schedules: {counts}")
        previous = app.conf.task_always_eager
        # In-process: the audit and the checks it queues run here, before the command returns.
        app.conf.task_always_eager = True
        try:
            ids = dispatch_due_audits()
        finally:
            app.conf.task_always_eager = previous
        for run in AuditRun.objects.filter(pk__in=ids).select_related("system"):
            self.stdout.write(
                f"Audit run #{run.pk} of {run.system}: {run.status}, "
                f"{len(run.summary.get('check_runs', []))} check(s), "
                f"{len(run.summary.get('findings', []))} finding(s)"
            )
        if not ids:
            self.stdout.write("No audit is due.")
