"""A version's detail kept by the read cache is served as the bytes first rendered: the same
body, type and ETag as a fresh read; other renderings are still made on request; and a user
of another team still gets a 404, never the kept body."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db


def test_kept_detail_is_the_same_response_as_a_fresh_one(api, scientist, model_version, settings):
    cache.clear()
    client = api(scientist)
    url = f"/api/v1/model-versions/{model_version.pk}/"
    fresh = client.get(url)
    kept = client.get(url)
    assert fresh.status_code == kept.status_code == 200
    assert kept.content == fresh.content
    assert kept["Content-Type"] == fresh["Content-Type"] == "application/json"
    assert kept["ETag"] == fresh["ETag"]
    assert kept["Cache-Control"] == "private, no-cache"
    assert {"Authorization", "Cookie"} <= {v.strip() for v in kept["Vary"].split(",")}
    # Computed without the cache, the value and its ETag are the same too (the key order of
    # the governance part may differ: on PostgreSQL a kept state comes back from a JSON column).
    settings.READ_CACHE_SECONDS = 0
    uncached = client.get(url)
    assert json.loads(uncached.content) == json.loads(fresh.content)
    assert uncached["ETag"] == fresh["ETag"]
    settings.READ_CACHE_SECONDS = 300
    # A client holding the ETag gets 304 without a body.
    assert client.get(url, HTTP_IF_NONE_MATCH=fresh["ETag"]).status_code == 304
    # Indentation asked for: rendered again, the same value.
    indented = client.get(url, HTTP_ACCEPT="application/json; indent=2")
    assert indented.status_code == 200 and b"\n  " in indented.content
    assert json.loads(indented.content) == json.loads(fresh.content)


def test_kept_detail_is_not_served_to_another_team(api, scientist, outsider, model_version):
    cache.clear()
    url = f"/api/v1/model-versions/{model_version.pk}/"
    assert api(scientist).get(url).status_code == 200
    response = api(outsider).get(url)
    assert response.status_code == 404
    assert str(model_version.version) not in response.content.decode()
