"""Dataset versions known by name and digest only (an MLflow run's logged input): lineage can
point at them, nothing can profile or check them, and the pages and API say so."""

from __future__ import annotations

import pytest
from django.test import Client

from governance.kernel.audit.models import AuditEvent
from governance.kernel.errors import Forbidden
from registry.services.datasets import dataset_version_reference_ensure

pytestmark = pytest.mark.django_db


@pytest.fixture
def reference(scientist, team):
    return dataset_version_reference_ensure(
        actor=scientist,
        team=team,
        name="german-credit",
        digest="f634f055",
        source_uri="s3://data/german.csv",
        source_type="s3",
    )


def test_a_reference_is_created_once_and_audited(scientist, team, reference):
    again = dataset_version_reference_ensure(
        actor=scientist, team=team, name="german-credit", digest="f634f055"
    )
    assert again.pk == reference.pk
    assert reference.blob is None and reference.profile_status == "reference"
    assert reference.version == "f634f055"
    assert AuditEvent.objects.filter(action="dataset_version.referenced").count() == 1


def test_another_teams_scientist_cannot_create_one(outsider, team):
    with pytest.raises(Forbidden):
        dataset_version_reference_ensure(actor=outsider, team=team, name="x", digest="abc")


def test_api_and_page_show_a_reference(scientist, api, reference):
    body = api(scientist).get(f"/api/v1/dataset-versions/{reference.pk}/").json()
    assert body["sha256"] is None and body["size"] is None
    assert body["source_uri"] == "s3://data/german.csv"
    assert body["source_digest"] == "f634f055"
    assert body["profile_status"] == "reference"
    browser = Client()
    browser.force_login(scientist)
    page = browser.get(f"/dataset-versions/{reference.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "reference only, no data held" in text and "s3://data/german.csv" in text
    assert "known by name and digest only" in text


def test_a_reference_cannot_be_profiled_or_checked(scientist, api, reference, model_version):
    client = api(scientist)
    again = client.post(f"/api/v1/dataset-versions/{reference.pk}/reprofile/")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "reference_only"
    run = client.post(
        f"/api/v1/model-versions/{model_version.pk}/checks/",
        {"kind": "data_quality", "dataset_version": reference.pk},
        format="json",
    )
    assert run.status_code == 400
    assert run.json()["error"]["code"] == "dataset_not_ready"
