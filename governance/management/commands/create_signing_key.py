"""Create the server's Ed25519 signing key in a file readable by its owner only."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from governance.kernel.signing import public_key_id, public_key_pem, signing_key_create


class Command(BaseCommand):
    help = (
        "Write a new Ed25519 signing key (PEM, mode 0600) for SIGNING_KEY_FILE and print its "
        "public key, which auditors verify signatures and trail bundles with."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", required=True, help="where to write the private key")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            key = signing_key_create(path)
        except FileExistsError as exc:
            raise CommandError(f"{path} exists; a signing key is never overwritten") from exc
        public = key.public_key()
        self.stdout.write(f"Private key written to {path} (mode 0600).")
        self.stdout.write(f"Key id {public_key_id(public)}; public key:")
        self.stdout.write(public_key_pem(public))
