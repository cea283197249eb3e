"""Reads of the governance app; each takes the acting user and narrows by role."""

from __future__ import annotations

from governance.kernel.accounts.models import Role, User
from governance.kernel.jobs.models import BackgroundJob


def background_job_get(*, actor: User, job_id: int) -> BackgroundJob:
    jobs = BackgroundJob.objects.all()
    if actor.role != Role.ADMIN:
        jobs = jobs.filter(requested_by=actor)
    return jobs.get(pk=job_id)
