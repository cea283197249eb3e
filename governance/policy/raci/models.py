"""RACI roles of people on systems, models and datasets."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop
from simple_history.models import HistoricalRecords

from governance.kernel.accounts.models import CROSS_TEAM_READERS, Role


class Raci(models.TextChoices):
    RESPONSIBLE = "responsible", gettext_noop("Responsible")
    ACCOUNTABLE = "accountable", gettext_noop("Accountable")
    CONSULTED = "consulted", gettext_noop("Consulted")
    INFORMED = "informed", gettext_noop("Informed")


TEAM_PATHS = ("system__team", "model__system__team", "dataset__team")


class ResponsibilityQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view"):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if action != "view":
            return self if user.role == Role.ADMIN else self.none()
        if user.role in CROSS_TEAM_READERS:
            return self
        teams = user.team_ids()
        return self.filter(
            Q(system__team__in=teams)
            | Q(model__system__team__in=teams)
            | Q(dataset__team__in=teams)
        )

    def filter_target(self, *, system_id=None, model_id=None, dataset_id=None):
        """Responsibilities on any of the given objects (a model's people and its system's)."""
        q = Q(pk__in=[])
        if system_id:
            q |= Q(system_id=system_id)
        if model_id:
            q |= Q(model_id=model_id)
        if dataset_id:
            q |= Q(dataset_id=dataset_id)
        return self.filter(q)

    def active(self, at=None):
        at = at or timezone.now()
        return self.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=at), starts_at__lte=at)


class Responsibility(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="responsibilities"
    )
    role = models.CharField(max_length=16, choices=Raci.choices)
    system = models.ForeignKey(
        "registry.AISystem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsibilities",
    )
    model = models.ForeignKey(
        "registry.Model",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsibilities",
    )
    dataset = models.ForeignKey(
        "registry.Dataset",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsibilities",
    )
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = ResponsibilityQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "responsibilities"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(system__isnull=False, model__isnull=True, dataset__isnull=True)
                    | Q(system__isnull=True, model__isnull=False, dataset__isnull=True)
                    | Q(system__isnull=True, model__isnull=True, dataset__isnull=False)
                ),
                name="responsibility_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} on {self.target}"

    @property
    def target(self):
        return self.system or self.model or self.dataset

    @property
    def target_kind(self) -> str:
        if self.system_id:
            return "system"
        return "model" if self.model_id else "dataset"

    def is_active(self, at=None) -> bool:
        at = at or timezone.now()
        return self.starts_at <= at and (self.ends_at is None or self.ends_at > at)
