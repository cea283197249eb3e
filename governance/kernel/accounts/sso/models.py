"""Who a single-sign-on user is at the provider, and the admins' rules that turn provider
groups into a role and teams."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from governance.kernel.accounts.models import Role, Team

# When a person's groups map to several roles, the most senior wins: an admin group must not
# be overridden by a data science group the same person also belongs to.
ROLE_PRECEDENCE = (Role.ADMIN, Role.COMPLIANCE_OFFICER, Role.AUDITOR, Role.DATA_SCIENTIST)


class ExternalIdentity(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identity"
    )
    issuer = models.CharField(max_length=300)
    subject = models.CharField(max_length=255)
    groups = models.JSONField(default=list, help_text="Groups the provider named last time.")
    # Sealed (governance/kernel/accounts/sealing.py); lets the account check ask the provider.
    refresh_token = models.TextField(blank=True)
    last_login_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    # Set when the provider said no (disabled, or no mapped role left): the user was made
    # inactive by the check, and a later successful sign-in at the provider undoes it.
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspended_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="uniq_external_identity")
        ]

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer}"


class GroupMapping(models.Model):
    """One rule: members of the provider group ``group`` get ``role`` and/or join ``team``."""

    group = models.CharField(max_length=200, db_index=True)
    role = models.CharField(max_length=32, choices=Role.choices, blank=True)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="group_mappings"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["group", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="") | models.Q(team__isnull=False),
                name="group_mapping_grants_something",
            ),
            models.UniqueConstraint(
                fields=["group", "role", "team"], name="uniq_group_mapping_rule"
            ),
        ]

    def __str__(self) -> str:
        what = [self.get_role_display() if self.role else "", str(self.team or "")]
        return f"{self.group} → {', '.join(w for w in what if w)}"
