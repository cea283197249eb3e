"""Users, teams and the one role each user holds."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    COMPLIANCE_OFFICER = "compliance_officer", "Compliance officer"
    DATA_SCIENTIST = "data_scientist", "Data scientist"
    AUDITOR = "auditor", "Auditor"


# Roles that read every team's objects: oversight must not depend on team membership.
CROSS_TEAM_READERS = frozenset({Role.ADMIN, Role.COMPLIANCE_OFFICER, Role.AUDITOR})


class Team(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class GovernanceUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # ``createsuperuser`` makes an admin: the role is what the app checks, and the admin
        # site's flags follow the role (see accounts.services.role_flags).
        extra_fields.setdefault("role", Role.ADMIN)
        if extra_fields["role"] != Role.ADMIN:
            raise ValueError("a superuser has the admin role")
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person with exactly one role; teams decide which objects a data scientist sees."""

    role = models.CharField(max_length=32, choices=Role.choices, default=Role.DATA_SCIENTIST)
    teams = models.ManyToManyField(Team, related_name="members", blank=True)
    # The language of the pages for this person; blank: their browser's (docs/LANGUAGES.md).
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, blank=True, default="")
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = GovernanceUserManager()

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_admin_role(self) -> bool:
        return self.role == Role.ADMIN

    def has_role(self, *roles: str) -> bool:
        return self.is_active and self.role in roles

    def team_ids(self) -> list[int]:
        # Cached per instance: permission checks ask for it many times per request.
        cached = getattr(self, "_team_ids_cache", None)
        if cached is None:
            cached = list(self.teams.values_list("id", flat=True))
            self._team_ids_cache = cached
        return cached


def token_digest(raw: str) -> str:
    # Tokens carry 256 bits of randomness, so a fast unsalted hash is enough: there is nothing
    # to brute-force, unlike a human password.
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, db_index=True, help_text="Shown to identify it.")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:

        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()
