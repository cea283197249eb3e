"""Registering dataset and model versions from the browser: the same services and checks as
the API (team and role, labels, formats, the upload limit, CSRF), lineage from the form."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from governance.kernel.audit.models import AuditEvent
from registry.models import DatasetVersion, LineageEdge, ModelVersion
from registry.services.datasets import dataset_create
from tests.registry.conftest import upload

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_dataset(client, dataset, content: bytes, version: str = "2", name: str = "d.csv"):
    return client.post(
        f"/datasets/{dataset.pk}/versions/new/",
        {"version": version, "file": upload(name, content, "text/csv"), "description": "x"},
    )


def test_scientist_uploads_a_dataset_version(scientist, dataset, german_csv_bytes):
    client = as_user(scientist)
    page = client.get(f"/datasets/{dataset.pk}/versions/new/")
    assert page.status_code == 200
    assert b'enctype="multipart/form-data"' in page.content and b"data-busy" in page.content
    response = post_dataset(client, dataset, german_csv_bytes)
    dv = DatasetVersion.objects.get(dataset=dataset, version="2")
    assert response.status_code == 302 and response["Location"] == f"/dataset-versions/{dv.pk}/"
    assert dv.row_count == 1000 and dv.created_by == scientist
    assert AuditEvent.objects.filter(action="dataset_version.registered").exists()
    # The version page offers the next upload.
    html = client.get(f"/dataset-versions/{dv.pk}/").content.decode()
    assert f'href="/datasets/{dataset.pk}/versions/new/"' in html


def test_dataset_refusals_are_friendly(scientist, dataset, dataset_version, german_csv_bytes):
    client = as_user(scientist)
    taken = post_dataset(client, dataset, german_csv_bytes, version="1")
    assert taken.status_code == 409 and b"already" in taken.content.lower()
    bad_label = post_dataset(client, dataset, german_csv_bytes, version="no spaces")
    assert bad_label.status_code == 400 and b"Use letters, digits" in bad_label.content
    unreadable = post_dataset(client, dataset, b"\x00\x01\x02garbage", version="3", name="x.bin")
    assert unreadable.status_code == 400
    assert b'role="alert"' in unreadable.content
    assert not DatasetVersion.objects.filter(version__in=["3", "no spaces"]).exists()


def test_upload_limit_is_413(scientist, dataset, german_csv_bytes):
    with override_settings(MAX_UPLOAD_BYTES=1000):
        response = post_dataset(as_user(scientist), dataset, german_csv_bytes)
    assert response.status_code == 413
    assert b"larger than the limit" in response.content
    assert not DatasetVersion.objects.filter(version="2").exists()


@pytest.mark.parametrize("who", ["outsider", "auditor", "compliance_officer"])
def test_other_teams_and_read_only_roles_cannot_upload(users, who, dataset, german_csv_bytes):
    client = as_user(users[who])
    assert client.get(f"/datasets/{dataset.pk}/versions/new/").status_code == 404
    assert post_dataset(client, dataset, german_csv_bytes).status_code == 404
    assert not DatasetVersion.objects.filter(version="2").exists()


def test_upload_needs_csrf_and_a_sign_in(scientist, dataset, german_csv_bytes):
    client = Client(enforce_csrf_checks=True)
    client.force_login(scientist)
    assert post_dataset(client, dataset, german_csv_bytes).status_code == 403
    assert Client().get(f"/datasets/{dataset.pk}/versions/new/").status_code == 302
    assert not DatasetVersion.objects.filter(version="2").exists()


def test_scientist_registers_a_model_version_with_its_lineage(
    scientist, model, model_version, dataset_version, xgb_json_bytes
):
    client = as_user(scientist)
    page = client.get(f"/models/{model.pk}/versions/new/").content.decode()
    assert f'<option value="{dataset_version.pk}">German Credit v1</option>' in page
    response = client.post(
        f"/models/{model.pk}/versions/new/",
        {
            "version": "2.0.0",
            "artefact": upload("model.json", xgb_json_bytes),
            "trained_on": [str(dataset_version.pk)],
            "tested_on": [str(dataset_version.pk)],
            "code_commit": "abc1234",
        },
    )
    mv = ModelVersion.objects.get(model=model, version="2.0.0")
    assert response.status_code == 302 and response["Location"] == f"/model-versions/{mv.pk}/"
    assert mv.code_commit == "abc1234" and mv.artefact_safe
    kinds = set(
        LineageEdge.objects.filter(downstream_model_version=mv).values_list("kind", flat=True)
    )
    assert kinds == {"trained_on", "tested_on"}
    assert AuditEvent.objects.filter(action="model_version.registered").exists()
    html = client.get(f"/model-versions/{model_version.pk}/").content.decode()
    assert f'href="/models/{model.pk}/versions/new/"' in html


def test_model_version_refusals(
    scientist, model, model_version, outsider, other_team, xgb_json_bytes
):
    client = as_user(scientist)
    taken = client.post(
        f"/models/{model.pk}/versions/new/",
        {"version": "1.0.0", "artefact": upload("model.json", xgb_json_bytes)},
    )
    assert taken.status_code == 409
    theirs = dataset_create(actor=outsider, team=other_team, name="Theirs", licence="x", origin="y")
    bad_commit = client.post(
        f"/models/{model.pk}/versions/new/",
        {"version": "3", "artefact": upload("m.json", xgb_json_bytes), "code_commit": "zz"},
    )
    assert bad_commit.status_code == 400 and b"git commit hash" in bad_commit.content
    # Lineage may only name dataset versions the user can see.
    hidden = client.post(
        f"/models/{model.pk}/versions/new/",
        {"version": "4", "artefact": upload("m.json", xgb_json_bytes), "trained_on": ["999999"]},
    )
    assert hidden.status_code == 400
    assert not ModelVersion.objects.filter(version__in=["3", "4"]).exists()
    assert theirs.pk
    assert as_user(outsider).get(f"/models/{model.pk}/versions/new/").status_code == 404
