"""Reads of the audits app; each takes the acting user and narrows with visible_to."""

from __future__ import annotations

from django.db.models import QuerySet

from audits.runs.models.checks import CheckRun
from audits.runs.models.findings import Finding
from audits.runs.models.monitoring import OperationalMetric
from governance.kernel.accounts.models import User
from governance.kernel.permissions import VIEW


def check_run_list(*, actor: User, action: str = VIEW) -> QuerySet[CheckRun]:
    return CheckRun.objects.visible_to(actor, action).select_related(
        "model_version__model", "dataset_version__dataset", "requested_by"
    )


def check_run_detail(*, actor: User) -> QuerySet[CheckRun]:
    return check_run_list(actor=actor)


def finding_list(*, actor: User, action: str = VIEW) -> QuerySet[Finding]:
    return Finding.objects.visible_to(actor, action).select_related(
        "model_version__model", "resolved_by"
    )


def operational_metric_list(*, actor: User) -> QuerySet[OperationalMetric]:
    return OperationalMetric.objects.visible_to(actor).select_related("reported_by")
