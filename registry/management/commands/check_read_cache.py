"""Re-derive every kept model-version detail and compare it with what is kept."""

import sys

from django.core.management.base import BaseCommand

from governance.kernel.accounts.models import User
from registry.detail import detail_cache_check


class Command(BaseCommand):
    help = (
        "Compare each model-version detail kept in the cache (per user, at the audit trail's "
        "current position) with a fresh computation; exits 1 naming those that differ, which "
        "means something changed without its audit event."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", action="append", help="only these usernames")
        parser.add_argument("--quiet", action="store_true", help="print only differences")

    def handle(self, *args, **options):
        users = User.objects.filter(is_active=True).order_by("pk")
        if options["user"]:
            users = users.filter(username__in=options["user"])
        compared, differing = detail_cache_check(users=users)
        for user_id, version_id in differing:
            self.stdout.write(f"DIFFERS: model-version {version_id} as user {user_id}")
        if differing:
            sys.exit(1)
        if not options["quiet"]:
            self.stdout.write(f"OK: {compared} kept details equal a fresh computation")
