"""Users, teams and the one role each user holds."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
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


class User(AbstractUser):
    """A person with exactly one role; teams decide which objects a data scientist sees."""

    role = models.CharField(max_length=32, choices=Role.choices, default=Role.DATA_SCIENTIST)
    teams = models.ManyToManyField(Team, related_name="members", blank=True)
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = UserManager()

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
