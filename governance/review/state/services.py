"""Keeping each model version's governance state (models.py says when a row is current).

``state_read`` serves the kept state, or evaluates and stores it when it is missing or no
longer current; ``states_invalidate`` is what a recorded change calls, in its transaction,
with the versions whose state it can alter (receivers.py decides which); ``states_check``
re-derives states and names those that differ from a fresh evaluation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F, Subquery
from django.utils import timezone

from governance.kernel.accounts.models import User
from governance.kernel.api.renderers import plain
from governance.kernel.readcache import trail_position
from governance.review.evaluation import (
    REQUIREMENT_TEXTS,
    evaluate,
    governance_for_api,
    governance_payload,
    reader_can_decide,
)
from governance.review.state.models import GovernanceState, GovernanceStateEpoch
from registry import lineage
from registry.models import ModelVersion


@dataclass(frozen=True)
class Derived:
    body: dict[str, Any]
    accountable_ids: list[int]
    builder_ids: list[int]
    valid_until: datetime | None


def state_derive(
    model_version: ModelVersion, *, upstream: list[lineage.EdgeRow] | None = None
) -> Derived:
    """A fresh evaluation of the version, as it is kept (JSON values, as a client reads them):
    English text with the data of its sentences, the same whatever language is active."""
    ev = evaluate(model_version, upstream=upstream)
    payload = governance_payload(ev)
    return Derived(
        body=plain(payload),
        accountable_ids=sorted(ev.accountable_ids),
        builder_ids=sorted(ev.builder_ids),
        valid_until=payload["valid_until"],
    )


def _epoch() -> Subquery:
    return Subquery(GovernanceStateEpoch.objects.filter(id=1).values("sequence")[:1])


def current_states(ids: Iterable[int], *, at: datetime | None = None) -> dict[int, GovernanceState]:
    """The kept states of these versions that are still current: one query."""
    at = at or timezone.now()
    rows = GovernanceState.objects.filter(
        model_version_id__in=list(ids),
        body__isnull=False,
        position__gte=F("invalidated_at"),
    ).annotate(epoch=_epoch())
    return {
        row.model_version_id: row
        for row in rows
        if (row.epoch is None or row.position >= row.epoch)
        and (row.valid_until is None or row.valid_until > at)
    }


def state_store(model_version: ModelVersion, derived: Derived, *, position: int) -> GovernanceState:
    """Keep a state computed after the trail stood at ``position``, and return it. Never
    lowers ``invalidated_at``: a change recorded meanwhile still marks the row as not current."""
    state = GovernanceState(
        model_version_id=model_version.pk,
        body=derived.body,
        accountable_ids=derived.accountable_ids,
        builder_ids=derived.builder_ids,
        position=position,
        valid_until=derived.valid_until,
        computed_at=timezone.now(),
    )
    GovernanceState.objects.bulk_create(
        [state],
        update_conflicts=True,
        unique_fields=["model_version"],
        update_fields=[
            "body",
            "accountable_ids",
            "builder_ids",
            "position",
            "valid_until",
            "computed_at",
        ],
    )
    return state


def state_read(
    *, model_version: ModelVersion, upstream: list[lineage.EdgeRow] | None = None
) -> GovernanceState:
    """The version's current state: the kept row (one query), or evaluated and kept now."""
    row = current_states([model_version.pk]).get(model_version.pk)
    if row is not None:
        return row
    # The position first: whatever the evaluation then reads is at least that recent.
    position = trail_position()
    derived = state_derive(model_version, upstream=upstream)
    return state_store(model_version, derived, position=position)


def governance_for_reader(
    *, actor: User, model_version: ModelVersion, upstream: list[lineage.EdgeRow] | None = None
) -> dict[str, Any]:
    """The API detail's governance object for ``actor``, from the kept state."""
    state = state_read(model_version=model_version, upstream=upstream)
    body = governance_for_api(state.body)
    body["can_decide"] = reader_can_decide(
        actor,
        review=body["review"],
        accountable_ids=state.accountable_ids,
        builder_ids=state.builder_ids,
    )
    return body


def states_invalidate(*, model_version_ids: Iterable[int], sequence: int) -> None:
    """The states of these versions stop being current as of the change at ``sequence``
    (called inside that change's transaction)."""
    ids = sorted(set(model_version_ids))
    if not ids:
        return
    GovernanceState.objects.bulk_create(
        [GovernanceState(model_version_id=pk, invalidated_at=sequence) for pk in ids],
        update_conflicts=True,
        unique_fields=["model_version"],
        update_fields=["invalidated_at"],
    )


def states_invalidate_all(*, sequence: int) -> None:
    """Every state stops being current as of the change at ``sequence``."""
    if not GovernanceStateEpoch.objects.filter(id=1).update(sequence=sequence):
        GovernanceStateEpoch.objects.create(id=1, sequence=sequence)


def same_state(kept: dict[str, Any], fresh: dict[str, Any]) -> bool:
    """Does a kept body say what a fresh evaluation says? A state kept before requirements
    carried the data of their sentences (``REQUIREMENT_TEXTS``) is compared on its English
    text alone: it is still true, and is shown in English until it is next derived."""
    if any(REQUIREMENT_TEXTS not in r for r in kept.get("requirements", [])):
        return governance_for_api(kept) == governance_for_api(fresh)
    return kept == fresh


def states_check(
    *, rebuild: bool = False, model_ids: Iterable[int] | None = None
) -> tuple[int, list[int]]:
    """Re-evaluate every version holding a current state and compare. Returns (states
    compared, ids of versions whose kept state differs). ``rebuild``: also evaluate and keep
    the state of every version that has none current (after a bulk import, say).
    ``model_ids``: only the versions of these models."""
    compared, differing = 0, []
    versions_qs = ModelVersion.objects.order_by("pk")
    if model_ids is not None:
        versions_qs = versions_qs.filter(model_id__in=list(model_ids))
    ids = list(versions_qs.values_list("pk", flat=True))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        kept = current_states(chunk)
        versions = ModelVersion.objects.select_related("model__system", "artefact").in_bulk(chunk)
        if rebuild:
            # One commit per chunk: a commit per version made a rebuild wait on the disk.
            position = trail_position()
            with transaction.atomic():
                for pk in chunk:
                    if pk not in kept:
                        state_store(versions[pk], state_derive(versions[pk]), position=position)
        for pk in chunk:
            row = kept.get(pk)
            if row is None:
                continue
            compared += 1
            fresh = state_derive(versions[pk])
            if (
                not same_state(row.body, fresh.body)
                or fresh.accountable_ids != list(row.accountable_ids)
                or fresh.builder_ids != list(row.builder_ids)
            ):
                differing.append(pk)
    return compared, differing
