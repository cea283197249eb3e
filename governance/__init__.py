"""Project package and shared-kernel app: accounts, roles, the audit trail, governance."""

from governance.celery import app as celery_app

__all__ = ["celery_app"]
