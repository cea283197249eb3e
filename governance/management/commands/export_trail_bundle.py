"""Write the audit trail's offline bundle to a file (for trails too long for a download)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from governance.kernel.audit.bundle import audit_bundle_build


class Command(BaseCommand):
    help = (
        "Write the audit trail, its signed checkpoints and the server's public keys to a zip "
        "that scripts/verify_trail_bundle.py checks without Django or the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="the zip file to write")

    def handle(self, *args, **options):
        path = Path(options["output"])
        if path.exists():
            raise CommandError(f"{path} exists; choose another name")
        with path.open("wb") as handle:
            manifest = audit_bundle_build(actor=None, output=handle)
        self.stdout.write(
            f"{path}: {manifest['events']} events, {manifest['checkpoints']} checkpoints"
        )
