"""Check results on the model version page: run a check with HTMX, progress row, per-group
table and charts, roles and teams."""

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from audits.runs.models.checks import CheckRun
from audits.runs.views import RUNNABLE, runnable_kinds

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_run_a_fairness_check_from_the_page(
    users, model_version, labelled, django_capture_on_commit_callbacks
):
    client = client_for(users["data_scientist"])
    with django_capture_on_commit_callbacks(execute=True):
        row = client.post(
            f"/model-versions/{model_version.pk}/checks/run/",
            {"kind": "fairness", "dataset_version": labelled.pk},
            HTTP_HX_REQUEST="true",
        )
    assert row.status_code == 200
    run = CheckRun.objects.get()
    assert run.status == "succeeded", run.error_message
    page = client.get(f"/model-versions/{model_version.pk}/").content.decode()
    assert "Fairness (run #" in page and "selection" in page.lower()
    assert f"/api/v1/checks/{run.pk}/charts/" in page
    chart = client.get(f"/api/v1/checks/{run.pk}/charts/{next(iter(run.charts))}.png")
    assert chart.status_code == 200
    assert b"".join(chart.streaming_content).startswith(b"\x89PNG")
    detail = client.get(f"/checks/{run.pk}/")
    assert detail.status_code == 200 and b"Per-group results" in detail.content
    assert client.get(f"/checks/{run.pk}/row/").status_code == 200


def test_bad_check_requests_are_friendly(users, model_version, labelled):
    client = client_for(users["data_scientist"])
    bad = client.post(
        f"/model-versions/{model_version.pk}/checks/run/",
        {"kind": "astrology", "dataset_version": labelled.pk},
    )
    assert bad.status_code == 400 and b"Unknown check kind" in bad.content
    drift = client.post(
        f"/model-versions/{model_version.pk}/checks/run/",
        {"kind": "drift", "dataset_version": labelled.pk},
    )
    assert drift.status_code == 400


def test_roles_and_teams(users, model_version, labelled):
    url = f"/model-versions/{model_version.pk}/checks/run/"
    assert client_for(users["auditor"]).post(url, {"kind": "fairness"}).status_code == 403
    assert (
        client_for(users["outsider"])
        .post(url, {"kind": "fairness", "dataset_version": labelled.pk})
        .status_code
        == 404
    )
    page = client_for(users["auditor"]).get(f"/model-versions/{model_version.pk}/")
    assert b"Run check" not in page.content and b"Checks" in page.content


def test_model_version_page_queries_do_not_grow_with_checks(users, model_version, labelled):
    client = client_for(users["compliance_officer"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/model-versions/{model_version.pk}/").status_code == 200
        return len(ctx.captured_queries)

    CheckRun.objects.create(
        model_version=model_version,
        dataset_version=labelled,
        kind="performance",
        status="failed",
        error_message="x",
    )
    one = count()
    for _ in range(10):
        CheckRun.objects.create(
            model_version=model_version,
            dataset_version=labelled,
            kind="performance",
            status="failed",
            error_message="x",
        )
    assert count() == one


def _first_offered_kind(page: str) -> str:
    select = page.split('<select id="ck-kind" name="kind">', 1)[1]
    return select.split('<option value="', 1)[1].split('"', 1)[0]


def test_the_run_form_starts_on_a_check_that_applies_to_the_model(users, model_version):
    client = client_for(users["data_scientist"])
    page = client.get(f"/model-versions/{model_version.pk}/").content.decode()
    assert _first_offered_kind(page) == "fairness"
    model = model_version.model
    model.task = "generative"
    model.save(update_fields=["task"])
    page = client.get(f"/model-versions/{model_version.pk}/").content.decode()
    assert _first_offered_kind(page) == "generative"


def test_the_offered_kinds_follow_the_policys_applicability():
    policy = SimpleNamespace(check_applicability={"drift": ["other"], "fairness": []})
    kinds = [k for k, _ in runnable_kinds(policy=policy, task="other")]
    assert sorted(kinds) == sorted(k for k, _ in RUNNABLE)  # every kind is still offered
    assert kinds.index("drift") < kinds.index("fairness")
    assert kinds[-1] in ("fairness", "generative")
