"""Load the demo: one user per role in a demo team, then the registry's demo content.

Idempotent: running it again creates nothing twice. The passwords are public demo passwords,
so the command refuses to run in production.
"""

from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from governance.kernel.accounts.models import Role, User
from governance.kernel.accounts.services import team_get_or_create, user_create

DEMO_USERS = [
    ("admin", Role.ADMIN, "admin-demo-2026", "Ada", "Admin"),
    ("compliance", Role.COMPLIANCE_OFFICER, "compliance-demo-2026", "Colette", "Compliance"),
    # Not a compliance officer: the high-risk policy wants both, from two people.
    ("owner", Role.DATA_SCIENTIST, "owner-demo-2026", "Otto", "Owner"),
    ("scientist", Role.DATA_SCIENTIST, "scientist-demo-2026", "Sam", "Scientist"),
    ("auditor", Role.AUDITOR, "auditor-demo-2026", "Aude", "Auditor"),
]

# Apps add demo content by exposing ``seed(team, users, stdout)`` in these modules.
DEMO_MODULES = [
    "registry.demo",
    "governance.demo.governance",
    "governance.demo.audits",
    "governance.demo.review",
    "governance.demo.genai",
]


class Command(BaseCommand):
    help = "Create demo users (printed with their passwords) and demo registry content."

    def add_arguments(self, parser):
        parser.add_argument("--users-only", action="store_true")

    def handle(self, *args, users_only: bool, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_demo creates users with public passwords: not in production")
        team = team_get_or_create(name="Credit Risk Analytics")
        users: dict[str, User] = {}
        self.stdout.write("Demo users (username / password / role):")
        for username, role, password, first, last in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = user_create(
                    username=username,
                    role=role,
                    teams=[team],
                    password=password,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@example.org",
                )
            users[username] = user
            self.stdout.write(f"  {username:<12} {password:<22} {Role(role).label}")
        if users_only:
            return
        for name in DEMO_MODULES:
            try:
                module = import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise
                continue
            module.seed(team=team, users=users, stdout=self.stdout)
