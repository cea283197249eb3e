"""Documentation in the browser and over the API: sections, structured oversight measures,
numbered revisions with who and when, and a diff between two revisions."""

from __future__ import annotations

import pytest

from governance.kernel.audit.models import AuditEvent
from governance.obligations.documentation.models import DocumentationRevision

pytestmark = pytest.mark.django_db

MEASURE = {"measure": "Four-eyes check of refusals", "who": "Credit officer", "when": "daily"}


def url(system):
    return f"/api/v1/systems/{system.pk}/documentation/"


def test_officer_edits_documentation_and_gets_numbered_revisions(users, api, system):
    client = api(users["compliance_officer"])
    r1 = client.patch(
        url(system),
        {"design_choices": "Gradient boosting\nbecause it is auditable", "note": "first draft"},
        format="json",
    )
    assert r1.status_code == 200, r1.content
    assert r1.json()["revision"] == 1
    r2 = client.patch(
        url(system),
        {
            "design_choices": "Gradient boosting\nbecause SHAP explains it",
            "human_oversight_measures": [MEASURE],
        },
        format="json",
    )
    assert r2.json()["revision"] == 2
    assert r2.json()["revised_by"] == "officer1"
    assert r2.json()["sections"]["human_oversight_measures"] == [{**MEASURE, "how": ""}]
    diff = client.get(url(system) + "diff/?from=1&to=2").json()
    section = next(s for s in diff["sections"] if s["section"] == "design_choices")
    kinds = {(line["kind"], line["text"]) for line in section["lines"]}
    assert ("removed", "-because it is auditable") in kinds
    assert ("added", "+because SHAP explains it") in kinds
    assert AuditEvent.objects.filter(action="documentation.revised").count() == 2
    revisions = client.get(url(system) + "revisions/").json()
    assert [r["number"] for r in revisions] == [2, 1]


def test_measures_need_who_and_when(users, api, system):
    r = api(users["admin"]).patch(
        url(system),
        {"human_oversight_measures": [{"measure": "x", "who": "", "when": "y"}]},
        format="json",
    )
    assert r.status_code == 400


def test_registry_api_edits_also_make_revisions(users, api, system):
    r = api(users["data_scientist"]).patch(
        f"/api/v1/systems/{system.pk}/", {"architecture": "Batch scoring"}, format="json"
    )
    assert r.status_code == 200, r.content
    rev = DocumentationRevision.objects.get(system=system)
    assert rev.number == 1 and rev.changed_fields == ["architecture"]
    assert rev.sections["architecture"] == "Batch scoring"


@pytest.mark.parametrize("role", ["auditor"])
def test_auditor_reads_but_may_not_edit(users, api, system, role):
    client = api(users[role])
    assert client.get(url(system)).status_code == 200
    r = client.patch(url(system), {"architecture": "x"}, format="json")
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "documentation_role"


def test_other_team_gets_404(users, api, system):
    client = api(users["outsider"])
    assert client.get(url(system)).status_code == 404
    assert client.patch(url(system), {"architecture": "x"}, format="json").status_code == 404
    assert client.get(url(system) + "revisions/").status_code == 404


def test_documentation_page_saves_and_shows_diff(users, browser_for, system):
    client = browser_for(users["compliance_officer"])
    page = client.get(f"/systems/{system.pk}/documentation/")
    assert page.status_code == 200 and b"Design choices and their rationale" in page.content
    data = {"description": "Scores applicants", "architecture": "One model", "note": "n"}
    data.update(
        {
            "m-0-measure": "Review refusals",
            "m-0-who": "Officer",
            "m-0-when": "Daily",
            "m-0-how": "Queue",
            "m-1-measure": "",
            "m-1-who": "",
            "m-1-when": "",
            "m-1-how": "",
        }
    )
    r = client.post(f"/systems/{system.pk}/documentation/", data)
    assert r.status_code == 302
    system.refresh_from_db()
    assert system.architecture == "One model"
    assert system.human_oversight_measures[0]["who"] == "Officer"
    data["architecture"] = "Two models"
    client.post(f"/systems/{system.pk}/documentation/", data)
    diff = client.get(f"/systems/{system.pk}/documentation/diff/?from=1&to=2")
    assert b"+Two models" in diff.content and b"-One model" in diff.content
    assert b'id="doc-revision">2<' in client.get(f"/systems/{system.pk}/documentation/").content


def test_documentation_page_refusals(users, browser_for, system):
    auditor = browser_for(users["auditor"])
    assert (
        b"Save as a new revision" not in auditor.get(f"/systems/{system.pk}/documentation/").content
    )
    assert auditor.post(f"/systems/{system.pk}/documentation/", {}).status_code == 403
    outsider = browser_for(users["outsider"])
    assert outsider.get(f"/systems/{system.pk}/documentation/").status_code == 404
