"""The post-market monitoring plan and the warning when it and what runs disagree."""

from __future__ import annotations

import pytest
from django.utils import timezone

from audits.programme.models import AuditSchedule
from governance.kernel.sentences import shown
from governance.obligations.monitoring.selectors import plan_mismatches
from governance.obligations.monitoring.services import monitoring_plan_save
from governance.policy.policies.models import Policy

pytestmark = pytest.mark.django_db


def url(system):
    return f"/api/v1/systems/{system.pk}/monitoring-plan/"


PLAN = {
    "audit_interval_days": 90,
    "metrics": [{"check_kind": "fairness", "metric": "disparate_impact_ratio", "threshold": 0.8}],
}


def test_plan_versions_and_mismatches(users, api, system):
    client = api(users["compliance_officer"])
    assert client.get(url(system)).json()["mismatches"] == [
        "There is no post-market monitoring plan for this system."
    ]
    r = client.put(url(system), PLAN, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["plan"]["version"] == 1
    # No schedule runs, and the unclassified policy does not run fairness checks.
    assert any("no audit schedule" in m for m in r.json()["mismatches"])
    AuditSchedule.objects.create(system=system, interval_days=30, next_due=timezone.now())
    mismatches = client.get(url(system)).json()["mismatches"]
    assert "The plan audits every 90 days; the schedule runs every 30 days." in mismatches
    r = client.put(url(system), {**PLAN, "audit_interval_days": 30}, format="json")
    assert r.json()["plan"]["version"] == 2
    assert not any("schedule runs" in m for m in r.json()["mismatches"])


def test_threshold_disagreement_with_policy(users, system, admin_user):

    policy = Policy.objects.get(tier="unclassified")
    policy.required_checks = ["fairness"]
    policy.thresholds = {"fairness": {"disparate_impact_ratio": 0.9}}
    policy.save()
    AuditSchedule.objects.create(system=system, interval_days=90, next_due=timezone.now())
    plan = monitoring_plan_save(actor=admin_user, system=system, **PLAN)
    assert [shown(m, localized=False) for m in plan_mismatches(plan, system)] == [
        "fairness.disparate_impact_ratio: the plan says 0.8, the policy enforces 0.9."
    ]


@pytest.mark.parametrize("role", ["data_scientist", "auditor"])
def test_readers_may_not_write(users, api, system, role):
    client = api(users[role])
    assert client.get(url(system)).status_code == 200
    assert client.put(url(system), PLAN, format="json").status_code == 403


def test_other_team_404(users, api, browser_for, system):
    assert api(users["outsider"]).get(url(system)).status_code == 404
    assert (
        browser_for(users["outsider"]).get(f"/systems/{system.pk}/monitoring-plan/").status_code
        == 404
    )


def test_plan_page(users, browser_for, system):
    client = browser_for(users["compliance_officer"])
    r = client.post(
        f"/systems/{system.pk}/monitoring-plan/",
        {
            "audit_interval_days": "60",
            "objectives": "Watch refusals",
            "k-0-check_kind": "fairness",
            "k-0-metric": "disparate_impact_ratio",
            "k-0-threshold": "0.8",
            "k-1-check_kind": "",
            "k-1-metric": "",
            "k-1-threshold": "",
        },
    )
    assert r.status_code == 302, r.content
    page = client.get(f"/systems/{system.pk}/monitoring-plan/").content.decode()
    assert "Plan, version 1" in page and 'id="plan-mismatch"' in page
    assert (
        browser_for(users["auditor"]).post(f"/systems/{system.pk}/monitoring-plan/", {}).status_code
        == 403
    )
