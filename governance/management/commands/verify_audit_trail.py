import sys
import time

from django.core.management.base import BaseCommand

from governance.kernel.audit.services import audit_chain_verify


class Command(BaseCommand):
    help = "Verify the hash chain of the audit trail; exits 1 naming the first broken row."

    def handle(self, *args, **options):
        started = time.perf_counter()
        verdict = audit_chain_verify()
        elapsed = time.perf_counter() - started
        if verdict.ok:
            self.stdout.write(f"OK: {verdict.checked} events verified in {elapsed:.2f} s")
            return
        self.stderr.write(
            f"BROKEN at sequence {verdict.first_broken_sequence} "
            f"(row id {verdict.first_broken_id}): {verdict.reason}. "
            f"{verdict.checked} events before it are intact."
        )
        sys.exit(1)
