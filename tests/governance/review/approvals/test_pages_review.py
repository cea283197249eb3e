"""Review pages: the queue, submitting, signed decisions and deployments from the browser."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from governance.policy.classification.models import RiskClassification
from governance.policy.deployments.models import Deployment
from governance.policy.raci.models import Raci
from governance.policy.raci.services import responsibility_assign
from governance.review.approvals.models import Decision, Review
from governance.review.approvals.services import model_version_submit
from governance.review.evaluation import evaluate
from registry.models import ModelVersion, VersionStatus
from registry.services.systems import model_create, system_create
from tests.factories import PASSWORD, UserFactory
from tests.governance.conftest import SPAM_FILTER, classify

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def digest_of(html: str) -> str:
    return re.search(r'name="evidence_digest" value="([0-9a-f]{64})"', html).group(1)


@pytest.fixture
def submitted(high_risk_version, scientist):
    model_version_submit(actor=scientist, model_version=high_risk_version)
    high_risk_version.refresh_from_db()
    return high_risk_version


# --- review queue ---------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["compliance_officer", "admin"])
def test_queue_lists_versions_in_review_with_tier_and_approvals(users, submitted, who):
    html = as_user(users[who]).get("/review-queue/").content.decode()
    assert f"/model-versions/{submitted.pk}/" in html
    assert "High risk (Art. 6)" in html
    assert "0 of 2" in html
    assert "by scientist1" in html


@pytest.mark.parametrize("who", ["data_scientist", "auditor", "outsider"])
def test_queue_is_refused_to_other_roles(users, submitted, who):
    response = as_user(users[who]).get("/review-queue/")
    assert response.status_code == 403
    assert b"review queue is for" in response.content


def test_accountable_owner_sees_only_what_they_own(users, submitted, owner, admin_user, team):

    scientist = users["data_scientist"]
    chatbot = system_create(actor=scientist, team=team, name="Chatbot")
    bot_model = model_create(actor=scientist, system=chatbot, name="bot")
    other = ModelVersion.objects.create(
        model=bot_model,
        version="1",
        artefact=submitted.artefact,
        artefact_format=submitted.artefact_format,
        created_by=scientist,
        status=VersionStatus.IN_REVIEW,
        submitted_by=scientist,
        submitted_at=timezone.now(),
    )
    responsibility_assign(actor=admin_user, user=owner, role=Raci.INFORMED, target=chatbot)
    html = as_user(owner).get("/review-queue/").content.decode()
    assert f"/model-versions/{submitted.pk}/" in html
    assert f"/model-versions/{other.pk}/" not in html  # informed, not accountable
    assert (
        f"/model-versions/{other.pk}/"
        in as_user(users["compliance_officer"]).get("/review-queue/").content.decode()
    )


def test_queue_row_requirements_come_from_the_evaluator(users, submitted, officer):
    client = as_user(officer)
    html = client.get(f"/review-queue/{submitted.pk}/requirements/").content.decode()
    expected = len(evaluate(submitted).reasons("submission", "evidence"))
    if expected:
        assert f"{expected} unmet" in html
    else:
        assert "all met" in html
    assert client.get("/review-queue/999999/requirements/").status_code == 404


def test_queue_htmx_gets_the_table_only(officer, submitted):
    response = as_user(officer).get("/review-queue/", HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content
    assert b"<table" in response.content


def _in_review_versions(n, model_version, scientist):
    start = ModelVersion.objects.count()
    for i in range(start, n + 1):
        mv = ModelVersion.objects.create(
            model=model_version.model,
            version=f"q{i}",
            artefact=model_version.artefact,
            artefact_format=model_version.artefact_format,
            created_by=scientist,
            status=VersionStatus.IN_REVIEW,
            submitted_by=scientist,
            submitted_at=timezone.now(),
        )
        Review.objects.create(model_version=mv, round=1, tier="high_risk")


def test_queue_and_dashboard_queries_do_not_grow_with_rows(officer, submitted, scientist):
    client = as_user(officer)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    assert ModelVersion.objects.filter(status=VersionStatus.IN_REVIEW).count() == 1
    one = {url: count(url) for url in ("/review-queue/", "/")}
    _in_review_versions(20, submitted, scientist)
    assert ModelVersion.objects.filter(status=VersionStatus.IN_REVIEW).count() == 21
    twenty = {url: count(url) for url in ("/review-queue/", "/")}
    assert one == twenty


# --- model version page ---------------------------------------------------------------------
def test_scientist_sees_submit_and_blockers_of_an_unclassified_system(scientist, model_version):
    html = as_user(scientist).get(f"/model-versions/{model_version.pk}/").content.decode()
    assert "Submit for review" in html
    assert "Submitting will be refused" in html
    assert "has not been classified" in html


def test_refused_submission_shows_reasons_not_a_500(scientist, model_version):
    response = as_user(scientist).post(f"/model-versions/{model_version.pk}/submit/")
    assert response.status_code == 400
    assert b"The version was not submitted" in response.content
    assert b"has not been classified" in response.content
    model_version.refresh_from_db()
    assert model_version.status == VersionStatus.DRAFT


def test_refused_submission_over_htmx_is_a_partial(scientist, model_version):
    response = as_user(scientist).post(
        f"/model-versions/{model_version.pk}/submit/", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200  # htmx swaps only 2xx; the message says no
    assert b"<html" not in response.content
    assert b'role="alert"' in response.content


def test_scientist_submits(scientist, high_risk_version):
    response = as_user(scientist).post(f"/model-versions/{high_risk_version.pk}/submit/")
    assert response.status_code == 302
    high_risk_version.refresh_from_db()
    assert high_risk_version.status == VersionStatus.IN_REVIEW


@pytest.mark.parametrize("who", ["compliance_officer", "auditor", "admin"])
def test_only_scientists_of_the_team_submit(users, high_risk_version, who):
    response = as_user(users[who]).post(f"/model-versions/{high_risk_version.pk}/submit/")
    assert response.status_code == 403


def test_other_team_gets_404_everywhere(outsider, submitted):
    client = as_user(outsider)
    pk = submitted.pk
    assert client.get(f"/model-versions/{pk}/").status_code == 404
    assert client.post(f"/model-versions/{pk}/submit/").status_code == 404
    assert client.get(f"/model-versions/{pk}/decide/").status_code == 404
    assert (
        client.post(f"/model-versions/{pk}/deployments/", {"environment": "dev"}).status_code == 404
    )


def test_officer_sees_decision_buttons_and_the_gate(officer, submitted):
    html = as_user(officer).get(f"/model-versions/{submitted.pk}/").content.decode()
    assert "Approve…" in html and "Reject…" in html and "Request changes…" in html
    assert "Deployment gate" in html
    assert "Record deployment" not in html  # scientists record deployments


def test_approval_form_shows_the_evidence_the_service_signs(officer, submitted):
    html = as_user(officer).get(f"/model-versions/{submitted.pk}/decide/?decision=approve")
    html = html.content.decode()
    evidence = evaluate(submitted).evidence
    assert evidence["artefact_sha256"] in html
    for d in evidence["datasets"]:
        assert d["sha256"] in html
    for run in evidence["check_runs"]:
        assert f"run #{run['id']}" in html
    assert f"#{evidence['classification_id']}" in html
    assert 'type="password"' in html


def test_wrong_password_records_nothing(officer, submitted):
    client = as_user(officer)
    url = f"/model-versions/{submitted.pk}/decide/"
    digest = digest_of(client.get(url + "?decision=approve").content.decode())
    response = client.post(
        url, {"decision": "approve", "password": "wrong", "evidence_digest": digest}
    )
    assert response.status_code == 403
    assert b"password does not match" in response.content
    assert not Decision.objects.exists()


def test_missing_password_is_a_friendly_400(officer, submitted):
    response = as_user(officer).post(
        f"/model-versions/{submitted.pk}/decide/", {"decision": "approve"}
    )
    assert response.status_code == 400
    assert b"Confirm who you are" in response.content


def test_unknown_decision_is_a_friendly_400(officer, submitted):
    response = as_user(officer).post(
        f"/model-versions/{submitted.pk}/decide/", {"decision": "shrug", "comment": "x"}
    )
    assert response.status_code == 400
    assert b"Unknown decision" in response.content


def test_changed_evidence_is_not_signed(officer, submitted):
    response = as_user(officer).post(
        f"/model-versions/{submitted.pk}/decide/",
        {"decision": "approve", "password": PASSWORD, "evidence_digest": "0" * 64},
    )
    assert response.status_code == 409
    assert b"evidence changed" in response.content
    assert not Decision.objects.exists()


def test_two_signatures_approve_a_high_risk_version(officer, owner, submitted):
    for person in (officer, owner):
        client = as_user(person)
        url = f"/model-versions/{submitted.pk}/decide/"
        digest = digest_of(client.get(url + "?decision=approve").content.decode())
        response = client.post(
            url,
            {
                "decision": "approve",
                "password": PASSWORD,
                "evidence_digest": digest,
                "comment": "ok",
            },
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 204, response.content
        assert response["HX-Redirect"] == f"/model-versions/{submitted.pk}/"
    submitted.refresh_from_db()
    assert submitted.status == VersionStatus.APPROVED
    decision = Decision.objects.get(reviewer=officer)
    assert decision.evidence == evaluate(submitted).approvals[0].evidence


def test_reject_needs_a_comment(officer, submitted):
    client = as_user(officer)
    url = f"/model-versions/{submitted.pk}/decide/"
    assert client.post(url, {"decision": "reject"}).status_code == 400
    response = client.post(url, {"decision": "reject", "comment": "bias too high"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == VersionStatus.REJECTED


def test_submitter_cannot_decide(scientist, submitted):
    response = as_user(scientist).get(f"/model-versions/{submitted.pk}/decide/?decision=approve")
    assert response.status_code == 403


def test_auditor_cannot_open_the_decision_form(auditor, submitted):
    assert as_user(auditor).get(f"/model-versions/{submitted.pk}/decide/").status_code == 403


# --- deployments ----------------------------------------------------------------------------
def test_scientist_records_a_dev_deployment_and_prod_is_refused_with_reasons(
    scientist, system, officer, model_version
):
    classify(system, SPAM_FILTER, officer)
    client = as_user(scientist)
    url = f"/model-versions/{model_version.pk}/deployments/"
    assert client.post(url, {"environment": "dev"}).status_code == 302
    assert Deployment.objects.filter(environment="dev").count() == 1
    refused = client.post(url, {"environment": "prod"})
    assert refused.status_code == 409
    assert b"may not run in prod" in refused.content
    assert b"not been submitted" in refused.content
    bad = client.post(url, {"environment": "moon"})
    assert bad.status_code == 400 and b"Choose an environment" in bad.content


def test_only_scientists_record_deployments(officer, model_version):
    response = as_user(officer).post(
        f"/model-versions/{model_version.pk}/deployments/", {"environment": "dev"}
    )
    assert response.status_code == 403


def test_queue_query_count_is_fixed_with_decisions_systems_and_submitters(
    officer, officer2, submitted, scientist, team, admin_user
):
    """Rows of several systems (each classified), submitters and decisions, mine and others':
    the queue page, its HTMX table and the dashboard cost the same number of queries for 2
    rows as for 12."""

    client = as_user(officer)

    def count(url, **headers):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, **headers).status_code == 200
        return len(ctx.captured_queries)

    def add_rows(n):
        for _ in range(n):
            i = ModelVersion.objects.count()
            system = system_create(actor=scientist, team=team, name=f"System {i}")
            RiskClassification.objects.create(
                system=system, tier="limited", classified_by=officer, rationale=[], answers={}
            )
            model = model_create(actor=scientist, system=system, name=f"model-{i}")
            submitter = UserFactory(username=f"submitter{i}", role="data_scientist")
            mv = ModelVersion.objects.create(
                model=model,
                version="1",
                artefact=submitted.artefact,
                artefact_format=submitted.artefact_format,
                created_by=submitter,
                status=VersionStatus.IN_REVIEW,
                submitted_by=submitter,
                submitted_at=timezone.now(),
            )
            review = Review.objects.create(model_version=mv, round=1, tier="limited")
            for reviewer, kind in ((officer2, "approve"), (officer, "request_changes")):
                Decision.objects.create(
                    review=review,
                    model_version=mv,
                    decision=kind,
                    reviewer=reviewer,
                    reviewer_role=reviewer.role,
                    evidence={},
                    signature=f"{mv.pk:032d}{reviewer.pk:032d}",
                    decided_at=timezone.now(),
                )

    urls = ("/review-queue/", "/")
    add_rows(1)
    few = {url: count(url) for url in urls}
    few_htmx = count("/review-queue/", HTTP_HX_REQUEST="true")
    add_rows(10)
    html = client.get("/review-queue/").content.decode()
    assert html.count("you decided") == 11
    assert {url: count(url) for url in urls} == few
    assert count("/review-queue/", HTTP_HX_REQUEST="true") == few_htmx
