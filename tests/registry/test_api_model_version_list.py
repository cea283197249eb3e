"""The model-version list at scale: capped count, search over four columns, stable order,
rows serialised by hand; and the detail view reading the lineage once."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework import serializers

from governance.kernel.api.pagination import CappedCountPagination
from governance.review.evaluation import evaluate
from registry.api.filters import ModelVersionSearchFilter
from registry.api.serializers import ModelVersionDetailSerializer, ModelVersionSerializer
from registry.models import Blob, Model, ModelVersion
from registry.selectors import pii_summary, upstream_pii
from registry.services.systems import model_create, system_create

pytestmark = pytest.mark.django_db

URL = "/api/v1/model-versions/"


def make_versions(model: Model, n: int, *, same_time: bool = False, **fields) -> list[int]:
    """``n`` versions written directly (no artefact files): newest last, ids ascending."""
    now = timezone.now()
    ids = []
    for k in range(n):
        sha = hashlib.sha256(f"{model.pk}-{k}-{fields}".encode()).hexdigest()
        blob = Blob.objects.create(sha256=sha, size=100 + k, detected_format="onnx")
        mv = ModelVersion.objects.create(
            model=model,
            version=f"{k}.0.{model.pk}",
            artefact=blob,
            artefact_format="onnx",
            framework="onnx",
            artefact_safe=True,
            created_by=model.created_by,
            **fields,
        )
        created = now if same_time else now - timedelta(minutes=n - k)
        ModelVersion.objects.filter(pk=mv.pk).update(created_at=created)
        ids.append(mv.pk)
    return ids


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr(CappedCountPagination, "count_cap", 5)


def test_count_is_capped_and_next_follows_the_rows(scientist, api, model, small_cap):
    ids = make_versions(model, 12)
    newest_first = ids[::-1]
    client = api(scientist)

    first = client.get(URL, {"limit": 4}).json()
    assert (first["count"], first["count_exact"]) == (5, False)
    assert [r["id"] for r in first["results"]] == newest_first[:4]
    assert first["previous"] is None and "offset=4" in first["next"]

    # A middle page beyond the cap: a lower bound that reaches the end of the page.
    middle = client.get(URL, {"limit": 4, "offset": 4}).json()
    assert (middle["count"], middle["count_exact"]) == (8, False)
    assert [r["id"] for r in middle["results"]] == newest_first[4:8]

    # The last page knows the exact total without counting.
    last = client.get(URL, {"limit": 4, "offset": 8}).json()
    assert (last["count"], last["count_exact"]) == (12, True)
    assert last["next"] is None and [r["id"] for r in last["results"]] == newest_first[8:]

    # Past the end: no rows, and only what the capped count knows.
    beyond = client.get(URL, {"limit": 4, "offset": 100}).json()
    assert (beyond["count"], beyond["count_exact"], beyond["results"]) == (5, False, [])
    assert beyond["next"] is None
    huge = client.get(URL, {"offset": 2**63})
    assert huge.status_code == 200 and huge.json()["results"] == []

    # Following next visits every version once, in order.
    seen, url = [], f"{URL}?limit=5"
    while url:
        page = client.get(url).json()
        seen += [r["id"] for r in page["results"]]
        url = page["next"]
    assert seen == newest_first


def test_count_is_exact_under_the_cap(scientist, api, model):
    make_versions(model, 7)
    client = api(scientist)
    page = client.get(URL, {"limit": 3}).json()
    assert (page["count"], page["count_exact"], len(page["results"])) == (7, True, 3)
    assert client.get(URL, {"status": "approved"}).json() == {
        "count": 0,
        "count_exact": True,
        "next": None,
        "previous": None,
        "next_cursor": None,
        "results": [],
    }
    # A model's own version list pages the same way.
    own = client.get(f"/api/v1/models/{model.pk}/versions/", {"limit": 3}).json()
    assert (own["count"], own["count_exact"], len(own["results"])) == (7, True, 3)


def test_a_page_holding_every_row_runs_no_count_query(scientist, api, model):
    make_versions(model, 3)
    client = api(scientist)
    client.get(URL)  # token and teams looked up once
    with CaptureQueriesContext(connection) as queries:
        body = client.get(URL).json()
    assert (body["count"], body["count_exact"]) == (3, True)
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    with CaptureQueriesContext(connection) as queries:
        body = client.get(URL, {"limit": 2}).json()
    assert (body["count"], body["count_exact"]) == (3, True)
    counts = [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1


def test_rows_read_only_the_columns_they_show(scientist, api, model):
    make_versions(model, 2, environment_lock="numpy==2.0\n" * 100)
    client = api(scientist)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    page_sql = [q["sql"] for q in queries.captured_queries if "registry_blob" in q["sql"]]
    assert page_sql
    for column in ("environment_lock", "hyperparameters", "intended_purpose", "password"):
        assert all(column not in sql for sql in page_sql), column


@pytest.mark.parametrize("max_model_ids", [1000, 0])  # 0: the model match stays a subquery
def test_search_matches_any_of_four_columns_for_every_word(
    max_model_ids, monkeypatch, scientist, outsider, team, api, model, system
):
    monkeypatch.setattr(ModelVersionSearchFilter, "max_model_ids", max_model_ids)
    other_system = system_create(actor=scientist, team=team, name="Fraud Screening")
    fraud = model_create(actor=scientist, system=other_system, name="anomaly-forest")
    by_label = make_versions(model, 1)[0]
    ModelVersion.objects.filter(pk=by_label).update(version="7.7.7-rc1")
    by_description = make_versions(model, 1, description="Retrained on the SPRING data")[0]
    by_model = make_versions(fraud, 1)[0]
    client = api(scientist)

    def found(term, **extra):
        return {r["id"] for r in client.get(URL, {"search": term, **extra}).json()["results"]}

    assert found("RC1") == {by_label}
    assert found("spring") == {by_description}
    assert found("ANOMALY-for") == {by_model}  # the model's name
    assert found("screening") == {by_model}  # the system's name
    assert found("credit") == {by_label, by_description}  # "Credit scoring", the system
    # Every word must match one of the columns.
    assert found("credit spring") == {by_description}
    assert found("fraud spring") == set()
    assert found("credit", status="draft", model=model.pk) == {by_label, by_description}
    assert found("nothing-like-this") == set()
    # Search never widens what a user may see.
    assert api(outsider).get(URL, {"search": "credit"}).json()["count"] == 0


def test_filters_validate_and_apply_request_after_request(scientist, api, model, system):
    other = model_create(actor=scientist, system=system, name="other-model")
    mine = make_versions(model, 2)
    theirs = make_versions(other, 1)
    client = api(scientist)

    def found(**params):
        response = client.get(URL, params)
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["results"]}

    assert found() == {*mine, *theirs}
    assert found(model=model.pk) == set(mine)
    assert found(model=other.pk) == set(theirs)
    assert found(status="draft", model__system=system.pk) == {*mine, *theirs}
    assert found(status__in="approved,retired") == set()
    bad = client.get(URL, {"status": "bogus"})
    assert bad.status_code == 400 and "status" in str(bad.json())
    assert client.get(URL, {"created_at__gte": "not a date"}).status_code == 400
    assert found(model=model.pk) == set(mine)


def test_ties_on_created_at_are_broken_by_id(scientist, api, model):
    ids = make_versions(model, 6, same_time=True)
    client = api(scientist)
    for ordering, expected in (
        (None, ids[::-1]),
        ("-created_at", ids[::-1]),
        ("created_at", ids),
    ):
        params = {"limit": 2} | ({"ordering": ordering} if ordering else {})
        seen, url, params = [], URL, params
        while url:
            page = client.get(url, params).json()
            seen += [r["id"] for r in page["results"]]
            url, params = page["next"], None
        assert seen == expected, ordering


@pytest.mark.parametrize("serializer_class", [ModelVersionSerializer, ModelVersionDetailSerializer])
def test_hand_built_rows_equal_the_declared_fields(
    serializer_class, scientist, officer, model_version
):
    generic = serializers.ModelSerializer.to_representation
    draft = ModelVersion.objects.get(pk=model_version.pk)
    built = serializer_class(draft).data
    assert list(built) == list(serializer_class().fields)
    assert built == generic(serializer_class(draft), draft)
    assert built["submitted_by"] is None and built["submitted_at"] is None
    assert built["artefact"]["sha256"] == draft.artefact.sha256

    ModelVersion.objects.filter(pk=draft.pk).update(
        submitted_by=officer, submitted_at=timezone.now()
    )
    submitted = ModelVersion.objects.get(pk=draft.pk)
    built = serializer_class(submitted).data
    assert built == generic(serializer_class(submitted), submitted)
    assert built["submitted_by"] == officer.username
    assert built["submitted_at"].endswith("Z")


def test_list_rows_from_values_equal_the_serializer(scientist, officer, api, model_version):
    """The lists render rows from values(), the other views from instances: same JSON."""
    ModelVersion.objects.filter(pk=model_version.pk).update(
        submitted_by=officer, submitted_at=timezone.now()
    )
    draft = make_versions(model_version.model, 1)[0]
    client = api(scientist)
    expected = {
        mv.pk: ModelVersionSerializer(mv).data
        for mv in ModelVersion.objects.filter(pk__in=[model_version.pk, draft])
    }
    for url in (URL, f"/api/v1/models/{model_version.model_id}/versions/"):
        rows = client.get(url).json()["results"]
        assert {r["id"]: r for r in rows} == expected
        assert all(list(r) == list(ModelVersionSerializer().fields) for r in rows)
    detail = client.get(f"{URL}{model_version.pk}/").json()
    assert {k: detail[k] for k in expected[model_version.pk]} == expected[model_version.pk]


def test_detail_reads_the_upstream_lineage_once(scientist, api, model_version):
    client = api(scientist)
    url = f"{URL}{model_version.pk}/"
    client.get(url)
    cache.clear()  # what a read computes when nothing is kept (see test_read_cache.py)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(url).json()
    recursive = [q["sql"] for q in queries.captured_queries if "WITH RECURSIVE" in q["sql"]]
    # One walk upstream (lineage summary, personal data, requirements), one downstream.
    assert len(recursive) == 2
    assert body["lineage"]["upstream"][0]["type"] == "dataset_version"
    # Same answers as reading the lineage afresh.
    flags = pii_summary(upstream_pii(model_version=model_version))
    assert body["personal_data"]["flags"] == [
        {**f, "confidence": pytest.approx(f["confidence"])} for f in flags["flags"]
    ]
    assert {k: v for k, v in body["personal_data"].items() if k != "flags"} == {
        k: v for k, v in flags.items() if k != "flags"
    }
    ev = evaluate(model_version)
    assert [(r["code"], r["met"], r["reason"]) for r in body["governance"]["requirements"]] == [
        (r.code, r.met, r.reason) for r in ev.requirements
    ]


@pytest.mark.postgres
def test_search_columns_have_trigram_indexes_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE %s",
            ["%_trgm"],
        )
        defs = dict(cursor.fetchall())
    for name, expression in (
        ("registry_mv_version_trgm", "upper((version)::text) gin_trgm_ops"),
        ("registry_mv_description_trgm", "upper(description) gin_trgm_ops"),
        ("registry_model_name_trgm", "upper((name)::text) gin_trgm_ops"),
        ("registry_aisystem_name_trgm", "upper((name)::text) gin_trgm_ops"),
    ):
        assert expression in defs[name], defs


def _walk(client, params, *, by_cursor: bool) -> list[int]:
    seen, query = [], dict(params)
    while True:
        page = client.get(URL, query)
        assert page.status_code == 200, page.content
        body = page.json()
        seen += [r["id"] for r in body["results"]]
        if by_cursor:
            if body["next_cursor"] is None:
                assert body["next"] is None
                return seen
            if "cursor" in query:
                assert "cursor=" in body["next"] and "offset=" not in body["next"]
                assert body["previous"] is None
            query = {**params, "cursor": body["next_cursor"]}
        else:
            if body["next"] is None:
                return seen
            query = {**params, "offset": query.get("offset", 0) + params["limit"]}


@pytest.mark.parametrize(
    "ordering", [None, "created_at", "-version", "status", "-created_at"], ids=str
)
def test_cursor_pages_walk_the_same_rows_as_offsets(scientist, api, model, ordering):
    ids = make_versions(model, 17)
    # Nine share one timestamp: the id must break their ties in both walks.
    ModelVersion.objects.filter(pk__in=ids[:9]).update(created_at=timezone.now())
    client = api(scientist)
    params = {"limit": 4, **({"ordering": ordering} if ordering else {})}
    by_offset = _walk(client, params, by_cursor=False)
    by_cursor = _walk(client, params, by_cursor=True)
    assert sorted(by_offset) == sorted(ids)
    assert by_cursor == by_offset


def test_a_cursor_page_keeps_filters_and_refuses_bad_cursors(scientist, api, model, users):
    ids = make_versions(model, 9, status="draft")
    ModelVersion.objects.filter(pk__in=ids[6:]).update(status="approved")
    client = api(scientist)
    first = client.get(URL, {"limit": 2, "status": "draft"}).json()
    second = client.get(URL, {"limit": 2, "status": "draft", "cursor": first["next_cursor"]})
    assert second.status_code == 200
    assert {r["status"] for r in second.json()["results"]} == {"draft"}
    for bad in ("%%%", "bm90IGpzb24", "eyJvIjpbIi1jcmVhdGVkX2F0IiwiLWlkIl0sInYiOlsieCIsInkiXX0"):
        response = client.get(URL, {"limit": 2, "cursor": bad})
        assert response.status_code == 400, (bad, response.content)
        assert response.json()["error"]["code"] in ("invalid_cursor", "cursor_ordering_changed")
    other_order = client.get(
        URL, {"limit": 2, "ordering": "version", "cursor": first["next_cursor"]}
    )
    assert other_order.status_code == 400
    assert other_order.json()["error"]["code"] == "cursor_ordering_changed"
    # A cursor never widens what a user may see.
    outsider = api(users["outsider"]).get(URL, {"limit": 2, "cursor": first["next_cursor"]})
    assert outsider.status_code == 200 and outsider.json()["results"] == []
