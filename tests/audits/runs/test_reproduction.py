"""Reproduce this verdict: a re-run from the stored inputs gives the same result hash, and a
missing or altered input, a different library or a changed result is said plainly."""

from __future__ import annotations

import pytest
from django.test import Client

from audits.runs.models.checks import CheckRun
from audits.runs.models.findings import Finding
from governance.kernel.audit.models import AuditEvent
from governance.kernel.objectstore import blob_delete, blob_put_file, blob_read_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def original(api, scientist, holdout, model_version, request_check):
    """Run a check of ``kind`` on the version's test data, as the demo does."""

    def run(kind: str, **body) -> CheckRun:
        response = request_check(
            api(scientist), model_version.pk, kind=kind, dataset_version=holdout.pk, **body
        )
        assert response.status_code == 202, response.content
        done = CheckRun.objects.get(pk=response.json()["id"])
        assert done.status == "succeeded", done.error_message
        return done

    return run


def _reproduce(api, user, run, capture):
    with capture(execute=True):
        response = api(user).post(f"/api/v1/checks/{run.pk}/reproduce/")
    return response


@pytest.mark.parametrize(
    ("kind", "body"), [("fairness", {}), ("explainability", {"parameters": {"seed": 7}})]
)
def test_demo_like_checks_reproduce_to_the_same_hash(
    api, auditor, original, kind, body, django_capture_on_commit_callbacks
):
    run = original(kind, **body)
    response = _reproduce(api, auditor, run, django_capture_on_commit_callbacks)
    assert response.status_code == 202, response.content
    assert response.json()["counts_as_evidence"] is False
    copy = CheckRun.objects.get(pk=response.json()["id"])
    assert copy.status == "succeeded", copy.error_message
    assert copy.reproduces_id == run.pk
    assert copy.result_sha256 == run.result_sha256
    assert copy.reproduction["outcome"] == "reproduced"
    assert copy.reproduction["differences"] == []
    # A reproduction is never evidence and raises no findings of its own.
    assert copy.counts_as_evidence is False
    assert not Finding.objects.filter(check_run=copy).exists()
    event = AuditEvent.objects.get(action="check_run.reproduced", target_id=str(copy.pk))
    assert event.payload["outcome"] == "reproduced"
    assert AuditEvent.objects.filter(action="check_run.reproduce_requested").count() == 1
    detail = api(auditor).get(f"/api/v1/checks/{run.pk}/").json()
    assert detail["reproductions"][0]["outcome"] == "reproduced"
    client = Client()
    client.force_login(auditor)
    page = client.get(f"/checks/{run.pk}/").content.decode()
    assert "Reproduce this verdict" in page and "same result hash" in page


def _writable(path):
    path.chmod(0o640)
    return path


def test_a_tampered_data_file_differs_and_says_why(
    api, auditor, original, holdout, django_capture_on_commit_callbacks
):
    run = original("fairness")
    path = _writable(holdout.blob.path)
    content = path.read_bytes()
    try:
        path.write_bytes(content.replace(b"female", b"male", 1))
        response = _reproduce(api, auditor, run, django_capture_on_commit_callbacks)
    finally:
        path.write_bytes(content)
        path.chmod(0o440)
    copy = CheckRun.objects.get(pk=response.json()["id"])
    assert copy.status == "failed" and copy.error_code == "inputs_changed"
    assert copy.reproduction["outcome"] == "differs"
    (reason,) = copy.reproduction["differences"]
    assert "data file no longer matches its recorded SHA-256" in reason
    assert holdout.blob.sha256 in reason
    finding = Finding.objects.get(check_run=copy)
    assert finding.code == "reproduction_differs" and "could not be reproduced" in finding.message
    page = Client()
    page.force_login(auditor)
    assert "no longer matches" in page.get(f"/checks/{copy.pk}/").content.decode()


def test_a_missing_artefact_differs_and_says_why(
    api, auditor, original, model_version, django_capture_on_commit_callbacks, tmp_path
):
    run = original("fairness")
    sha = model_version.artefact.sha256
    content = blob_read_bytes(sha)
    blob_delete(sha)  # from the store in use, disk or bucket
    try:
        response = _reproduce(api, auditor, run, django_capture_on_commit_callbacks)
    finally:
        saved = tmp_path / "artefact"
        saved.write_bytes(content)
        blob_put_file(temp_path=str(saved), sha256=sha, size=len(content))
    copy = CheckRun.objects.get(pk=response.json()["id"])
    assert copy.reproduction["outcome"] == "differs"
    assert "artefact of" in copy.reproduction["differences"][0]
    assert "missing from storage" in copy.reproduction["differences"][0]


def test_changed_results_and_libraries_are_listed(
    api, auditor, original, django_capture_on_commit_callbacks
):
    """The stored run is made to look as if an older library had computed other numbers."""
    run = original("fairness")
    result = dict(run.result)
    result["min_group_size"] = 31
    CheckRun.objects.filter(pk=run.pk).update(
        result=result,
        result_sha256="f" * 64,
        library_versions={**run.library_versions, "fairlearn": "0.0.1"},
    )
    run.refresh_from_db()
    response = _reproduce(api, auditor, run, django_capture_on_commit_callbacks)
    copy = CheckRun.objects.get(pk=response.json()["id"])
    assert copy.status == "succeeded"
    outcome = copy.reproduction
    assert outcome["outcome"] == "differs"
    assert outcome["changed_fields"] == ["min_group_size"]
    assert any("fairlearn 0.0.1 →" in d for d in outcome["differences"])
    assert "result fields changed: min_group_size" in outcome["differences"]


def test_who_may_reproduce_what(api, users, original, django_capture_on_commit_callbacks):
    run = original("fairness")
    url = f"/api/v1/checks/{run.pk}/reproduce/"
    assert api(users["data_scientist"]).post(url).status_code == 403
    assert api(users["outsider"]).post(url).status_code == 403
    for role in ("compliance_officer", "admin"):
        assert api(users[role]).post(url).status_code == 202
    copy = CheckRun.objects.filter(reproduces=run).first()
    again = api(users["auditor"]).post(f"/api/v1/checks/{copy.pk}/reproduce/")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "reproduction_of_reproduction"
    queued = CheckRun.objects.create(kind="fairness", model_version=run.model_version)
    refused = api(users["auditor"]).post(f"/api/v1/checks/{queued.pk}/reproduce/")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "not_reproducible"
    assert api(users["auditor"]).post("/api/v1/checks/999999/reproduce/").status_code == 404
