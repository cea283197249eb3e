"""Lineage without leaks: a model version trained on another team's data shows that personal
data lies upstream and its categories, never that team's dataset or column names (API detail,
lineage, page); a dataset version's lineage never names another team's model versions."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from registry.models import PIIFlag
from registry.services.datasets import dataset_create, dataset_version_register
from registry.services.lineage import lineage_edge_add
from tests.governance.conftest import CREDIT_SCORING, classify
from tests.registry.conftest import upload

pytestmark = pytest.mark.django_db

# Column names distinct from the PII category names (email, date_of_birth, ...), which may be
# shown: a category says what kind of data, a column name says whose table it is.
SECRET_WORDS = ["Customer Register", "cust_fullname", "contact_addr", "dob_field", "Marketing"]

ROWS = [
    ("Anna Schmidt", "anna.schmidt@example.org", "1984-03-12", 41000),
    ("Jonas Weber", "jonas.weber@example.net", "1990-11-02", 38500),
    ("Lea Fischer", "lea.fischer@example.com", "1979-07-23", 52000),
    ("Paul Wagner", "paul.wagner@example.org", "1988-01-30", 47000),
    ("Mia Becker", "mia.becker@example.net", "1995-05-17", 36000),
    ("Felix Hoffmann", "felix.hoffmann@example.com", "1983-09-08", 61000),
] * 10


@pytest.fixture
def other_teams_pii_version(outsider, other_team):
    dataset = dataset_create(actor=outsider, team=other_team, name="Customer Register")
    lines = ["cust_fullname,contact_addr,dob_field,income"] + [",".join(map(str, r)) for r in ROWS]
    dv = dataset_version_register(
        actor=outsider,
        dataset=dataset,
        version="1",
        data_file=upload("customers.csv", ("\n".join(lines) + "\n").encode()),
    )
    assert PIIFlag.objects.filter(column__dataset_version=dv).exists()
    return dv


@pytest.fixture
def cross_team_edge(admin_user, model_version, other_teams_pii_version):
    return lineage_edge_add(
        actor=admin_user,
        kind="trained_on",
        upstream=other_teams_pii_version,
        downstream=model_version,
        check_access=False,
    )


def _assert_no_secret(text: str) -> None:
    for word in SECRET_WORDS:
        assert word not in text, f"{word!r} leaked"


def test_model_version_detail_names_nothing_of_another_teams_data(
    api, scientist, model_version, cross_team_edge
):
    response = api(scientist).get(f"/api/v1/model-versions/{model_version.pk}/")
    assert response.status_code == 200
    body = response.json()
    _assert_no_secret(json.dumps(body))
    hidden = body["personal_data"]["hidden"]
    assert hidden["message"] == "Upstream data you cannot see holds personal data."
    assert hidden["categories"]
    assert body["personal_data"]["has_personal_data"] is True
    stubs = [u for u in body["lineage"]["upstream"] if u.get("hidden")]
    assert stubs and all("name" not in u for u in stubs)
    graph = api(scientist).get(f"/api/v1/model-versions/{model_version.pk}/lineage/")
    _assert_no_secret(graph.content.decode())


def test_model_version_page_names_nothing_of_another_teams_data(
    scientist, model_version, cross_team_edge
):
    client = Client()
    client.force_login(scientist)
    page = client.get(f"/model-versions/{model_version.pk}/").content.decode()
    assert "Upstream data you cannot see holds personal data." in page
    _assert_no_secret(page)


def test_cross_team_readers_still_see_everything(api, auditor, model_version, cross_team_edge):
    body = api(auditor).get(f"/api/v1/model-versions/{model_version.pk}/").json()
    assert body["personal_data"]["hidden"] is None
    assert any(f["dataset"] == "Customer Register" for f in body["personal_data"]["flags"])


def test_dataset_version_lineage_names_no_other_teams_model_versions(
    api, outsider, model_version, other_teams_pii_version, cross_team_edge
):
    dv = other_teams_pii_version
    graph = api(outsider).get(f"/api/v1/dataset-versions/{dv.pk}/lineage/")
    assert graph.status_code == 200
    text = graph.content.decode()
    assert "risk-gbm" not in text  # the other team's model
    nodes = graph.json()["nodes"]
    assert any(n.get("hidden") and n["type"] == "model_version" for n in nodes)
    client = Client()
    client.force_login(outsider)
    page = client.get(f"/dataset-versions/{dv.pk}/").content.decode()
    assert "risk-gbm" not in page


def test_requirement_reasons_count_other_teams_flags_without_naming_them(
    api, scientist, officer, system, model_version, cross_team_edge
):
    classify(system, CREDIT_SCORING, officer)
    body = api(scientist).get(f"/api/v1/model-versions/{model_version.pk}/").json()
    reasons = json.dumps(body["governance"])
    assert "another team's data" in reasons
    _assert_no_secret(json.dumps(body))
