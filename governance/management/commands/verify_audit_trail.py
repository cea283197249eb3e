import sys
import time

from django.core.management.base import BaseCommand

from governance.kernel.audit.services import audit_chain_verify


class Command(BaseCommand):
    help = (
        "Verify the audit trail against its hash chain and its signed checkpoints (database and "
        "sink); exits 1 naming the first broken row."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        verdict = audit_chain_verify()
        elapsed = time.perf_counter() - started
        for warning in verdict.warnings:
            self.stderr.write(f"warning: {warning}")
        if verdict.ok:
            signed = (
                f"signed up to #{verdict.last_checkpoint_sequence} at "
                f"{verdict.last_checkpoint_at} ({verdict.checkpoints} checkpoints, "
                f"{verdict.unsigned_tail} events since)"
                if verdict.checkpoints
                else "no signed checkpoint yet"
            )
            self.stdout.write(f"OK: {verdict.checked} events verified in {elapsed:.2f} s; {signed}")
            return
        self.stderr.write(
            f"BROKEN at sequence {verdict.first_broken_sequence} "
            f"(row id {verdict.first_broken_id}): {verdict.reason}. "
            f"{verdict.checked} events before it are intact."
        )
        sys.exit(1)
