"""Django admin of the ``audits`` app: Django discovers this module; each folder keeps its own
``admin.py``, imported here for its registrations."""

from audits.programme import admin as programme_admin
from audits.runs import admin as runs_admin

__all__ = ["programme_admin", "runs_admin"]
