from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from governance.kernel.accounts.models import Role, User
from governance.kernel.accounts.services import team_get_or_create, user_create
from governance.kernel.errors import ServiceError


class Command(BaseCommand):
    help = "Create a user with one role in a team (the team is created if needed)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--team", action="append", default=[], help="repeatable")
        parser.add_argument("--password", help="omit to create a token-only account")
        parser.add_argument("--email", default="")

    def handle(self, *args, username, role, team, password, email, **options):
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"user {username!r} already exists")
        teams = [team_get_or_create(name=name) for name in team]
        try:
            user = user_create(
                username=username, role=role, teams=teams, password=password, email=email
            )
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        except (ValueError, IntegrityError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"created {user.username} ({role}) in {', '.join(team) or 'no team'}")
