"""The followed-MLflow-models page: who sees which links, who may follow, stop following and
ask for a sync now (data scientists of the model's team and admins), with audit events."""

from __future__ import annotations

import pytest
from django.test import Client

from governance.kernel.audit.models import AuditEvent
from governance.kernel.jobs.models import BackgroundJob
from registry.mlflow.services import mlflow_link_create
from registry.models import MlflowLink

pytestmark = pytest.mark.django_db


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def link(scientist, model):
    link = mlflow_link_create(actor=scientist, model=model, registered_model="credit-gbm")
    MlflowLink.objects.filter(pk=link.pk).update(last_error="MLflow answered 503.")
    return link


def test_a_data_scientist_follows_syncs_and_stops_following(
    scientist, model, link, settings, django_capture_on_commit_callbacks
):
    settings.MLFLOW_TRACKING_URI = ""
    client = browser(scientist)
    page = client.get("/mlflow/").content.decode()
    assert "credit-gbm" in page and "MLflow answered 503." in page and "Sync now" in page
    assert "No MLflow server is configured" in page

    followed = client.post("/mlflow/follow/", {"model": model.pk, "registered_model": " churn "})
    assert followed.status_code == 302
    assert MlflowLink.objects.filter(model=model, registered_model="churn").exists()
    again = client.post("/mlflow/follow/", {"model": model.pk, "registered_model": "churn"})
    assert again.status_code == 409 and b"already follows" in again.content
    empty = client.post("/mlflow/follow/", {"model": model.pk, "registered_model": ""})
    assert empty.status_code == 400 and b'role="alert"' in empty.content
    nonsense = client.post("/mlflow/follow/", {"model": "x", "registered_model": "a"})
    assert nonsense.status_code == 400

    # Sync now queues a job (run in-process here); without a server it records why.
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/mlflow/{link.pk}/sync/").status_code == 302
    job = BackgroundJob.objects.get(kind="mlflow_link_sync")
    assert job.status == "succeeded" and job.parameters == {"link": link.pk}
    link.refresh_from_db()
    assert link.last_synced_at is not None and link.last_error
    assert job.result["error"] == link.last_error

    assert client.post(f"/mlflow/{link.pk}/unfollow/").status_code == 302
    assert not MlflowLink.objects.filter(pk=link.pk).exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"mlflow_link.created", "mlflow_link.sync_requested", "mlflow_link.deleted"} <= actions


@pytest.mark.parametrize("who", ["auditor", "compliance_officer"])
def test_readers_see_links_but_may_not_change_them(users, who, model, link):
    client = browser(users[who])
    page = client.get("/mlflow/").content.decode()
    assert "credit-gbm" in page and "Sync now" not in page and "Follow a registered" not in page
    assert client.post(f"/mlflow/{link.pk}/unfollow/").status_code == 404
    assert client.post(f"/mlflow/{link.pk}/sync/").status_code == 404
    refused = client.post("/mlflow/follow/", {"model": model.pk, "registered_model": "x"})
    assert refused.status_code == 400
    assert MlflowLink.objects.filter(pk=link.pk).exists()
    assert not BackgroundJob.objects.filter(kind="mlflow_link_sync").exists()


def test_another_team_sees_nothing_and_changes_nothing(outsider, model, link):
    client = browser(outsider)
    page = client.get("/mlflow/").content.decode()
    assert "credit-gbm" not in page
    assert client.post(f"/mlflow/{link.pk}/unfollow/").status_code == 404
    assert client.post(f"/mlflow/{link.pk}/sync/").status_code == 404
    other = client.post("/mlflow/follow/", {"model": model.pk, "registered_model": "x"})
    assert other.status_code == 400
    assert MlflowLink.objects.count() == 1


def test_admin_may_stop_following(admin_user, link):
    assert browser(admin_user).post(f"/mlflow/{link.pk}/unfollow/").status_code == 302
    assert not MlflowLink.objects.exists()


def test_signed_out_and_get_requests(client, link, scientist):
    assert client.get("/mlflow/").status_code == 302
    assert client.post(f"/mlflow/{link.pk}/unfollow/").status_code == 302
    assert browser(scientist).get(f"/mlflow/{link.pk}/unfollow/").status_code == 405
