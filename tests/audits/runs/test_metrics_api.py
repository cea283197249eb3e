"""POST/GET model-versions/{id}/metrics/: operational limits raise findings and notify."""

from __future__ import annotations

import pytest

from audits.runs.models.checks import CheckRun
from audits.runs.models.findings import Finding
from audits.runs.models.monitoring import OperationalMetric
from governance.policy.notifications.models import Notification

pytestmark = pytest.mark.django_db

WINDOW = {"window_start": "2026-01-01T10:00:00Z", "window_end": "2026-01-01T11:00:00Z"}


def url(mv) -> str:
    return f"/api/v1/model-versions/{mv.pk}/metrics/"


def test_breach_raises_findings_and_notifies(api, users, model_version):
    body = {
        "environment": "prod",
        **WINDOW,
        "latency_p95_ms": 820.0,
        "throughput_rps": 40,
        "error_rate": 0.01,
        "cpu_percent": 95,
        "memory_mb": 4096,
    }
    response = api(users["data_scientist"]).post(url(model_version), body)
    assert response.status_code == 201, response.content
    data = response.json()
    codes = {f["code"]: f for f in data["findings"]}
    assert set(codes) == {"latency_p95_ms_exceeded", "cpu_percent_exceeded"}
    assert codes["latency_p95_ms_exceeded"]["severity"] == "high"
    assert codes["latency_p95_ms_exceeded"]["threshold"] == 500.0
    run = CheckRun.objects.get(pk=data["check_run"])
    assert run.kind == "operational" and run.status == "succeeded" and run.passed is False
    assert run.result["breaches"] == ["latency_p95_ms", "cpu_percent"]
    assert Notification.objects.filter(
        event="finding_raised", recipient=users["compliance_officer"]
    ).exists()
    for role in ("data_scientist", "compliance_officer", "auditor", "admin"):
        listed = api(users[role]).get(url(model_version))
        assert listed.status_code == 200 and listed.json()["count"] == 1


def test_within_limits_passes_quietly(api, users, model_version):
    body = {"environment": "prod", **WINDOW, "latency_p95_ms": 120, "error_rate": 0.001}
    response = api(users["data_scientist"]).post(url(model_version), body)
    assert response.status_code == 201
    assert response.json()["findings"] == []
    assert CheckRun.objects.get(kind="operational").passed is True
    assert not Finding.objects.exists() and not Notification.objects.exists()


def test_roles_and_teams(api, users, model_version):
    body = {"environment": "prod", **WINDOW, "latency_p95_ms": 100}
    for role in ("compliance_officer", "auditor", "admin"):
        assert api(users[role]).post(url(model_version), body).status_code == 403, role
    assert api(users["outsider"]).post(url(model_version), body).status_code == 404
    assert api(users["outsider"]).get(url(model_version)).status_code == 404
    assert not OperationalMetric.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"environment": "staging"},
        {"error_rate": 2},
        {"latency_p95_ms": -1},
        {"window_end": "2026-01-01T09:00:00Z"},
        {"window_start": "yesterday"},
    ],
)
def test_bad_input(api, scientist, model_version, change):
    body = {"environment": "prod", **WINDOW, "latency_p95_ms": 100, **change}
    response = api(scientist).post(url(model_version), body)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["message"]
