"""Project package of the AI governance registry: settings, URL composition, the Celery app,
and the ``governance`` Django app, laid out in layers (``kernel``, ``policy``, ``review``,
``pages``). See docs/ARCHITECTURE.md."""

from governance.celery import app as celery_app

__all__ = ["celery_app"]
