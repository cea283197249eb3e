"""Fundamental rights impact assessments (Art. 27): numbered revisions with author and time,
missing elements, refusals of bad input, roles and teams, the guided page."""

from __future__ import annotations

import pytest

from governance.kernel.audit.models import AuditEvent
from governance.obligations.fria.models import FRIA_FIELDS, FriaRevision
from tests.governance.obligations.conftest import READERS, REFUSED_WRITERS, WRITERS

pytestmark = pytest.mark.django_db

ELEMENTS = {
    "deployer_processes": "Credit officers see the score before deciding on a loan.",
    "period_and_frequency": "From 2026-01 for three years, on every application (about 400 a day).",
    "affected_persons": "Consumer credit applicants, including young adults and migrants.",
    "specific_risks": "Wrongful refusals of young applicants; indirect discrimination by origin.",
    "human_oversight": "A credit officer reviews every refusal before it is sent.",
    "mitigation_measures": "Suspend automatic refusals and review the affected decisions.",
    "governance_complaints": "Complaints go to the ombudsman desk; the risk committee decides.",
}


def url(system):
    return f"/api/v1/systems/{system.pk}/fria/"


def test_each_save_is_a_numbered_revision_with_author(users, api, system):
    client = api(users["compliance_officer"])
    partial = {"deployer_processes": ELEMENTS["deployer_processes"], "note": "first draft"}
    r1 = client.post(url(system), partial, format="json")
    assert r1.status_code == 201, r1.content
    assert r1.json()["number"] == 1 and r1.json()["author"] == "officer1"
    # Every element not written is listed as missing.
    assert len(r1.json()["missing"]) == len(FRIA_FIELDS) - 1
    full = {**ELEMENTS, "rights_at_stake": ["non_discrimination", "private_life"]}
    r2 = client.post(url(system), full, format="json")
    assert r2.status_code == 201 and r2.json()["number"] == 2 and r2.json()["missing"] == []
    assert r2.json()["rights_at_stake"] == ["non_discrimination", "private_life"]
    # The first revision is kept as it was.
    first = FriaRevision.objects.get(system=system, number=1)
    assert first.specific_risks == "" and first.note == "first draft"
    listed = client.get(url(system)).json()
    assert [r["number"] for r in listed] == [2, 1]
    event = AuditEvent.objects.filter(action="fria.revised").order_by("-sequence").first()
    assert event.payload["number"] == 2 and "specific_risks" in event.payload["changed"]
    with pytest.raises(RuntimeError):
        first.save()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "empty_assessment"),
        ({**ELEMENTS, "rights_at_stake": ["flying"]}, "unknown_right"),
        ({"specific_risks": "x" * 20001}, "invalid"),
        ({"rights_at_stake": "non_discrimination", **ELEMENTS}, "invalid"),
    ],
)
def test_bad_input_is_a_400_with_a_reason(users, api, system, body, code):
    r = api(users["compliance_officer"]).post(url(system), body, format="json")
    assert r.status_code == 400, r.content
    assert r.json()["error"]["code"] == code


def test_an_unchanged_revision_is_refused(users, api, system):
    client = api(users["admin"])
    assert client.post(url(system), ELEMENTS, format="json").status_code == 201
    again = client.post(url(system), ELEMENTS, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "no_change"
    assert FriaRevision.objects.filter(system=system).count() == 1


@pytest.mark.parametrize("role", READERS)
def test_readers_see_the_revisions(users, api, system, role):
    api(users["compliance_officer"]).post(url(system), ELEMENTS, format="json")
    r = api(users[role]).get(url(system))
    assert r.status_code == 200 and len(r.json()) == 1


@pytest.mark.parametrize("role", REFUSED_WRITERS)
def test_other_roles_may_not_write(users, api, system, role):
    r = api(users[role]).post(url(system), ELEMENTS, format="json")
    assert r.status_code == 403
    assert not FriaRevision.objects.exists()


def test_another_team_never_learns_the_assessment_exists(users, api, system):
    api(users["compliance_officer"]).post(url(system), ELEMENTS, format="json")
    client = api(users["outsider"])
    assert client.get(url(system)).status_code == 404
    assert client.post(url(system), ELEMENTS, format="json").status_code == 404


@pytest.mark.parametrize("role", WRITERS)
def test_guided_page_saves_revisions(users, browser_for, system, role):
    browser = browser_for(users[role])
    page = browser.get(f"/systems/{system.pk}/fria/")
    assert page.status_code == 200
    text = page.content.decode()
    # The article's elements are the form's fields, with their points.
    assert "Art. 27(1)(d)" in text and 'name="governance_complaints"' in text
    r = browser.post(
        f"/systems/{system.pk}/fria/",
        {"deployer_processes": "Loan decisions", "rights_at_stake": ["dignity"]},
    )
    assert r.status_code == 302
    after = browser.get(f"/systems/{system.pk}/fria/").content.decode()
    assert 'id="fria-revision">1<' in after and "Missing:" in after
    assert f"/fria/{FriaRevision.objects.get().pk}/pdf/" in after
    bad = browser.post(f"/systems/{system.pk}/fria/", {"deployer_processes": ""})
    assert bad.status_code == 400 and "at least one element" in bad.content.decode()


def test_page_refuses_readers_and_hides_from_other_teams(users, browser_for, system):
    auditor = browser_for(users["auditor"])
    text = auditor.get(f"/systems/{system.pk}/fria/").content.decode()
    assert 'name="governance_complaints"' not in text
    assert auditor.post(f"/systems/{system.pk}/fria/", ELEMENTS).status_code == 403
    scientist = browser_for(users["data_scientist"])
    assert scientist.post(f"/systems/{system.pk}/fria/", ELEMENTS).status_code == 403
    outsider = browser_for(users["outsider"])
    assert outsider.get(f"/systems/{system.pk}/fria/").status_code == 404
    assert not FriaRevision.objects.exists()
