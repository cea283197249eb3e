"""Standards crosswalks: the controls as data, coverage computed from the system's records,
applicability statements (audited, compliance officers and admins only), the page and the
API, roles and teams."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from audits.runs.models.checks import CheckRun
from governance.kernel.audit.models import AuditEvent
from governance.obligations.crosswalks.coverage import EVIDENCE_LABELS
from governance.obligations.crosswalks.models import Applicability, Control
from governance.obligations.risks.services import mitigation_add, risk_create
from tests.governance.obligations.conftest import READERS, REFUSED_WRITERS, WRITERS
from tests.governance.obligations.test_fria import ELEMENTS

pytestmark = pytest.mark.django_db

ISO_GROUPS = ["A.2", "A.3", "A.4", "A.5", "A.6", "A.7", "A.8", "A.9", "A.10"]
NIST_COUNTS = {"GOVERN": 19, "MAP": 18, "MEASURE": 22, "MANAGE": 13}


def coverage_url(system, framework="iso42001"):
    return f"/api/v1/systems/{system.pk}/crosswalks/{framework}/"


def control(body: dict, ref: str) -> dict:
    return next(c for c in body["controls"] if c["ref"] == ref)


def test_the_controls_are_data_with_known_evidence():
    iso = list(Control.objects.filter(framework="iso42001"))
    nist = list(Control.objects.filter(framework="nist_ai_rmf"))
    assert sorted({c.group for c in iso}, key=lambda g: int(g[2:])) == ISO_GROUPS
    assert len(iso) == 38 and {"A.6.2.4", "A.7.4", "A.10.3"} <= {c.ref for c in iso}
    for function, count in NIST_COUNTS.items():
        refs = [c.ref for c in nist if c.ref.split()[0] == function]
        assert len(refs) == count, function
        assert all(re.fullmatch(rf"{function} \d\.\d+", r) for r in refs)
    assert {"GOVERN 1.1", "MAP 5.2", "MEASURE 2.13", "MANAGE 4.3"} <= {c.ref for c in nist}
    used = {key for c in iso + nist for key in c.evidence}
    assert used <= set(EVIDENCE_LABELS)
    # Every kind of record the registry holds evidences at least one control.
    assert {
        "check:fairness",
        "approvals",
        "raci",
        "audit_trail",
        "policy",
        "risks",
        "incidents",
        "fria",
        "monitoring_plan",
        "documentation",
        "pii_scan",
        "lineage",
    } <= used


def test_coverage_follows_the_records(users, api, system, model_version, dataset_version):
    client = api(users["auditor"])
    body = client.get(coverage_url(system)).json()
    assert body["current_version"] == str(model_version)
    assert sum(body["totals"].values()) == 38
    fria = control(body, "A.5.3")
    assert fria["state"] == "missing" and fria["applicable"]
    assert "Fundamental rights impact assessment: No FRIA revision is recorded." in fria["missing"]
    assert fria["evidence"][0]["links"] == [{"label": "FRIA", "url": f"/systems/{system.pk}/fria/"}]
    assert control(body, "A.2.3")["missing"] == [
        "The registry keeps no record for this control; keep its evidence outside."
    ]
    # A.7.4 rests on a data-quality check of the current version.
    assert control(body, "A.7.4")["state"] == "missing"

    officer = users["compliance_officer"]
    assert (
        api(officer).post(f"/api/v1/systems/{system.pk}/fria/", ELEMENTS, format="json").status_code
        == 201
    )
    run = CheckRun.objects.create(
        model_version=model_version,
        kind="data_quality",
        dataset_version=dataset_version,
        status="succeeded",
        passed=False,
        finished_at=timezone.now(),
    )
    risk = risk_create(
        actor=officer,
        system=system,
        title="Refusals of young applicants",
        likelihood=3,
        severity=3,
        review_date=timezone.localdate() + timedelta(days=30),
        residual_likelihood=2,
        residual_severity=2,
    )
    body = client.get(coverage_url(system)).json()
    assert control(body, "A.5.3")["state"] == "covered"
    quality = control(body, "A.7.4")
    assert quality["state"] == "partly"
    assert quality["evidence"][0]["links"][0]["url"] == f"/checks/{run.pk}/"
    # FRIA covered, the risk has no mitigation yet: A.5.5 is partly covered, saying why.
    societal = control(body, "A.5.5")
    assert societal["state"] == "partly"
    assert "Risk register: 1 open risk(s) without mitigation" in societal["missing"]

    mitigation_add(
        actor=officer,
        risk=risk,
        description="Fairness check",
        evidence_type="check_kind",
        check_kind="fairness",
    )
    run.passed = True
    run.save()
    body = client.get(coverage_url(system)).json()
    assert control(body, "A.5.5")["state"] == "covered"
    assert control(body, "A.7.4")["state"] == "covered"

    nist = client.get(coverage_url(system, "nist_ai_rmf")).json()
    assert sum(nist["totals"].values()) == 72
    assert control(nist, "MAP 5.1")["state"] == "covered"  # risks and FRIA
    assert control(nist, "MEASURE 2.11")["state"] == "missing"  # no fairness check yet


@pytest.mark.parametrize("role", WRITERS)
def test_applicability_is_recorded_and_audited(users, api, system, role):
    client = api(users[role])
    body = {"control": "A.10.4", "applicable": False, "justification": "No customers: in-house."}
    r = client.post(f"{coverage_url(system)}applicability/", body, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["applicable"] is False and r.json()["justification"] == body["justification"]
    totals = client.get(coverage_url(system)).json()["totals"]
    assert totals["excluded"] == 1
    event = AuditEvent.objects.filter(action="control_applicability.set").get()
    assert event.payload["control"] == "A.10.4" and event.payload["before"] is None
    body["applicable"] = True
    body["justification"] = "Customers were added in 2027."
    again = client.post(f"{coverage_url(system)}applicability/", body, format="json")
    assert again.status_code == 200
    row = Applicability.objects.get()
    assert row.applicable and row.history.count() == 2
    later = AuditEvent.objects.filter(action="control_applicability.set").order_by("-sequence")[0]
    assert later.payload["before"] == {
        "applicable": False,
        "justification": "No customers: in-house.",
    }


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        (
            "iso42001",
            {"control": "A.2.2", "applicable": False, "justification": "no"},
            400,
            "justification_required",
        ),
        (
            "iso42001",
            {"control": "A.99", "applicable": True, "justification": "x" * 20},
            404,
            "not_found",
        ),
        (
            "iso42002",
            {"control": "A.2.2", "applicable": True, "justification": "x" * 20},
            400,
            "invalid_framework",
        ),
        ("iso42001", {"control": "A.2.2", "justification": "x" * 20}, 400, "invalid"),
        (
            "iso42001",
            {"control": "A.2.2", "applicable": "maybe", "justification": "x" * 20},
            400,
            "invalid",
        ),
    ],
)
def test_bad_input_is_a_400_with_a_reason(users, api, system, path, body, status, code):
    r = api(users["compliance_officer"]).post(
        f"/api/v1/systems/{system.pk}/crosswalks/{path}/applicability/", body, format="json"
    )
    assert r.status_code == status, r.content
    assert r.json()["error"]["code"] == code
    assert not Applicability.objects.exists()


def test_unknown_framework_is_a_400(users, api, system):
    r = api(users["auditor"]).get(coverage_url(system, "iso27001"))
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_framework"


@pytest.mark.parametrize("role", READERS)
def test_readers_see_the_coverage(users, api, system, role):
    assert api(users[role]).get(coverage_url(system)).status_code == 200


@pytest.mark.parametrize("role", REFUSED_WRITERS)
def test_other_roles_may_not_state_applicability(users, api, system, role):
    body = {"control": "A.2.2", "applicable": False, "justification": "x" * 20}
    r = api(users[role]).post(f"{coverage_url(system)}applicability/", body, format="json")
    assert r.status_code == 403
    assert not Applicability.objects.exists()


def test_another_team_never_learns_the_system_exists(users, api, system):
    client = api(users["outsider"])
    assert client.get(coverage_url(system)).status_code == 404
    body = {"control": "A.2.2", "applicable": False, "justification": "x" * 20}
    assert (
        client.post(f"{coverage_url(system)}applicability/", body, format="json").status_code == 404
    )


def test_page_shows_coverage_and_records_applicability(users, browser_for, system):
    page = f"/systems/{system.pk}/crosswalks/"
    for role in READERS:
        r = browser_for(users[role]).get(page)
        assert r.status_code == 200
        assert "A.6.2.4" in r.content.decode()
    nist = browser_for(users["auditor"]).get(f"{page}?framework=nist_ai_rmf").content.decode()
    assert "MEASURE 2.11" in nist and "A.6.2.4" not in nist
    auditor_page = browser_for(users["auditor"]).get(page).content.decode()
    assert "Record applicability" not in auditor_page
    form = {
        "framework": "iso42001",
        "control": "A.10.4",
        "applicable": "no",
        "justification": "The system has no external customers.",
    }
    officer = browser_for(users["compliance_officer"])
    r = officer.post(f"{page}applicability/", form)
    assert r.status_code == 302
    after = officer.get(page).content.decode()
    assert "Excluded: The system has no external customers." in after
    bad = officer.post(f"{page}applicability/", {**form, "justification": "short"})
    assert bad.status_code == 400 and "at least 10 characters" in bad.content.decode()
    assert browser_for(users["auditor"]).post(f"{page}applicability/", form).status_code == 403
    assert (
        browser_for(users["data_scientist"]).post(f"{page}applicability/", form).status_code == 403
    )
    outsider = browser_for(users["outsider"])
    assert outsider.get(page).status_code == 404
    assert outsider.post(f"{page}applicability/", form).status_code == 404
    assert Applicability.objects.count() == 1
