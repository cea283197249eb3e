"""Lineage: typed edges, cycles refused, traversal at any depth in bounded queries, PII flowing
downstream, impact analysis."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.kernel.errors import Conflict, ServiceError
from registry import lineage
from registry.models import PIIStatus
from registry.selectors import impact_model_versions, upstream_pii
from registry.services.datasets import dataset_create, dataset_version_register, pii_flag_decide
from registry.services.lineage import lineage_edge_add
from registry.services.versions import model_version_register
from tests.registry.conftest import upload
from tests.registry.test_api_datasets import people_csv

pytestmark = pytest.mark.django_db


def make_dv(actor, team, name, content, version="1"):
    ds = dataset_create(actor=actor, team=team, name=name)
    return dataset_version_register(
        actor=actor, dataset=ds, version=version, data_file=upload(f"{name}.csv", content)
    )


def make_mv(actor, model, version, artefact):
    return model_version_register(
        actor=actor, model=model, version=version, artefact=upload("m.json", artefact)
    )


def test_cycles_are_refused(scientist, team, german_csv_bytes):
    a = make_dv(scientist, team, "a", german_csv_bytes)
    b = make_dv(scientist, team, "b", german_csv_bytes)
    c = make_dv(scientist, team, "c", german_csv_bytes)
    lineage_edge_add(actor=scientist, kind="derived_from", upstream=a, downstream=b)
    lineage_edge_add(actor=scientist, kind="derived_from", upstream=b, downstream=c)
    with pytest.raises(Conflict) as info:
        lineage_edge_add(actor=scientist, kind="derived_from", upstream=c, downstream=a)
    assert info.value.code == "lineage_cycle"
    with pytest.raises(Conflict):
        lineage_edge_add(actor=scientist, kind="derived_from", upstream=a, downstream=a)
    with pytest.raises(Conflict) as dup:
        lineage_edge_add(actor=scientist, kind="derived_from", upstream=a, downstream=b)
    assert dup.value.code == "duplicate_edge"


def test_edge_kinds_check_their_endpoints(scientist, dataset_version, model_version):
    with pytest.raises(ServiceError) as info:
        lineage_edge_add(
            actor=scientist, kind="trained_on", upstream=model_version, downstream=dataset_version
        )
    assert info.value.code == "invalid_endpoints"
    with pytest.raises(ServiceError):
        lineage_edge_add(
            actor=scientist,
            kind="fine_tuned_from",
            upstream=dataset_version,
            downstream=model_version,
        )


def test_traversal_at_any_depth_in_a_fixed_number_of_queries(
    scientist, team, model, german_csv_bytes, xgb_json_bytes
):
    chain = [make_dv(scientist, team, f"d{i}", german_csv_bytes) for i in range(12)]
    for up, down in itertools.pairwise(chain):
        lineage_edge_add(actor=scientist, kind="derived_from", upstream=up, downstream=down)
    mv = make_mv(scientist, model, "deep", xgb_json_bytes)
    lineage_edge_add(actor=scientist, kind="trained_on", upstream=chain[-1], downstream=mv)
    with CaptureQueriesContext(connection) as ctx:
        ids = lineage.upstream_dataset_version_ids(("m", mv.pk))
    assert ids == {dv.pk for dv in chain}
    assert len(ctx.captured_queries) == 1
    with CaptureQueriesContext(connection) as ctx:
        impacted = list(impact_model_versions(actor=scientist, dataset_version=chain[0]))
    assert impacted == [mv]
    assert len(ctx.captured_queries) <= 3


def test_personal_data_flows_downstream(
    scientist, officer, team, model, german_csv_bytes, xgb_json_bytes
):

    raw = make_dv(scientist, team, "customers", people_csv())
    clean = make_dv(scientist, team, "features", german_csv_bytes)
    lineage_edge_add(actor=scientist, kind="derived_from", upstream=raw, downstream=clean)
    base = make_mv(scientist, model, "base", xgb_json_bytes)
    lineage_edge_add(actor=scientist, kind="trained_on", upstream=clean, downstream=base)
    tuned = make_mv(scientist, model, "tuned", xgb_json_bytes)
    lineage_edge_add(actor=scientist, kind="fine_tuned_from", upstream=base, downstream=tuned)
    inherited = upstream_pii(model_version=tuned)
    assert {f.column.name for f in inherited} >= {"full_name", "email", "date_of_birth"}
    assert all(f.column.dataset_version_id == raw.pk for f in inherited)
    email = next(f for f in inherited if f.column.name == "email")
    pii_flag_decide(actor=officer, flag=email, status=PIIStatus.DISMISSED)
    assert "email" not in {f.column.name for f in upstream_pii(model_version=tuned)}


def test_lineage_api(scientist, api, dataset_version, model_version, outsider):
    client = api(scientist)
    graph = client.get(f"/api/v1/model-versions/{model_version.pk}/lineage/").json()
    assert graph["root"]["type"] == "model_version"
    assert {n["type"] for n in graph["nodes"]} == {"model_version", "dataset_version"}
    assert graph["edges"][0]["kind"] == "trained_on"
    cycle = client.post(
        "/api/v1/lineage/",
        {
            "kind": "derived_from",
            "upstream": {"type": "model_version", "id": model_version.pk},
            "downstream": {"type": "dataset_version", "id": dataset_version.pk},
        },
        format="json",
    )
    assert cycle.status_code == 409
    assert cycle.json()["error"]["code"] == "lineage_cycle"
    impact = client.get(f"/api/v1/dataset-versions/{dataset_version.pk}/impact/").json()
    assert [v["id"] for v in impact] == [model_version.pk]
    detail = client.get(f"/api/v1/model-versions/{model_version.pk}/").json()
    assert detail["lineage"]["upstream"][0]["id"] == dataset_version.pk
    assert detail["personal_data"]["has_personal_data"] is False
    assert (
        api(outsider).get(f"/api/v1/model-versions/{model_version.pk}/lineage/").status_code == 404
    )
    bad = client.post(
        "/api/v1/lineage/", {"kind": "trained_on", "upstream": {"type": "x"}}, format="json"
    )
    assert bad.status_code == 400


def test_registering_with_lineage_through_the_api(
    scientist, api, model, dataset_version, xgb_json_bytes, outsider
):
    data = {
        "version": "with-lineage",
        "artefact": upload("m.json", xgb_json_bytes),
        "lineage": f'[{{"kind": "trained_on", "dataset_version": {dataset_version.pk}}},'
        f' {{"kind": "tested_on", "dataset_version": {dataset_version.pk}}}]',
    }
    response = api(scientist).post(f"/api/v1/models/{model.pk}/versions/", data, format="multipart")
    assert response.status_code == 201, response.content
    kinds = {
        e["kind"]
        for e in api(scientist)
        .get(f"/api/v1/model-versions/{response.json()['id']}/lineage/")
        .json()["edges"]
    }
    assert kinds == {"trained_on", "tested_on"}
