"""Navigation entries for the signed-in user's role (templates hold no logic)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from governance.kernel.accounts.models import Role
from governance.policy.notifications.selectors import unread_notification_count

ALL = {Role.ADMIN, Role.COMPLIANCE_OFFICER, Role.DATA_SCIENTIST, Role.AUDITOR}

# (label, url name, roles that see it); entries whose URL does not exist yet are skipped.
NAV = [
    (_("Dashboard"), "home", ALL),
    (_("Inventory"), "inventory", ALL),
    (_("MLflow"), "mlflow-links", ALL),
    (_("Review queue"), "review-queue", {Role.COMPLIANCE_OFFICER, Role.ADMIN}),
    (_("Findings"), "findings", ALL),
    (_("Audits"), "audits", ALL),
    (_("Audit trail"), "audit-trail", {Role.AUDITOR, Role.ADMIN}),
    (_("Reports"), "reports", {Role.AUDITOR, Role.COMPLIANCE_OFFICER, Role.ADMIN}),
    (_("People"), "people", {Role.ADMIN}),
    (_("Policies"), "policies", {Role.ADMIN}),
    (_("API docs"), "api-docs", ALL),
]
# The role names as the top bar shows them (Role's labels are English message ids).
ROLE_LABELS = (
    gettext_noop("Admin"),
    gettext_noop("Compliance officer"),
    gettext_noop("Data scientist"),
    gettext_noop("Auditor"),
)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for label, name, roles in NAV:
        if user.role not in roles:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "active": request.path == url})
    return {
        "nav_items": items,
        "role_label": gettext(Role(user.role).label),
        **notification_badge(request),
    }


def notification_badge(request):
    """The signed-in user's unread notification count for the top bar: one query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    return {"unread_notifications": unread_notification_count(actor=user)}
