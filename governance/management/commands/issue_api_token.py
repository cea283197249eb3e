from django.core.management.base import BaseCommand, CommandError

from governance.kernel.accounts.models import User
from governance.kernel.accounts.services import api_token_issue
from governance.kernel.errors import ServiceError


class Command(BaseCommand):
    help = "Issue an API token for a user and print it once (only its hash is stored)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command-line token")
        parser.add_argument("--expires-in-days", type=int, default=None)

    def handle(self, *args, username, name, expires_in_days, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        if not user.is_active:
            raise CommandError(f"user {username!r} is deactivated")
        try:
            issued = api_token_issue(user=user, name=name, expires_in_days=expires_in_days)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(issued.raw)
