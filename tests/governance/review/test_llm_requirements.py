"""Requirements apply by what a version is: the tabular checks bind classical models, the
generative evaluation binds LLM applications, and the Art. 50 duties come from the
classification. The demo assistant goes from draft to an open production gate."""

from __future__ import annotations

from importlib import import_module
from io import StringIO

import pytest
from django.apps import apps
from django.test import Client

from governance.demo import genai as demo_genai
from governance.kernel.audit.models import AuditEvent
from governance.kernel.audit.services import audit_chain_verify
from governance.kernel.errors import ServiceError
from governance.policy.policies.models import Policy
from governance.policy.policies.services import policy_update
from governance.policy.transparency.services import transparency_measure_record
from governance.review.approvals.services import model_version_submit, review_decide
from governance.review.evaluation import evaluate, gate
from registry.models import ModelVersion
from registry.services.systems import system_update
from tests.audits.runs.test_generative_checks import application  # noqa: F401  (fixture)
from tests.factories import PASSWORD
from tests.governance.conftest import CHATBOT, classify

pytestmark = pytest.mark.django_db


def by_code(mv) -> dict:
    return {r.code: r for r in evaluate(mv).requirements}


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_demo_assistant_goes_through_review_and_the_gate_opens(
    team, scientist, officer, api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        demo_genai.seed(
            team=team, users={"scientist": scientist, "compliance": officer}, stdout=StringIO()
        )
    mv = ModelVersion.objects.get(model__name="support-assistant")
    reqs = by_code(mv)
    # The limited policy names fairness and explainability, which an LLM application cannot
    # run: listed as not applicable with why, never counted as unmet.
    for kind in ("fairness", "explainability"):
        skipped = reqs[f"check_not_applicable:{kind}"]
        assert skipped.met and not skipped.applies
        assert "generative (llm application)" in skipped.basis
        assert "binary classification" in skipped.basis
    passed = reqs["check:generative"]
    assert passed.met and passed.applies and "requires it of generative" in passed.basis
    marking = reqs["transparency_missing:synthetic_content_marking"]
    assert not marking.met and "Q6" in marking.basis and "Art. 50(2)" in marking.basis
    closed = gate(mv, environment="prod")
    assert not closed["allowed"]
    assert {r["code"] for r in closed["reasons"]} >= {
        "transparency_missing:synthetic_content_marking",
        "not_submitted",
    }
    assert not any("fairness" in r["code"] for r in closed["reasons"])
    # The open Art. 50(2) duty is met through the browser form, then review and approval.
    response = as_user(scientist).post(
        f"/systems/{mv.model.system_id}/transparency/",
        {
            "duty": "synthetic_content_marking",
            "measure": "Every answer carries the machine-readable header X-Generated-By.",
            "evidence": "API contract test answer_header_present; release notes 2026.06.",
        },
    )
    assert response.status_code == 302, response.content
    model_version_submit(actor=scientist, model_version=mv)
    review_decide(actor=officer, model_version=mv, decision="approve", password=PASSWORD)
    mv.refresh_from_db()
    assert mv.status == "approved"
    opened = gate(mv, environment="prod")
    assert opened["allowed"], opened["reasons"]
    detail = api(officer).get(f"/api/v1/model-versions/{mv.pk}/").json()
    shown = {r["code"]: r for r in detail["governance"]["requirements"]}
    assert shown["check_not_applicable:fairness"]["applies"] is False
    assert shown["check:generative"]["basis"].startswith("Applies:")
    page = as_user(officer).get(f"/model-versions/{mv.pk}/").content.decode()
    assert "not applicable" in page and "Does not apply: the limited policy" in page


def test_a_classical_model_still_needs_its_tabular_checks(officer, system, model_version):
    classify(system, CHATBOT, officer)
    reqs = by_code(model_version)
    assert not reqs["check_missing:fairness"].met
    assert not reqs["check_missing:explainability"].met
    assert reqs["check_missing:fairness"].basis.startswith("Applies: the limited policy")
    generative = reqs["check_not_applicable:generative"]
    assert generative.met and not generative.applies
    assert "generative (llm application) models only" in generative.basis
    reasons = {r["code"] for r in gate(model_version, environment="prod")["reasons"]}
    assert {"check_missing:fairness", "check_missing:explainability"} <= reasons
    assert not any("generative" in code for code in reasons)


def test_a_generative_app_without_its_evaluation_is_refused_with_the_reason(
    scientist,
    officer,
    system,
    application,  # noqa: F811
):
    classify(system, CHATBOT, officer)
    system_update(actor=scientist, system=system, transparency_notice="Shown in the chat.")
    transparency_measure_record(
        actor=scientist,
        system=system,
        duty="disclosure_to_users",
        measure="Banner",
        evidence="Screenshot",
    )
    model_version_submit(actor=scientist, model_version=application)
    with pytest.raises(ServiceError) as refused:
        review_decide(
            actor=officer, model_version=application, decision="approve", password=PASSWORD
        )
    assert refused.value.code == "requirements_unmet"
    reasons = {r["code"]: r["message"] for r in refused.value.extra["reasons"]}
    assert reasons == {
        "check_missing:generative": "No generative check counts as evidence for this version yet."
    }
    prod = gate(application, environment="prod")
    assert "check_missing:generative" in {r["code"] for r in prod["reasons"]}
    assert not any("fairness" in r["code"] for r in prod["reasons"])


def test_applicability_is_edited_through_the_api(api, admin_user, officer, system, model):
    """An admin may make the generative check bind models of task "other" too."""
    classify(system, CHATBOT, officer)
    model.task = "other"
    model.save()
    policy = Policy.objects.get(tier="limited")
    body = {
        "check_applicability": {
            **policy.check_applicability,
            "generative": ["generative", "other"],
        }
    }
    response = api(admin_user).patch(f"/api/v1/policies/{policy.pk}/", body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["check_applicability"]["generative"] == ["generative", "other"]
    event = AuditEvent.objects.get(action="policy.updated")
    assert set(event.payload["changes"]) == {"check_applicability"}
    policy.refresh_from_db()
    assert policy.checks_for("other")[0] == ["fairness", "explainability", "generative"]
    page = as_user(admin_user).get("/policies/").content.decode()
    assert "LLM applications" in page and "classical models" in page
    form = as_user(admin_user).get("/policies/limited/").content.decode()
    assert 'name="a__generative"' in form and "Which versions each check binds" in form


def test_the_migration_fits_an_existing_database_and_appends_to_its_trail(admin_user):
    """An existing database: the shipped limited policy as it was before migration 0016, and
    an audit trail with events already. The data step adds the generative check and its
    limits, bumps the version, keeps a history row and appends a verifiable event."""
    fit = import_module("governance.migrations.0016_policies_fit_llm_applications").fit_policies
    policy = Policy.objects.get(tier="limited")
    Policy.objects.filter(pk=policy.pk).update(
        required_checks=["fairness", "explainability"],
        thresholds={"fairness": {"demographic_parity_difference_max": 0.1}},
        check_applicability={},
        version=1,
    )
    # The trail gets its first event from an ordinary edit.
    policy_update(actor=admin_user, policy=Policy.objects.get(tier="minimal"), recertify_days=300)
    fit(apps)
    policy.refresh_from_db()
    assert policy.required_checks == ["fairness", "explainability", "generative"]
    assert policy.thresholds["generative"]["groundedness"] == 0.7
    assert policy.thresholds["fairness"] == {"demographic_parity_difference_max": 0.1}
    assert policy.check_applicability["generative"] == ["generative"]
    assert policy.version == 2
    event = AuditEvent.objects.filter(action="policy.updated", actor_username="system").get()
    assert event.payload["tier"] == "limited" and event.payload["version"] == 2
    assert set(event.payload["changes"]) == {
        "required_checks",
        "thresholds",
        "check_applicability",
    }
    assert audit_chain_verify().ok
    fit(apps)  # idempotent: nothing left to change
    assert Policy.objects.get(pk=policy.pk).version == 2
