"""The EU declaration of conformity (Art. 47, Annex V), Art. 6(3) derogation assessments and
the EU database registration data (Art. 49, Annex VIII): drafting from the record, signing by a
named person, what is refused, roles and teams, and the listed gaps."""

from __future__ import annotations

import pytest

from governance.kernel.audit.models import AuditEvent
from governance.obligations.conformity.models import Declaration, Derogation
from governance.policy.classification.models import RiskClassification
from tests.governance.obligations.conftest import READERS, REFUSED_WRITERS

pytestmark = pytest.mark.django_db

SIGNATURE = {
    "signatory_name": "Maria Keller",
    "signatory_function": "Chief Risk Officer",
    "on_behalf_of": "Example Bank AG",
    "place_of_issue": "Frankfurt am Main",
}
REASONING = (
    "The system only sorts incoming applications into queues by product; every credit "
    "decision is taken by a credit officer who sees the full file."
)


def classify(system, user, tier="high_risk", role="provider"):
    return RiskClassification.objects.create(
        system=system, tier=tier, role=role, classified_by=user, rationale=[], answers={}
    )


def draft(client, system, **fields):
    r = client.post(f"/api/v1/systems/{system.pk}/declarations/", fields, format="json")
    assert r.status_code == 201, r.content
    return r.json()


def test_draft_is_prefilled_from_the_record(users, api, system, model_version):
    system.provider_name = "Example Bank AG"
    system.standards_applied = "ISO/IEC 42001:2023"
    system.save()
    body = draft(api(users["compliance_officer"]), system, model_version=model_version.pk)
    assert body["number"] == 1 and body["status"] == "draft"
    assert body["provider_name"] == "Example Bank AG"
    assert body["standards"] == "ISO/IEC 42001:2023"
    assert "risk-gbm version 1.0.0" in body["system_reference"]
    # The address is not in the record: the draft says what is missing before signing.
    assert body["missing"] == ["Address of the provider or its authorised representative"]


def test_signing_records_the_named_person_and_freezes_the_declaration(users, api, system):
    officer = users["compliance_officer"]
    client = api(officer)
    body = draft(client, system, provider_name="Example Bank AG")
    sign_url = f"/api/v1/declarations/{body['id']}/sign/"
    incomplete = client.post(sign_url, SIGNATURE, format="json")
    assert incomplete.status_code == 400
    assert incomplete.json()["error"]["code"] == "declaration_incomplete"
    patched = client.patch(
        f"/api/v1/declarations/{body['id']}/",
        {"provider_address": "Hauptstr. 1, 60311 Frankfurt"},
        format="json",
    )
    assert patched.status_code == 200 and patched.json()["missing"] == []
    # Only high-risk systems get a declaration of conformity.
    not_classified = client.post(sign_url, SIGNATURE, format="json")
    assert not_classified.status_code == 400
    assert not_classified.json()["error"]["code"] == "not_high_risk"
    classify(system, officer, tier="limited")
    assert client.post(sign_url, SIGNATURE, format="json").json()["error"]["code"] == (
        "not_high_risk"
    )
    classify(system, officer)
    signed = client.post(sign_url, SIGNATURE, format="json")
    assert signed.status_code == 200, signed.content
    out = signed.json()
    assert out["status"] == "signed" and out["signatory_name"] == "Maria Keller"
    assert out["signed_by"] == "officer1" and out["signed_at"]
    event = AuditEvent.objects.get(action="declaration.signed")
    assert event.payload["signatory"] == "Maria Keller" and event.actor_username == "officer1"
    # Signed means frozen.
    assert client.post(sign_url, SIGNATURE, format="json").status_code == 409
    edit = client.patch(f"/api/v1/declarations/{body['id']}/", {"standards": "none"}, format="json")
    assert edit.status_code == 409
    assert Declaration.objects.get().standards == ""


def test_signature_needs_every_part(users, api, system):
    client = api(users["admin"])
    body = draft(client, system)
    r = client.post(
        f"/api/v1/declarations/{body['id']}/sign/",
        {**SIGNATURE, "place_of_issue": ""},
        format="json",
    )
    assert r.status_code == 400
    assert Declaration.objects.get().status == "draft"


@pytest.mark.parametrize("role", REFUSED_WRITERS)
def test_declarations_refused_to_other_roles(users, api, system, role):
    body = draft(api(users["compliance_officer"]), system)
    client = api(users[role])
    assert client.get(f"/api/v1/declarations/{body['id']}/").status_code == 200
    assert client.post(f"/api/v1/systems/{system.pk}/declarations/", {}).status_code == 403
    assert client.patch(f"/api/v1/declarations/{body['id']}/", {}).status_code == 403
    sign = client.post(f"/api/v1/declarations/{body['id']}/sign/", SIGNATURE, format="json")
    assert sign.status_code == 403


def test_declarations_hidden_from_another_team(users, api, system):
    body = draft(api(users["compliance_officer"]), system)
    client = api(users["outsider"])
    assert client.get(f"/api/v1/systems/{system.pk}/declarations/").status_code == 404
    assert client.get(f"/api/v1/declarations/{body['id']}/").status_code == 404
    sign = client.post(f"/api/v1/declarations/{body['id']}/sign/", SIGNATURE, format="json")
    assert sign.status_code == 404


@pytest.mark.parametrize(
    ("conditions", "profiling", "significant", "applies"),
    [
        (["a"], False, False, True),
        (["a", "d"], True, False, False),  # profiling is always high risk
        (["b"], False, True, False),
        ([], False, False, False),
    ],
)
def test_derogation_conclusion_follows_article_6_3(
    users, api, system, conditions, profiling, significant, applies
):
    r = api(users["compliance_officer"]).post(
        f"/api/v1/systems/{system.pk}/derogations/",
        {
            "annex_iii_area": "5(b) creditworthiness",
            "conditions": conditions,
            "profiling": profiling,
            "significant_risk": significant,
            "reasoning": REASONING,
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["applies"] is applies and r.json()["reasoning"] == REASONING
    event = AuditEvent.objects.get(action="derogation.assessed")
    assert event.payload["applies"] is applies


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"reasoning": "Narrow task."}, "reasoning_required"),
        ({"conditions": ["e"]}, "invalid"),
        ({"annex_iii_area": ""}, "invalid"),
        ({"profiling": "maybe"}, "invalid"),
    ],
)
def test_derogation_bad_input(users, api, system, change, code):
    body = {
        "annex_iii_area": "5(b)",
        "conditions": ["a"],
        "profiling": False,
        "significant_risk": False,
        "reasoning": REASONING,
        **change,
    }
    r = api(users["admin"]).post(f"/api/v1/systems/{system.pk}/derogations/", body, format="json")
    assert r.status_code == 400 and r.json()["error"]["code"] == code
    assert not Derogation.objects.exists()


def test_derogations_roles_and_teams(users, api, system):
    body = {
        "annex_iii_area": "5(b)",
        "conditions": ["a"],
        "profiling": False,
        "significant_risk": False,
        "reasoning": REASONING,
    }
    path = f"/api/v1/systems/{system.pk}/derogations/"
    for role in REFUSED_WRITERS:
        assert api(users[role]).post(path, body, format="json").status_code == 403
    assert api(users["outsider"]).post(path, body, format="json").status_code == 404
    assert api(users["outsider"]).get(path).status_code == 404
    for role in READERS:
        assert api(users[role]).get(path).status_code == 200


def registration(client, system):
    r = client.get(f"/api/v1/systems/{system.pk}/eu-database-registration/")
    assert r.status_code == 200, r.content
    return r.json()


def test_registration_of_a_high_risk_provider_lists_what_is_missing(users, api, system):
    officer = users["compliance_officer"]
    client = api(officer)
    unclassified = registration(client, system)
    assert unclassified["sections"] == [] and "not classified" in unclassified["notes"][0]
    classify(system, officer)
    data = registration(client, system)
    assert [s["key"] for s in data["sections"]] == ["A"]
    points = {i["point"]: i for i in data["sections"][0]["items"]}
    assert points["4"]["value"].startswith("Credit scoring")
    assert points["5"]["value"].startswith("Score consumer credit applications.")
    assert points["7"]["value"] == "Not yet placed on the market or put into service"
    missing = "\n".join(data["missing"])
    assert "A10 Member States" in missing and "A11 EU declaration" in missing
    assert "A1 " in missing and "A12 Electronic instructions" in missing
    # Optional points ("where applicable") are not counted as missing.
    assert "A13" not in missing and points["13"]["where_applicable"]
    body = draft(
        client,
        system,
        provider_name="Example Bank AG",
        provider_address="Hauptstr. 1, Frankfurt",
    )
    client.post(f"/api/v1/declarations/{body['id']}/sign/", SIGNATURE, format="json")
    after = "\n".join(registration(client, system)["missing"])
    assert "A11" not in after and "A1 " not in after and "A10" in after


def test_registration_of_a_deployer_uses_the_fria(users, api, system):
    officer = users["compliance_officer"]
    classify(system, officer, role="deployer")
    client = api(officer)
    data = registration(client, system)
    assert [s["key"] for s in data["sections"]] == ["C"]
    assert any("C4" in m and "no fundamental rights" in m for m in data["missing"])
    client.post(
        f"/api/v1/systems/{system.pk}/fria/",
        {"specific_risks": "Wrongful refusals", "mitigation_measures": "Manual review"},
        format="json",
    )
    c4 = next(i for i in registration(client, system)["sections"][0]["items"] if i["point"] == "4")
    assert "Revision 1" in c4["value"] and "Wrongful refusals" in c4["value"]
    assert "the assessment lacks" in c4["gap"]


def test_registration_of_a_derogation_uses_section_b(users, api, system):
    officer = users["compliance_officer"]
    classify(system, officer, tier="not_high_risk_6_3")
    client = api(officer)
    assert "B6" in "\n".join(registration(client, system)["missing"])
    client.post(
        f"/api/v1/systems/{system.pk}/derogations/",
        {
            "annex_iii_area": "5(b)",
            "conditions": ["a"],
            "profiling": False,
            "significant_risk": False,
            "reasoning": REASONING,
        },
        format="json",
    )
    data = registration(client, system)
    items = {i["point"]: i for i in data["sections"][0]["items"]}
    assert data["sections"][0]["key"] == "B"
    assert items["6"]["value"].startswith("(a) performs a narrow procedural task")
    assert items["7"]["value"] == REASONING


def test_registration_without_a_role_gives_both_sections(users, api, system):
    classify(system, users["admin"], role="")
    data = registration(api(users["auditor"]), system)
    assert [s["key"] for s in data["sections"]] == ["A", "C"]
    assert any("provider or the deployer" in n for n in data["notes"])
    assert (
        api(users["outsider"])
        .get(f"/api/v1/systems/{system.pk}/eu-database-registration/")
        .status_code
        == 404
    )


def test_conformity_page(users, browser_for, system):
    officer = users["compliance_officer"]
    classify(system, officer)
    browser = browser_for(officer)
    page = f"/systems/{system.pk}/conformity/"
    assert "Member States" in browser.get(page).content.decode()
    r = browser.post(
        f"/systems/{system.pk}/conformity/declarations/",
        {"provider_name": "Example Bank AG", "system_reference": "Credit scoring v1"},
    )
    assert r.status_code == 302
    declaration = Declaration.objects.get()
    refused = browser.post(f"/declarations/{declaration.pk}/sign/", SIGNATURE)
    assert refused.status_code == 400 and "Fill in first" in refused.content.decode()
    browser.post(
        f"/declarations/{declaration.pk}/edit/",
        {
            "provider_name": "Example Bank AG",
            "provider_address": "Hauptstr. 1",
            "system_reference": "Credit scoring v1",
        },
    )
    assert browser.post(f"/declarations/{declaration.pk}/sign/", SIGNATURE).status_code == 302
    declaration.refresh_from_db()
    assert declaration.status == "signed" and declaration.signatory_name == "Maria Keller"
    text = browser.get(page).content.decode()
    assert "Maria Keller" in text and f"/declarations/{declaration.pk}/pdf/" in text
    short = browser.post(
        f"/systems/{system.pk}/conformity/derogations/",
        {"annex_iii_area": "5(b)", "conditions": ["a"], "reasoning": "short"},
    )
    assert short.status_code == 400
    ok = browser.post(
        f"/systems/{system.pk}/conformity/derogations/",
        {"annex_iii_area": "5(b)", "conditions": ["a"], "reasoning": REASONING},
    )
    assert ok.status_code == 302 and Derogation.objects.get().applies


def test_conformity_page_refusals(users, browser_for, system):
    for role in REFUSED_WRITERS:
        browser = browser_for(users[role])
        text = browser.get(f"/systems/{system.pk}/conformity/").content.decode()
        assert "Record the signature" not in text and "Draft the declaration" not in text
        r = browser.post(f"/systems/{system.pk}/conformity/declarations/", {"provider_name": "x"})
        assert r.status_code == 403
    outsider = browser_for(users["outsider"])
    assert outsider.get(f"/systems/{system.pk}/conformity/").status_code == 404
    assert outsider.post(f"/systems/{system.pk}/conformity/derogations/", {}).status_code == 404
    assert not Declaration.objects.exists()
