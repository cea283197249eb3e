"""Serious incidents: the legal clocks from the data file, proposing from a finding, the
dashboard countdown, reminders to the owner, reporting and follow-up, roles."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from audits.runs.models.checks import CheckRun
from audits.runs.models.findings import Finding
from governance.obligations.incidents.models import Incident
from governance.obligations.incidents.services import incident_open, incident_reminders_send
from governance.obligations.vocab import incident_clocks

pytestmark = pytest.mark.django_db


def make_finding(model_version, user, severity="high"):
    run = CheckRun.objects.create(kind="fairness", model_version=model_version, requested_by=user)
    return Finding.objects.create(
        model_version=model_version,
        source="check",
        check_run=run,
        severity=severity,
        code="disparate_impact",
        message="Disparate impact 0.61 for age < 25",
    )


def body(owner, **extra):
    return {
        "title": "Wrongful refusals",
        "description": "d",
        "category": "standard",
        "owner": owner.pk,
        **extra,
    }


@pytest.mark.parametrize(("category", "days"), [("standard", 15), ("death", 10), ("widespread", 2)])
def test_deadline_follows_the_category_day_count(users, api, system, category, days):
    aware = timezone.now() - timedelta(hours=1)
    r = api(users["compliance_officer"]).post(
        f"/api/v1/systems/{system.pk}/incidents/",
        body(users["compliance_officer"], category=category, aware_at=aware.isoformat()),
        format="json",
    )
    assert r.status_code == 201, r.content
    incident = Incident.objects.get(pk=r.json()["id"])
    assert incident.clock_days == days
    assert incident.deadline == aware + timedelta(days=days)
    # The day counts are the data file's, not constants of the code.
    assert {c["key"]: c["days"] for c in incident_clocks()["categories"]}[category] == days


def test_propose_from_high_finding_once(users, api, model_version, scientist):
    finding = make_finding(model_version, scientist)
    client = api(users["compliance_officer"])
    r = client.post(f"/api/v1/findings/{finding.pk}/propose-incident/", {}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["finding"] == finding.pk and r.json()["model_version"] == model_version.pk
    again = client.post(f"/api/v1/findings/{finding.pk}/propose-incident/", {}, format="json")
    assert again.status_code == 409 and again.json()["error"]["existing_id"] == r.json()["id"]
    low = make_finding(model_version, scientist, severity="low")
    refused = client.post(f"/api/v1/findings/{low.pk}/propose-incident/", {}, format="json")
    assert refused.status_code == 400


def test_findings_page_offers_propose_only_to_writers(users, browser_for, model_version, scientist):
    finding = make_finding(model_version, scientist)
    officer = browser_for(users["compliance_officer"])
    assert f"/findings/{finding.pk}/propose-incident/" in officer.get("/findings/").content.decode()
    auditor = browser_for(users["auditor"])
    assert "propose-incident" not in auditor.get("/findings/").content.decode()
    assert auditor.post(f"/findings/{finding.pk}/propose-incident/").status_code == 403
    r = officer.post(f"/findings/{finding.pk}/propose-incident/")
    incident = Incident.objects.get(finding=finding)
    assert r.status_code == 302 and r["Location"] == f"/incidents/{incident.pk}/"


def test_dashboard_counts_down(users, browser_for, system):
    officer = users["compliance_officer"]
    incident_open(
        actor=officer,
        system=system,
        title="Outage of scoring",
        description="d",
        category="widespread",
        owner=officer,
        aware_at=timezone.now() - timedelta(days=1),
    )
    html = browser_for(officer).get("/").content.decode()
    assert "Outage of scoring" in html and "1.0 days left" in html
    assert "Outage of scoring" not in browser_for(users["outsider"]).get("/").content.decode()


def test_reminders_go_to_the_owner_once_per_threshold(users, system):
    officer = users["compliance_officer"]
    incident = incident_open(
        actor=officer,
        system=system,
        title="t",
        description="d",
        category="standard",
        owner=users["admin"],
        aware_at=timezone.now() - timedelta(days=13),
    )
    assert incident_reminders_send() == 1
    assert incident_reminders_send() == 0  # nothing new crossed
    note = users["admin"].notifications.get(event="incident_deadline")
    assert "due in 2.0 days" in note.message
    incident.refresh_from_db()
    assert incident.reminders_sent == [7, 3]
    assert incident_reminders_send(now=timezone.now() + timedelta(days=1, hours=1)) == 1


def test_report_and_follow_up(users, api, system):
    client = api(users["admin"])
    i = client.post(
        f"/api/v1/systems/{system.pk}/incidents/", body(users["admin"]), format="json"
    ).json()
    r = client.post(
        f"/api/v1/incidents/{i['id']}/reported/", {"authority": "BNetzA"}, format="json"
    )
    assert r.json()["status"] == "reported" and r.json()["late"] is False
    assert (
        client.post(
            f"/api/v1/incidents/{i['id']}/reported/", {"authority": "x"}, format="json"
        ).status_code
        == 409
    )
    f = client.post(
        f"/api/v1/incidents/{i['id']}/follow-ups/", {"text": "Model retrained"}, format="json"
    )
    assert f.status_code == 201
    assert client.get(f"/api/v1/incidents/{i['id']}/").json()["follow_ups"][0]["text"] == (
        "Model retrained"
    )


@pytest.mark.parametrize("role", ["data_scientist", "auditor"])
def test_readers_may_not_write(users, api, system, role):
    client = api(users[role])
    assert client.get(f"/api/v1/systems/{system.pk}/incidents/").status_code == 200
    r = client.post(f"/api/v1/systems/{system.pk}/incidents/", body(users[role]), format="json")
    assert r.status_code == 403


def test_other_team_404(users, api, browser_for, system):
    officer = users["compliance_officer"]
    incident = incident_open(
        actor=officer, system=system, title="t", description="d", category="standard", owner=officer
    )
    client = api(users["outsider"])
    assert client.get(f"/api/v1/systems/{system.pk}/incidents/").status_code == 404
    assert client.get(f"/api/v1/incidents/{incident.pk}/").status_code == 404
    assert browser_for(users["outsider"]).get(f"/incidents/{incident.pk}/").status_code == 404


def test_incident_pages(users, browser_for, system):
    client = browser_for(users["compliance_officer"])
    r = client.post(
        f"/systems/{system.pk}/incidents/",
        {
            "title": "Death after refusal",
            "description": "d",
            "category": "death",
            "owner": users["compliance_officer"].pk,
        },
    )
    assert r.status_code == 302, r.content
    incident = Incident.objects.get()
    assert incident.clock_days == 10
    client.post(f"/incidents/{incident.pk}/follow-up/", {"text": "Called the deployer"})
    client.post(f"/incidents/{incident.pk}/reported/", {"authority": "CNIL"})
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "Called the deployer" in page and "CNIL" in page
