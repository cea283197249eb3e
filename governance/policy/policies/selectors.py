"""Reads of the governance app; each takes the acting user and narrows by role."""

from __future__ import annotations

from django.db.models import QuerySet

from governance.kernel.accounts.models import User
from governance.policy.policies.models import Policy


def policy_list(*, actor: User) -> QuerySet[Policy]:
    # Policies are the rules everyone works under: every authenticated role may read them.
    if not actor.is_authenticated:
        return Policy.objects.none()
    return Policy.objects.select_related("updated_by").order_by("tier")
