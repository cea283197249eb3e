"""Django admin of the ``governance`` app: Django discovers this module; each folder keeps its
own ``admin.py``, imported here for its registrations."""

from governance.kernel.accounts import admin as accounts_admin
from governance.kernel.audit import admin as audit_admin
from governance.kernel.jobs import admin as jobs_admin
from governance.obligations import admin as obligations_admin
from governance.policy.classification import admin as classification_admin
from governance.policy.notifications import admin as notifications_admin
from governance.policy.policies import admin as policies_admin
from governance.policy.raci import admin as raci_admin
from governance.review.approvals import admin as approvals_admin

__all__ = [
    "accounts_admin",
    "approvals_admin",
    "audit_admin",
    "classification_admin",
    "jobs_admin",
    "notifications_admin",
    "obligations_admin",
    "policies_admin",
    "raci_admin",
]
