"""Every registry endpoint with every role and with another team's user."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from governance.kernel.permissions import CHANGE, VIEW
from registry.models import DatasetVersion, ModelVersion
from registry.services.lineage import lineage_edge_add
from registry.services.versions import model_version_register
from tests.registry.conftest import upload

pytestmark = pytest.mark.django_db
READERS = ["admin", "compliance_officer", "data_scientist", "auditor"]


@pytest.fixture
def urls(system, model, dataset, dataset_version, model_version):
    return {
        "systems": "/api/v1/systems/",
        "system": f"/api/v1/systems/{system.pk}/",
        "models": "/api/v1/models/",
        "model": f"/api/v1/models/{model.pk}/",
        "model_versions": f"/api/v1/models/{model.pk}/versions/",
        "all_model_versions": "/api/v1/model-versions/",
        "model_version": f"/api/v1/model-versions/{model_version.pk}/",
        "lineage": f"/api/v1/model-versions/{model_version.pk}/lineage/",
        "datasets": "/api/v1/datasets/",
        "dataset": f"/api/v1/datasets/{dataset.pk}/",
        "dataset_versions": f"/api/v1/datasets/{dataset.pk}/versions/",
        "all_dataset_versions": "/api/v1/dataset-versions/",
        "dataset_version": f"/api/v1/dataset-versions/{dataset_version.pk}/",
        "impact": f"/api/v1/dataset-versions/{dataset_version.pk}/impact/",
        "dv_lineage": f"/api/v1/dataset-versions/{dataset_version.pk}/lineage/",
        "column": f"/api/v1/dataset-versions/{dataset_version.pk}/columns/age/",
    }


DETAIL = [
    "system",
    "model",
    "model_version",
    "lineage",
    "dataset",
    "dataset_version",
    "impact",
    "dv_lineage",
    "column",
    "model_versions",
    "dataset_versions",
]
LISTS = ["systems", "models", "all_model_versions", "datasets", "all_dataset_versions"]


@pytest.mark.parametrize("who", READERS)
def test_every_reader_role_reads_everything_of_the_team(users, api, urls, who):
    client = api(users[who])
    for name in DETAIL:
        assert client.get(urls[name]).status_code == 200, name
    for name in LISTS:
        response = client.get(urls[name])
        assert response.status_code == 200 and response.json()["count"] >= 1, name


def test_another_teams_scientist_sees_nothing(outsider, api, urls):
    client = api(outsider)
    for name in DETAIL:
        response = client.get(urls[name])
        assert response.status_code == 404, name
        assert response.json()["error"]["code"] == "not_found"
    for name in LISTS:
        assert client.get(urls[name]).json()["count"] == 0, name
    assert client.patch(urls["system"], {"name": "x"}, format="json").status_code == 404
    assert client.patch(urls["column"], {"role": "target"}, format="json").status_code == 404
    assert (
        client.patch(urls["model_version"], {"description": "x"}, format="json").status_code == 404
    )
    assert client.post(urls["model_versions"], {"version": "x"}).status_code == 404
    assert client.post(urls["dataset_versions"], {"version": "x"}).status_code == 404
    assert client.delete(urls["system"]).status_code == 404


@pytest.mark.parametrize("who", ["compliance_officer", "auditor"])
def test_read_only_roles_cannot_write_registry_objects(users, api, urls, team, who):
    client = api(users[who])
    assert (
        client.post(urls["systems"], {"team": team.slug, "name": "n"}, format="json").status_code
        == 403
    )
    assert client.patch(urls["system"], {"name": "n"}, format="json").status_code == 403
    assert client.post(urls["models"], {"system": 1, "name": "n"}).status_code == 403
    assert client.post(urls["model_versions"], {"version": "n"}).status_code == 403
    assert (
        client.patch(urls["model_version"], {"description": "n"}, format="json").status_code == 403
    )
    assert client.post(urls["datasets"], {"team": team.slug, "name": "n"}).status_code == 403
    assert client.post(urls["dataset_versions"], {"version": "n"}).status_code == 403
    assert client.post("/api/v1/lineage/", {}, format="json").status_code == 403
    assert client.delete(urls["system"]).status_code == 403


def test_auditor_cannot_touch_columns_but_officer_can(users, api, urls):
    assert (
        api(users["auditor"])
        .patch(urls["column"], {"is_sensitive": False}, format="json")
        .status_code
        == 403
    )
    assert (
        api(users["compliance_officer"])
        .patch(urls["column"], {"is_sensitive": False}, format="json")
        .status_code
        == 200
    )


def test_anonymous_is_401_everywhere(urls):

    for name, url in urls.items():
        assert APIClient().get(url).status_code == 401, name


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_and_detail_queries_do_not_grow_with_rows(
    scientist, api, model, dataset_version, xgb_json_bytes, model_version
):
    client = api(scientist)
    urls = [
        "/api/v1/model-versions/",
        f"/api/v1/models/{model.pk}/versions/",
        "/api/v1/dataset-versions/",
        "/api/v1/systems/",
        "/api/v1/models/",
        f"/api/v1/dataset-versions/{dataset_version.pk}/",
        f"/api/v1/model-versions/{model_version.pk}/",
    ]
    client.get("/api/v1/")  # token last-used write happens once, outside the counts
    # The first read of a version's detail evaluates its governance state and keeps it.
    client.get(f"/api/v1/model-versions/{model_version.pk}/")
    cache.clear()
    before = {url: _count(client, url) for url in urls}

    for i in range(49):
        mv = model_version_register(
            actor=scientist, model=model, version=f"v{i}", artefact=upload("m.json", xgb_json_bytes)
        )
        lineage_edge_add(
            actor=scientist, kind="trained_on", upstream=dataset_version, downstream=mv
        )
    cache.clear()
    after = {url: _count(client, url) for url in urls}
    assert after == before


def test_visible_pk_agrees_with_visible_to_for_every_role(users, model_version, dataset_version):
    """The detail's one-statement check and the queryset filter every selector uses are the
    same rule: every role, own and other team, missing and absurd ids, both actions."""
    inactive = users["data_scientist"]
    people = [*users.values(), AnonymousUser()]
    for model, obj in ((ModelVersion, model_version), (DatasetVersion, dataset_version)):
        for person in people:
            for pk in (obj.pk, obj.pk + 10_000, 2**63, -1):
                for action in (VIEW, CHANGE):
                    expected = (
                        model.objects.visible_to(person, action).filter(pk=pk).exists()
                        if 0 < pk < 2**63
                        else False
                    )
                    assert model.objects.visible_pk(person, pk, action) == expected, (
                        model.__name__,
                        getattr(person, "role", "anonymous"),
                        pk,
                        action,
                    )
    # Sanity: the fixture really holds both answers.
    assert ModelVersion.objects.visible_pk(users["outsider"], model_version.pk) is False
    assert ModelVersion.objects.visible_pk(users["auditor"], model_version.pk) is True
    inactive.is_active = False
    assert ModelVersion.objects.visible_pk(inactive, model_version.pk) is False
    with pytest.raises(ValueError):
        ModelVersion.objects.filter(version="x").visible_pk(users["admin"], model_version.pk)
