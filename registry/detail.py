"""The model-version detail as the API shows it to one user, and the check that what is kept
of it (governance/kernel/readcache.py) still equals a fresh computation."""

from __future__ import annotations

from typing import Any

from governance.kernel.accounts.models import User
from governance.kernel.panels import model_version_extras
from governance.kernel.permissions import VIEW
from governance.kernel.readcache import entry_key, etag_of, kept_entries, trail_position
from registry import lineage, selectors
from registry.api import serializers as s
from registry.models import ModelVersion


def model_version_detail(
    *, actor: User, model_version_id: int | None = None, model_version: ModelVersion | None = None
) -> dict[str, Any]:
    """The detail view's body: the version, its lineage summary, inherited personal data and,
    what the upper layers add (tier and requirements, from governance.review).
    ``model_version``: the row as ``selectors.model_version_list(actor=actor)`` gave it."""
    mv = model_version or selectors.model_version_list(actor=actor).get(pk=model_version_id)
    up_rows = lineage.upstream_rows(("m", mv.pk))
    # A version without upstream lineage (most) needs no query; building one only to find
    # it empty cost more than the rest of the detail.
    edges = list(lineage.edges_with_nodes([row[0] for row in up_rows])) if up_rows else []
    upstream = selectors.lineage_upstream_summary(actor=actor, model_version=mv, edges=edges)
    data = s.ModelVersionDetailSerializer(mv).data
    data["lineage"] = {
        "upstream": upstream,
        "downstream_count": len(lineage.downstream_rows(("m", mv.pk))),
    }
    data["personal_data"] = selectors.pii_summary(
        selectors.upstream_pii(model_version=mv, upstream=up_rows), actor=actor
    )
    data.update(model_version_extras.collect(user=actor, model_version=mv, upstream=up_rows))
    return data


def model_version_detail_scope(model_version_id: int) -> str:
    return f"model-version:{model_version_id}"


def detail_cache_check(*, users) -> tuple[int, list[tuple[int, int]]]:
    """Compare every kept detail of these users at the trail's current position with a fresh
    computation. Returns (entries compared, [(user id, version id) that differ])."""
    compared, differing = 0, []
    position = trail_position()
    for user in users:
        ids = ModelVersion.objects.visible_to(user, VIEW).values_list("pk", flat=True)
        keys = {
            entry_key(model_version_detail_scope(pk), user.pk, position): pk
            for pk in ids.iterator(chunk_size=2000)
        }
        for key, entry in kept_entries(keys).items():
            compared += 1
            fresh = model_version_detail(actor=user, model_version_id=keys[key])
            if etag_of(fresh) != entry["etag"]:
                differing.append((user.pk, keys[key]))
    return compared, differing
