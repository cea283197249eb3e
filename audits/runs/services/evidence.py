"""Whether a check run may carry a model version's evidence, and why not.

A run counts only when it was judged at the policy's strength or stricter (thresholds,
pinned parameters, every protected attribute), was not asked for as exploratory, and ran on
data linked to the version in lineage by a relation the policy accepts (by default the
evaluation data: ``tested_on``, ``validated_on``; training data only where the policy says).

The same function decides twice: when the run is requested (stored on the row, so the API
and the pages can say it) and at every evaluation of the version (the policy may have been
tightened or the lineage changed since), from the run's frozen inputs only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from audits.checks.vocabulary import DEFAULT_EVIDENCE_RELATIONS
from audits.runs.services.rules import policy_baseline
from registry.models import Column, LineageEdge

#: Kinds whose verdict is computed per sensitive attribute (fairness gaps, proxies, group
#: shares): leaving an attribute out judges less.
SENSITIVE_KINDS = frozenset({"fairness", "explainability", "data_quality"})


@dataclass(frozen=True)
class EvidenceVerdict:
    counts: bool
    note: str
    relation: str = ""


def lineage_relations(model_version_id: int) -> dict[int, set[str]]:
    """Dataset version id -> the relations linking it directly to the model version."""
    found: dict[int, set[str]] = {}
    for dv_id, kind in LineageEdge.objects.filter(
        downstream_model_version_id=model_version_id, upstream_dataset_version__isnull=False
    ).values_list("upstream_dataset_version_id", "kind"):
        found.setdefault(dv_id, set()).add(kind)
    return found


def flagged_sensitive(dataset_version_ids: Iterable[int]) -> dict[int, set[str]]:
    """Dataset version id -> the columns flagged sensitive on it now."""
    found: dict[int, set[str]] = {}
    for dv_id, name in Column.objects.filter(
        dataset_version_id__in=list(dataset_version_ids), is_sensitive=True
    ).values_list("dataset_version_id", "name"):
        found.setdefault(dv_id, set()).add(name)
    return found


def accepted_relations(policy) -> list[str]:
    if policy is None:
        return list(DEFAULT_EVIDENCE_RELATIONS)
    return list(policy.evidence_datasets or [])


def required_sensitive(
    *, kind: str, policy, columns: Iterable[str], flagged: Iterable[str]
) -> list[str]:
    """The attributes a run of ``kind`` must judge: the data's sensitive columns and the
    policy's protected attributes that the data has. Others may be added, none removed."""
    if kind not in SENSITIVE_KINDS:
        return []
    names = list(columns)
    protected = [c for c in (policy.protected_attributes or []) if c in names] if policy else []
    return sorted({*flagged, *protected})


def _data_label(run) -> str:
    dv = run.dataset_version
    if dv is None:
        return "no data"
    return f"{dv.dataset.name} {dv.version}"


def evidence_verdict(
    run,
    *,
    policy,
    relations: Mapping[int, set[str]],
    flagged: Mapping[int, set[str]],
) -> EvidenceVerdict:
    """Does ``run`` count as evidence for its version under ``policy`` and the lineage
    ``relations`` (``lineage_relations``)? ``flagged``: ``flagged_sensitive`` of its data."""
    if run.reproduces_id:
        return EvidenceVerdict(
            False, f"A reproduction of run #{run.reproduces_id}: that run is the evidence."
        )
    if run.exploratory:
        return EvidenceVerdict(False, "Exploratory run: never counts as evidence.")
    if policy is None:
        return EvidenceVerdict(
            False, "The system has no policy yet (unclassified): nothing to hold the run to."
        )
    baseline = policy_baseline(run.kind, policy)
    loosened = baseline.loosened(
        run.kind, thresholds=run.thresholds or {}, parameters=run.parameters or {}
    )
    if loosened:
        return EvidenceVerdict(
            False,
            "Judged more leniently than the policy now requires: "
            + "; ".join(why for _, why, _, _ in loosened)
            + ".",
        )
    missing = sorted(
        set(
            required_sensitive(
                kind=run.kind,
                policy=policy,
                columns=(run.column_roles or {}).keys(),
                flagged=flagged.get(run.dataset_version_id, set()),
            )
        )
        - set(run.sensitive_columns or [])
    )
    if missing:
        return EvidenceVerdict(
            False,
            f"Sensitive attribute(s) {missing} of the data or the policy were left out.",
        )
    accepted = accepted_relations(policy)
    linked = relations.get(run.dataset_version_id, set())
    usable = [r for r in accepted if r in linked]
    wanted = " or ".join(accepted) or "no relation (the policy accepts none)"
    if not usable:
        how = f"linked only as {', '.join(sorted(linked))}" if linked else "not linked"
        return EvidenceVerdict(
            False,
            f"Ran on {_data_label(run)}, {how} to this version in lineage; evidence must "
            f"come from data the version was {wanted.replace('_', ' ')}.",
        )
    relation = usable[0]
    return EvidenceVerdict(
        True,
        f"At {baseline.source} strength or stricter, on {_data_label(run)} ({relation}).",
        relation,
    )
