"""Security fixtures: the registry's real German Credit data and XGBoost model, and one object
of every kind the API addresses by id, all owned by ``team``."""

from __future__ import annotations

import pytest
from django.utils import timezone

from audits.programme.models import AuditRun, AuditSchedule
from audits.reporting.models import Report
from audits.runs.models.checks import CheckRun
from audits.runs.models.findings import Finding
from governance.kernel.accounts.models import ApiToken
from governance.kernel.accounts.services import api_token_issue
from governance.kernel.accounts.sso.models import GroupMapping
from governance.kernel.jobs.models import BackgroundJob
from governance.obligations.conformity.services import declaration_draft
from governance.obligations.fria.services import fria_save
from governance.obligations.incidents.services import incident_open
from governance.obligations.risks.services import risk_create
from governance.policy.notifications.models import Notification
from governance.policy.policies.models import Policy
from governance.policy.raci.models import Responsibility
from registry.services.prompts import prompt_template_create
from tests.registry import conftest as registry_fixtures

german_csv_bytes = registry_fixtures.german_csv_bytes
xgb_json_bytes = registry_fixtures.xgb_json_bytes
system = registry_fixtures.system
model = registry_fixtures.model
dataset = registry_fixtures.dataset
dataset_version = registry_fixtures.dataset_version
model_version = registry_fixtures.model_version


@pytest.fixture
def team_objects(users, team, system, model, dataset, dataset_version, model_version):
    """One object of every kind reachable under /api/v1/<kind>/<pk>/, owned by ``team``.

    The registry objects come from the registry's services; the job-like rows (checks,
    findings, reports, schedules, audit runs, background jobs, notifications) are written
    directly, as their services would need a worker and real computation to reach them.
    """

    scientist = users["data_scientist"]
    check = CheckRun.objects.create(
        kind="fairness", model_version=model_version, dataset_version=dataset_version
    )
    schedule = AuditSchedule.objects.create(
        system=system, interval_days=90, next_due=timezone.now(), created_by=users["admin"]
    )
    audit_run = AuditRun.objects.create(
        schedule=schedule, system=system, due_at=timezone.now(), trigger="manual"
    )
    finding = Finding.objects.create(
        model_version=model_version,
        source="check",
        check_run=check,
        severity="high",
        code="demographic_parity",
        message="disparity above threshold",
    )
    report = Report.objects.create(
        kind="model_card", model_version=model_version, requested_by=users["auditor"]
    )
    job = BackgroundJob.objects.create(kind="audit_chain_verify", requested_by=scientist)
    notification = Notification.objects.create(
        recipient=scientist, event="check_finished", message="done"
    )
    responsibility = Responsibility.objects.create(
        user=scientist, role="responsible", system=system, assigned_by=users["admin"]
    )
    api_token_issue(user=scientist, name="matrix")
    token = ApiToken.objects.filter(user=scientist).latest("id")
    column = dataset_version.columns.order_by("position", "id").first()
    risk = risk_create(
        actor=users["compliance_officer"],
        system=system,
        title="Unfair refusals",
        likelihood=2,
        severity=3,
        review_date=timezone.now().date(),
    )
    incident = incident_open(
        actor=users["compliance_officer"],
        system=system,
        title="Wrong refusals",
        description="Reported by a customer",
        category="standard",
        owner=users["compliance_officer"],
    )
    fria = fria_save(
        actor=users["compliance_officer"],
        system=system,
        elements={"specific_risks": "Wrongful refusals"},
    )
    declaration = declaration_draft(actor=users["compliance_officer"], system=system)
    prompt = prompt_template_create(
        actor=scientist, model=model, name="system", role="system", text="You answer politely."
    ).template
    return {
        "prompts": prompt,
        "risks": risk,
        "incidents": incident,
        "fria": fria,
        "declarations": declaration,
        "tokens": token,
        "users": scientist,
        "systems": system,
        "models": model,
        "model-versions": model_version,
        "datasets": dataset,
        "dataset-versions": dataset_version,
        "checks": check,
        "findings": finding,
        "schedules": schedule,
        "audit-runs": audit_run,
        "reports": report,
        "jobs": job,
        "notifications": notification,
        "responsibilities": responsibility,
        "policies": Policy.objects.order_by("id").first(),
        # Single-sign-on group rules belong to no team; only admins see them.
        "sso": GroupMapping.objects.create(group="matrix", role="auditor"),
        "column": column.name,
    }
