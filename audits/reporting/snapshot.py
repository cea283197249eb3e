"""Build the JSON snapshot a report is rendered from.

The snapshot holds everything the report shows, already read from the registry, governance
and audit records, so that (a) the PDF can be re-rendered later from the stored snapshot alone
and must come out byte-identical, and (b) the evidence pack can list every artefact and data
file hash the report relied on. Numbers shown in tables are formatted here, once.
"""

from __future__ import annotations

import hashlib
import itertools
import platform
from datetime import datetime, timedelta
from importlib import metadata
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_noop

from audits.checks.generative import LIMITATIONS as GENERATIVE_LIMITATIONS
from audits.checks.vocabulary import MIN, THRESHOLD_DIRECTIONS, threshold_direction
from audits.programme.models import AuditSchedule
from audits.runs.models.checks import CheckRun
from audits.runs.models.findings import Finding, findings_of_run
from governance.kernel import signing
from governance.kernel.accounts.models import User
from governance.kernel.audit.models import AuditEvent
from governance.kernel.audit.services import (
    ChainVerification,
    audit_chain_verify,
    canonical_json,
)
from governance.kernel.sentences import localize
from governance.obligations.risks.models import Risk
from governance.obligations.vocab import rights_labels
from governance.policy.classification.models import RiskClassification
from governance.policy.deployments.models import Deployment
from governance.policy.policies.models import Policy
from governance.policy.raci.models import Responsibility
from governance.policy.transparency.selectors import duties_status
from governance.review.approvals.models import Decision
from governance.review.approvals.services import DECISION_PURPOSE, decision_record_of
from governance.review.evaluation import current_classification, evaluate, gate
from registry import lineage
from registry.inspection.formats import LLMApplicationError, parse_llm_application
from registry.models import DOCUMENTATION_FIELDS, AISystem, DatasetVersion, ModelVersion
from registry.selectors import (
    foundation_model,
    node_visible,
    pii_summary,
    prompt_bindings,
    team_ids_visible_to,
    upstream_pii,
)

DOCUMENTATION_YEARS = 10  # Art. 18: technical documentation kept 10 years
LOG_MONTHS = 6  # Art. 19, 26(6): logs at least six months
# English message ids: the snapshot keeps them as they are and the report templates translate
# them into the report's language when rendering.
TIER_LABELS = {
    "prohibited": gettext_noop("Prohibited"),
    "high_risk": gettext_noop("High risk"),
    "limited": gettext_noop("Limited risk"),
    "minimal": gettext_noop("Minimal risk"),
    "not_high_risk_6_3": gettext_noop("Not high risk (Art. 6(3))"),
    "out_of_scope": gettext_noop("Out of scope"),
    "unclassified": gettext_noop("Unclassified"),
}
# Also shown through the templates' translation: document status and retention basis.
DOCUMENT_WORDS = (gettext_noop("DRAFT"), gettext_noop("FINAL"), gettext_noop("Art. 18: 10 years"))
SOFTWARE = [
    "django",
    "scikit-learn",
    "xgboost",
    "lightgbm",
    "shap",
    "fairlearn",
    "pandas",
    "numpy",
    "onnxruntime",
    "skops",
    "weasyprint",
]


def fmt(value: Any, digits: int = 4) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _person(user: User | None) -> str:
    if user is None:
        return "system"
    return user.get_full_name() or user.username


def generated_by(actor: User | None) -> dict[str, str]:
    if actor is None:
        return {"name": "scheduled audit", "username": "", "role": "system"}
    return {"name": _person(actor), "username": actor.username, "role": actor.role}


def software_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in SOFTWARE:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            try:
                out[name] = metadata.version(f"{name}-cpu")
            except metadata.PackageNotFoundError:
                continue
    return out


def model_environment(lock: str) -> list[dict[str, str]]:
    """The packages of the model's own environment, from the lock or requirements recorded
    with the version (one requirement per line or separated by spaces; comments dropped)."""
    out = []
    for line in lock.splitlines():
        line = line.split("#", 1)[0].strip()
        # A requirement with a marker or a direct reference is one entry, spaces and all.
        tokens = [line] if (";" in line or " @ " in line) else line.split()
        for token in tokens:
            for sep in ("===", "==", ">=", "<=", "~=", "!=", "@", ">", "<"):
                if sep in token:
                    name, _, version = token.partition(sep)
                    out.append({"name": name.strip(), "version": f"{sep}{version}".lstrip("=")})
                    break
            else:
                out.append({"name": token, "version": "unpinned"})
    return out


def system_block(system: AISystem) -> dict[str, Any]:

    block = {
        "id": system.pk,
        "name": system.name,
        "team": system.team.name,
        "description": system.description,
    }
    for field, _ in DOCUMENTATION_FIELDS:
        block[field] = getattr(system, field)
    return block


def classification_block(system: AISystem) -> dict[str, Any] | None:

    cls = current_classification(system.pk)
    if cls is None:
        return None
    return {
        "id": cls.pk,
        "tier": cls.tier,
        "tier_label": TIER_LABELS.get(cls.tier, cls.tier),
        "annex_iii_area": cls.annex_iii_area,
        "art50": list(cls.transparency_flags or []),
        "gpai": cls.gpai,
        "gpai_systemic": cls.gpai_systemic,
        "created_by": _person(cls.classified_by),
        "created_at": _iso(cls.created_at),
        "rationale": [
            step.get("text") or f"{step.get('step')}: {step.get('answer')}"
            for step in (cls.rationale or [])
        ],
    }


def version_block(mv: ModelVersion) -> dict[str, Any]:
    return {
        "id": mv.pk,
        "model": mv.model.name,
        "version": mv.version,
        "status": mv.status,
        "task": mv.model.task,
        "framework": mv.framework,
        "description": mv.description,
        "code_commit": mv.code_commit,
        "environment_lock": mv.environment_lock,
        "hyperparameters": mv.hyperparameters,
        "declared_metrics": mv.declared_metrics,
        "created_by": _person(mv.created_by),
        "created_at": _iso(mv.created_at),
        "artefact": {
            "sha256": mv.artefact.sha256 if mv.artefact else None,
            "size": mv.artefact.size if mv.artefact else None,
            "format": mv.artefact_format,
            "safe": mv.artefact_safe,
            "source": mv.artefact_source,
            "uri": mv.artefact_uri,
            "verification": mv.artefact_verification,
            "verification_error": mv.artefact_verification_error,
        },
        # A vendor's hosted model: no artefact, the provider's identifiers and terms instead.
        "external_service": mv.external_service,
    }


def datasets_block(
    mv: ModelVersion, actor: User | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every dataset version upstream, with its datasheet, and the lineage edges.

    Reports are for roles that read every team; should a report ever be built for someone
    who does not, another team's nodes are left out and its lineage rows say so, unnamed."""
    teams = team_ids_visible_to(actor)
    rows = lineage.upstream_rows(("m", mv.pk))
    edges = list(lineage.edges_with_nodes([r[0] for r in rows]))
    kind_of = {e.upstream_node: e.kind for e in edges if e.downstream_node == ("m", mv.pk)}
    dv_ids = [
        e.upstream_node[1]
        for e in edges
        if e.upstream_node[0] == "d" and node_visible(e.upstream, teams)
    ]
    dvs = (
        DatasetVersion.objects.filter(pk__in=dv_ids)
        .select_related("dataset", "blob")
        .prefetch_related("columns__pii_flags__decided_by")
        .order_by("pk")
    )
    datasets = []
    for dv in dvs:
        ds = dv.dataset
        columns = list(dv.columns.all())
        datasets.append(
            {
                "id": dv.pk,
                "name": ds.name,
                "version": dv.version,
                "edge_kind": kind_of.get(("d", dv.pk), "upstream"),
                "sha256": dv.blob.sha256 if dv.blob else None,
                "source_uri": dv.source_uri,
                "source_digest": dv.source_digest,
                "row_count": dv.row_count,
                "origin": ds.origin,
                "description": ds.description,
                "collection_method": ds.collection_method,
                "labelling": ds.labelling,
                "cleaning": ds.cleaning,
                "licence": ds.licence,
                "legal_basis": ds.legal_basis,
                "sensitive": [c.name for c in columns if c.is_sensitive],
                "columns": [
                    {
                        "name": c.name,
                        "dtype": c.dtype,
                        "role": c.role,
                        "is_sensitive": c.is_sensitive,
                        "null_share": fmt(c.statistics.get("null_share"), 3),
                        "distinct": c.statistics.get("distinct_count"),
                    }
                    for c in columns
                ],
                "pii_flags": [
                    {
                        "column": c.name,
                        "category": f.category,
                        "status": f.status,
                        "decided_by": f.decided_by.username if f.decided_by else "",
                    }
                    for c in columns
                    for f in c.pii_flags.all()
                ],
            }
        )

    def name(node) -> str:
        return str(node) if node_visible(node, teams) else "another team's data"

    lineage_rows = [
        {
            "kind": e.get_kind_display(),
            "upstream": name(e.upstream),
            "downstream": name(e.downstream),
        }
        for e in edges
    ]
    return datasets, lineage_rows


def _standing(run, evidence_ids: set[int] | None) -> str:
    """How a run stands as evidence, in words for the report."""
    if run.reproduces_id:
        return f"reproduction of #{run.reproduces_id}"
    if run.exploratory:
        return "exploratory"
    if evidence_ids is not None:
        return "evidence" if run.pk in evidence_ids else "not evidence"
    return {True: "evidence", False: "not evidence"}.get(run.counts_as_evidence, "–")


def check_rows(runs, evidence_ids: set[int] | None = None) -> list[dict[str, Any]]:
    return [
        {
            "id": r.pk,
            "kind": r.kind,
            "status": r.status,
            "passed": r.passed,
            "dataset": str(r.dataset_version) if r.dataset_version_id else "–",
            "finished_at": _iso(r.finished_at),
            "result_sha256": r.result_sha256,
            "evidence": _standing(r, evidence_ids),
        }
        for r in runs
    ]


def latest_runs(mv: ModelVersion, evidence_ids: set[int] | None = None) -> dict[str, Any]:
    """Per kind, the run the report details: the evidence run the evaluation used when there
    is one, else the latest succeeded original run (never a reproduction)."""
    latest: dict[str, Any] = {}
    runs = (
        CheckRun.objects.filter(model_version=mv, status="succeeded", reproduces__isnull=True)
        .select_related("dataset_version__dataset")
        .order_by("kind", "-finished_at", "-pk")
    )
    rows = list(runs)
    for run in rows:
        if evidence_ids and run.pk in evidence_ids:
            latest[run.kind] = run
    for run in rows:
        latest.setdefault(run.kind, run)
    return latest


def requirement_rows(requirements, of: str = "") -> list[dict[str, Any]]:
    """The review policy's requirements as the report prints them, in the report's language
    (the snapshot is built with it active; in English the texts the evaluation computed).
    ``of``: the version they belong to, put before each label (an audit spans versions)."""
    rows = []
    for r in requirements:
        label = localize(r.label)
        rows.append(
            {
                "label": f"{of}: {label}" if of else label,
                "met": r.met,
                "reason": localize(r.reason),
                "applies": r.applies,
            }
        )
    return rows


def evidence_block(evaluation, runs) -> dict[str, Any]:
    """Which run meets (or fails) each required check and on which data; which runs are not
    evidence and why; and every reproduction with its outcome."""
    by_id = {r.pk: r for r in runs}
    used = []
    for item in evaluation.evidence.get("check_runs", []):
        run = by_id.get(item["id"])
        data = f"{run.dataset_version.dataset.name} {run.dataset_version.version}" if run else ""
        used.append(
            {
                "kind": item["kind"],
                "id": item["id"],
                "passed": item["passed"],
                "text": f"{item['kind'].replace('_', ' ')}: run #{item['id']} on {data} "
                f"({item['relation']})",
                "result_sha256": item["result_sha256"],
            }
        )
    used_ids = {u["id"] for u in used}
    not_evidence = [
        {
            "id": r.pk,
            "kind": r.kind,
            "standing": _standing(r, used_ids),
            "note": r.evidence_note or "recorded before evidence rules",
        }
        for r in runs
        if not r.reproduces_id and r.pk not in used_ids and r.status == "succeeded"
    ]
    reproductions = [
        {
            "id": r.pk,
            "reproduces": r.reproduces_id,
            "kind": r.kind,
            "status": r.status,
            "outcome": (r.reproduction or {}).get("outcome", "pending"),
            "differences": list((r.reproduction or {}).get("differences", [])),
            "original_result_sha256": (r.reproduction or {}).get("original_result_sha256", ""),
            "result_sha256": r.result_sha256,
            "finished_at": _iso(r.finished_at),
            "requested_by": r.requested_by.username if r.requested_by_id else "",
        }
        for r in runs
        if r.reproduces_id
    ]
    return {"used": used, "not_evidence": not_evidence, "reproductions": reproductions}


def _charts(run, captions: dict[str, str]) -> list[dict[str, str]]:
    return [
        {
            "name": name,
            "sha256": sha,
            "caption": captions.get(name.split("_", 1)[0], name.replace("_", " ")),
        }
        for name, sha in sorted((run.charts or {}).items())
    ]


def fairness_block(run) -> dict[str, Any] | None:
    if run is None:
        return None
    result = run.result or {}
    metrics, tables = [], []
    for feature, section in (result.get("features") or {}).items():
        for name, m in (section.get("metrics") or {}).items():
            metrics.append(
                {
                    "feature": feature,
                    "metric": name.replace("_", " "),
                    "value": fmt(m.get("value")),
                    "threshold": fmt(m.get("threshold")),
                    # No threshold: reported, never judged.
                    "passed": m.get("passed") if m.get("threshold") is not None else None,
                }
            )
        tables.append(
            {
                "feature": feature,
                "groups": [
                    {
                        "group": g.get("group"),
                        "count": g.get("count"),
                        "small": g.get("small_group"),
                        **{
                            k: fmt(g.get(k), 3)
                            for k in (
                                "selection_rate",
                                "tpr",
                                "fpr",
                                "fnr",
                                "precision",
                                "accuracy",
                            )
                        },
                    }
                    for g in section.get("groups", [])
                ],
            }
        )
    return {
        "id": run.pk,
        "dataset": str(run.dataset_version),
        "finished_at": _iso(run.finished_at),
        "passed": run.passed,
        "metrics": metrics,
        "group_tables": tables,
        "findings": [{"message": f.message} for f in findings_of_run(run).order_by("pk")],
        "charts": _charts(run, {"group": gettext_noop("Per-group rates")}),
    }


def explainability_block(run, sensitive: set[str]) -> dict[str, Any] | None:
    if run is None:
        return None
    result = run.result or {}
    importance = result.get("global_importance") or {}
    ranking = result.get("ranking") or sorted(importance, key=lambda f: -importance[f])
    proxies = set(result.get("proxy_features") or [])
    additivity = (result.get("additivity") or {}).get("max_abs_error")
    return {
        "id": run.pk,
        "explainer": result.get("explainer", {}).get("name", "")
        if isinstance(result.get("explainer"), dict)
        else result.get("explainer", ""),
        "shap_version": (run.library_versions or {}).get("shap", ""),
        "rows": (result.get("parameters") or {}).get("rows_explained", ""),
        "output_units": result.get("output_units", ""),
        "additivity_error": f"{additivity:.2e}" if isinstance(additivity, float) else "–",
        "top_features": [
            {
                "feature": f,
                "value": fmt(importance.get(f)),
                "sensitive": f in sensitive,
                "proxy": f in proxies,
            }
            for f in ranking[:10]
        ],
        "charts": _charts(
            run,
            {
                "global": gettext_noop("Global importance (mean |SHAP|)"),
                "beeswarm": gettext_noop("SHAP values per feature and row"),
                "waterfall": gettext_noop("A borderline case, explained"),
            },
        ),
    }


def performance_block(run) -> dict[str, Any] | None:
    if run is None:
        return None
    metrics = (run.result or {}).get("metrics") or {}
    return {
        "id": run.pk,
        "dataset": str(run.dataset_version),
        "metrics": [{"name": k.replace("_", " "), "value": fmt(v)} for k, v in metrics.items()],
    }


def _verdict(passed: bool | None) -> str:
    return {True: "pass", False: "fail"}.get(passed, "not judged")


def _limit_verdict(value: Any, key: str, threshold: Any) -> bool | None:
    """Is ``value`` within a ``min_``/``max_`` limit? None when there is nothing to judge."""
    if not isinstance(value, (int, float)) or not isinstance(threshold, (int, float)):
        return None
    return value >= threshold if key.startswith("min_") else value <= threshold


def measured_rows(latest: dict[str, CheckRun]) -> list[dict[str, Any]]:
    """Every measured figure of the runs the report details, with the data version it was
    measured on and the threshold beside it: pass, fail, or not judged (no threshold)."""
    rows = []
    for kind in sorted(latest):
        run = latest[kind]
        data = str(run.dataset_version) if run.dataset_version_id else "–"
        result = run.result or {}
        if kind == "fairness":
            for feature, section in sorted((result.get("features") or {}).items()):
                for name, m in sorted((section.get("metrics") or {}).items()):
                    judged = m.get("passed") if m.get("threshold") is not None else None
                    sign = "≥" if threshold_direction(kind, name) == MIN else "≤"
                    rows.append(
                        {
                            "run": run.pk,
                            "kind": kind,
                            "dataset": data,
                            "metric": f"{name.replace('_', ' ')} ({feature})",
                            "value": fmt(m.get("value")),
                            "threshold": f"{sign} {fmt(m.get('threshold'))}"
                            if m.get("threshold") is not None
                            else "–",
                            "result": _verdict(judged),
                        }
                    )
        elif isinstance(result.get("metrics"), dict):
            limits = run.thresholds or {}
            for name, value in sorted(result["metrics"].items()):
                if isinstance(value, dict):
                    continue
                key = next((k for k in (f"min_{name}", f"max_{name}") if k in limits), None)
                threshold = limits.get(key) if key else None
                rows.append(
                    {
                        "run": run.pk,
                        "kind": kind,
                        "dataset": data,
                        "metric": name.replace("_", " "),
                        "value": fmt(value),
                        "threshold": (
                            f"{'≥' if key.startswith('min_') else '≤'} {fmt(threshold)}"
                            if key and threshold is not None
                            else "–"
                        ),
                        "result": _verdict(_limit_verdict(value, key or "", threshold)),
                    }
                )
        else:
            rows.append(
                {
                    "run": run.pk,
                    "kind": kind,
                    "dataset": data,
                    "metric": "overall result of the check",
                    "value": "–",
                    "threshold": "declared thresholds of the run",
                    "result": _verdict(run.passed),
                }
            )
    return rows


def personal_data_block(
    mv: ModelVersion, datasets: list[dict[str, Any]], actor: User | None
) -> dict[str, Any]:
    """Personal data the version was built on: the open PII flags of every dataset version
    upstream AND the sensitive or protected attributes those datasets mark (age, sex, ...):
    a model trained on people's protected attributes processes personal data even when no
    scanner flag was raised."""
    pii = {
        k: v
        for k, v in pii_summary(upstream_pii(model_version=mv), actor=actor).items()
        if k != "flags"
    }
    attributes = sorted({c for d in datasets for c in d["sensitive"]})
    sources = [
        {
            "dataset": f"{d['name']} {d['version']}",
            "edge": d["edge_kind"],
            "columns": d["sensitive"],
        }
        for d in datasets
        if d["sensitive"]
    ]
    pii["sensitive_attributes"] = attributes
    pii["sensitive_sources"] = sources
    pii["has_personal_data"] = bool(pii["has_personal_data"] or attributes)
    parts = []
    if pii["categories"]:
        parts.append(f"personal data flagged upstream ({', '.join(pii['categories'])})")
    if attributes:
        parts.append(
            "protected or sensitive attributes of natural persons in the data it was built "
            f"on ({', '.join(attributes)}; "
            + "; ".join(f"{src['dataset']}, {src['edge']}" for src in sources)
            + ")"
        )
    pii["statement"] = (
        "Processes personal data: " + "; ".join(parts) + "."
        if parts
        else "No personal data flagged and no protected attribute marked in the data upstream."
    )
    return pii


def risks_block(system: AISystem, at: datetime) -> list[dict[str, Any]]:
    """The system's risk register (Art. 9) as it stood: every risk with its scores before and
    after mitigation, owner, review date and mitigations with their evidence."""
    rights = rights_labels()
    out = []
    for r in (
        Risk.objects.filter(system=system)
        .select_related("owner")
        .prefetch_related("mitigations")
        .order_by("review_date", "pk")
    ):
        band, residual = r.band, r.residual_band
        out.append(
            {
                "id": r.pk,
                "title": r.title,
                "hazard": r.hazard,
                "score": f"{r.likelihood}×{r.severity} = {band['score']} ({band['label']})"
                if band
                else f"{r.likelihood}×{r.severity}",
                "residual": f"{r.residual_likelihood}×{r.residual_severity} = "
                f"{residual['score']} ({residual['label']})"
                if residual
                else "not assessed",
                "affected_groups": r.affected_groups,
                "rights": [rights.get(k, k) for k in r.fundamental_rights or []],
                "owner": _person(r.owner) if r.owner_id else "",
                "review_date": r.review_date.isoformat(),
                "overdue": r.is_overdue(at.date()),
                "status": r.get_status_display(),
                "mitigations": [
                    {"description": m.description, "evidence": m.evidence_label}
                    for m in r.mitigations.all()
                ],
            }
        )
    return out


def genai_block(
    mv: ModelVersion, run: CheckRun | None, datasets: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """The LLM application part of a model card: the foundation model by reference, the
    prompts it runs with, its retrieval corpora and its generative evaluation (None for a
    predictive model)."""
    if mv.artefact_format != "llm_application" and mv.model.task != "generative":
        return None
    foundation = foundation_model(mv)
    name = ""
    if mv.artefact_format == "llm_application" and mv.artefact_id and mv.artefact.path.is_file():
        try:
            name = str(parse_llm_application(mv.artefact.path.read_bytes()).get("name") or "")
        except LLMApplicationError:
            name = ""
    evaluation = None
    if run is not None:
        limits = run.thresholds or {}
        directions = THRESHOLD_DIRECTIONS["generative"]
        evaluation = {
            "id": run.pk,
            "passed": run.passed,
            "dataset": str(run.dataset_version.dataset.name) + " v" + run.dataset_version.version
            if run.dataset_version
            else "",
            "records": (run.result or {}).get("n_records"),
            "red_team_set": (run.result or {}).get("red_team_set") or {},
            "metrics": [
                {
                    "name": key.replace("_", " "),
                    "value": fmt(value, 3),
                    "limit": "not gated"
                    if limits.get(key) is None
                    else f"{'at most' if directions.get(key) == 'max' else 'at least'} "
                    f"{limits[key]}",
                }
                for key, value in ((run.result or {}).get("metrics") or {}).items()
            ],
        }
    return {
        "application": name,
        "foundation_model": foundation,
        "prompts": [
            {
                "name": b.template.name,
                "role": b.template.get_role_display(),
                "version": b.prompt_version.number,
                "sha256": b.prompt_version.sha256,
                "text": b.prompt_version.text,
            }
            for b in prompt_bindings(model_version=mv)
        ],
        "retrieval": [
            f"{d['name']} v{d['version']}" for d in datasets if d["edge_kind"] == "retrieves_from"
        ],
        "evaluation": evaluation,
        "limitations": GENERATIVE_LIMITATIONS,
    }


def approvals_block(mv: ModelVersion) -> list[dict[str, Any]]:

    decisions = (
        Decision.objects.filter(model_version=mv, decision="approve")
        .select_related("reviewer", "review")
        .order_by("decided_at")
    )
    return [
        {
            "reviewer_name": _person(d.reviewer),
            "reviewer": d.reviewer.username,
            "capacity_label": ", ".join(c.replace("_", " ") for c in (d.capacities or []))
            or d.reviewer_role.replace("_", " "),
            "decided_at": _iso(d.decided_at),
            "comment": d.comment,
            "signature": d.signature,
            "round": d.review.round,
            "review_status": d.review.status,
            # The server's signature over the decision record, checkable with its public key.
            "server_signature": {
                "purpose": DECISION_PURPOSE,
                "record": decision_record_of(d),
                "key_id": d.signing_key_id,
                "signature": d.server_signature,
            },
        }
        for d in decisions
    ]


# Version states in which an approval is in force; a report generated then is FINAL.
APPROVED_STATES = ("approved", "deployed")


def document_control_block(
    mv: ModelVersion, approvals: list[dict[str, Any]], revision: int
) -> dict[str, Any]:
    """Revision of this kind of report for the version, and DRAFT or FINAL: FINAL only when
    the version stands approved at generation time, naming the approvers of the review in
    force. A report never changes, so a DRAFT stays one; the next revision after approval is
    the FINAL document."""
    in_force = [a for a in approvals if a["review_status"] == "approved"]
    final = mv.status in APPROVED_STATES and bool(in_force)
    return {
        "revision": revision,
        "status": "FINAL" if final else "DRAFT",
        "version_status": mv.get_status_display().lower(),
        "approvers": [
            {
                "name": a["reviewer_name"],
                "capacity": a["capacity_label"],
                "decided_at": a["decided_at"],
                "round": a["round"],
            }
            for a in (in_force if final else [])
        ],
    }


def register_document_control(*, revision: int, gaps: list[str]) -> dict[str, Any]:
    """Document control of an audit report or the inventory: FINAL when nothing it reports
    on was still incomplete when it was generated, DRAFT naming what was."""
    return {
        "revision": revision,
        "status": "DRAFT" if gaps else "FINAL",
        "reason": "; ".join(gaps),
        "approvers": [],
    }


def audit_trail_block(mv: ModelVersion, limit: int = 80) -> list[dict[str, Any]]:
    events = AuditEvent.objects.filter(
        Q(target_type="registry.modelversion", target_id=str(mv.pk))
        | Q(target_type="registry.aisystem", target_id=str(mv.model.system_id))
    ).order_by("-sequence")[:limit]
    return [
        {
            "sequence": e.sequence,
            "created_at": _iso(e.created_at),
            "actor": e.actor_username,
            "action": e.action,
            "hash": e.hash,
        }
        for e in reversed(list(events))
    ]


def _human_value(field, value: Any) -> str:
    """A history value as a reader knows it: the person for a user id, the label of a
    choice, a date to the minute, "none" for nothing."""
    if value is None or value == "":
        return "none"
    if field.is_relation and field.related_model is User:
        user = User.objects.filter(pk=value).first()
        return _person(user) if user else f"user #{value}"
    if field.is_relation:
        return f"{field.related_model._meta.verbose_name} #{value}"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def changes_block(mv: ModelVersion) -> list[dict[str, Any]]:
    records = list(mv.history.select_related("history_user").order_by("history_date"))
    out = []
    for older, newer in itertools.pairwise(records):
        for change in newer.diff_against(older).changes:
            field = ModelVersion._meta.get_field(change.field)
            out.append(
                {
                    "when": _iso(newer.history_date),
                    "who": _person(newer.history_user),
                    "field": str(field.verbose_name).capitalize(),
                    "old": _human_value(field, change.old),
                    "new": _human_value(field, change.new),
                }
            )
    return out


def _retention(at: datetime) -> str:
    return (
        (at + timedelta(days=365 * DOCUMENTATION_YEARS + DOCUMENTATION_YEARS // 4))
        .date()
        .isoformat()
    )


def finalize(snapshot: dict[str, Any]) -> dict[str, Any]:
    """Add the input hash: SHA-256 of the canonical JSON of everything else."""
    snapshot.pop("input_hash", None)
    snapshot["input_hash"] = hashlib.sha256(canonical_json(snapshot).encode()).hexdigest()
    return snapshot


def transparency_block(system: AISystem) -> list[dict[str, Any]]:
    """Each Art. 50 duty of the system with the latest measure recorded for it (None: none)."""
    rows = []
    for duty in duties_status(system):
        measure = duty["measure"]
        rows.append(
            {
                "paragraph": duty["paragraph"],
                "label": duty["label"],
                "measure": None
                if measure is None
                else {
                    "measure": measure.measure,
                    "evidence": measure.evidence,
                    "recorded_by": measure.recorded_by.get_full_name()
                    or measure.recorded_by.username,
                    "recorded_at": _iso(measure.recorded_at),
                },
            }
        )
    return rows


def model_version_snapshot(
    *, kind: str, model_version: ModelVersion, actor: User, at: datetime, revision: int = 1
) -> dict[str, Any]:
    """Snapshot for ``annex_iv``, ``model_card``, ``annex_xi`` and ``annex_xii`` reports of
    one model version."""

    mv = ModelVersion.objects.select_related("model__system__team", "artefact", "created_by").get(
        pk=model_version.pk
    )
    system = mv.model.system
    classification = classification_block(system)
    datasets, lineage_rows = datasets_block(mv, actor)
    sensitive = {c for d in datasets for c in d["sensitive"]}
    evaluation = evaluate(mv)
    evidence_ids = {item["id"] for item in evaluation.evidence.get("check_runs", [])}
    latest = latest_runs(mv, evidence_ids)
    all_runs = _finished_runs(mv)
    evidence = evidence_block(evaluation, all_runs)
    verdict = audit_chain_verify()
    manifest = _manifest(mv, datasets=datasets, all_runs=all_runs, latest=latest)
    approvals = approvals_block(mv)
    snapshot = {
        "kind": kind,
        "title": f"{system.name}: {mv.model.name} {mv.version}",
        "full": bool(classification and classification["tier"] == "high_risk"),
        "generated_at": _iso(at),
        "generated_by": generated_by(actor),
        "retention_until": _retention(at),
        "retention_basis": "Art. 18: 10 years",
        "system": system_block(system),
        "classification": classification,
        "transparency": transparency_block(system),
        "version": version_block(mv),
        "version_history": version_history_block(mv),
        "software": software_versions(),
        "environment": model_environment(mv.environment_lock),
        "datasets": datasets,
        "lineage": lineage_rows,
        "input_columns": next(
            (d["columns"] for d in datasets if d["edge_kind"] == "trained_on"), []
        ),
        "checks": check_rows(all_runs, evidence_ids),
        "evidence": evidence,
        "reproductions": evidence["reproductions"],
        "monitoring_checks": check_rows(
            [r for r in all_runs if r.kind in ("drift", "performance", "operational")],
            evidence_ids,
        ),
        "fairness": fairness_block(latest.get("fairness")),
        "explainability": explainability_block(latest.get("explainability"), sensitive),
        "performance": performance_block(latest.get("performance")),
        "data_quality": data_quality_block(latest.get("data_quality")),
        "genai": genai_block(mv, latest.get("generative"), datasets),
        "thresholds": threshold_rows(latest),
        "measured": measured_rows(latest),
        "risks": risks_block(system, at),
        "metrics_rationale": mv.description,
        "requirements": requirement_rows(evaluation.requirements),
        "gate_allowed": not evaluation.reasons(),
        "approvals": approvals,
        "document_control": document_control_block(mv, approvals, revision),
        "changes": changes_block(mv),
        "audit_trail": audit_trail_block(mv),
        "deployments": deployments_block(mv),
        "personal_data": personal_data_block(mv, datasets, actor),
        "logging": logging_block(verdict, at=at),
        "incidents": incidents_block(mv),
        "manifest": manifest,
    }
    return finalize(snapshot)


def _finished_runs(mv: ModelVersion) -> list[CheckRun]:
    """Every check run of the version that has ended, oldest first."""
    return list(
        CheckRun.objects.filter(model_version=mv)
        .exclude(status__in=["queued", "running"])
        .select_related("dataset_version__dataset", "requested_by")
        .order_by("finished_at", "pk")
    )


def _manifest(
    mv: ModelVersion,
    *,
    datasets: list[dict[str, Any]],
    all_runs: list[CheckRun],
    latest: dict[str, CheckRun],
) -> list[dict[str, Any]]:
    """Hashes of the artefact, the data, every check result and the latest runs' charts."""
    manifest = (
        [{"what": f"artefact {mv.model.name} {mv.version}", "sha256": mv.artefact.sha256}]
        if mv.artefact
        else []
    )
    manifest += [
        {"what": f"data {d['name']} {d['version']}", "sha256": d["sha256"]}
        for d in datasets
        if d["sha256"]
    ]
    manifest += [
        {
            "what": f"check #{r.pk} {r.kind} result"
            + (f" (reproduction of #{r.reproduces_id})" if r.reproduces_id else ""),
            "sha256": r.result_sha256,
        }
        for r in all_runs
        if r.result_sha256
    ]
    for run in latest.values():
        for name, sha in sorted((run.charts or {}).items()):
            manifest.append({"what": f"chart {name} of check #{run.pk}", "sha256": sha})
    return manifest


def threshold_rows(latest: dict[str, CheckRun]) -> list[dict[str, Any]]:
    """The numeric thresholds the latest run of each check kind was held to."""
    return [
        {"kind": r.kind, "metric": k.replace("_", " "), "value": fmt(v)}
        for r in latest.values()
        for k, v in sorted((r.thresholds or {}).items())
        if isinstance(v, (int, float)) and not isinstance(v, bool)
    ]


def version_history_block(mv: ModelVersion) -> list[dict[str, Any]]:
    """Every version of the model, oldest first, marking this one."""
    versions = (
        ModelVersion.objects.filter(model=mv.model)
        .select_related("artefact", "created_by")
        .order_by("created_at", "pk")
    )
    return [
        {
            "version": v.version,
            "status": v.status,
            "created_at": _iso(v.created_at),
            "created_by": v.created_by.username,
            "sha256": v.artefact.sha256 if v.artefact else None,
            "is_this": v.pk == mv.pk,
        }
        for v in versions
    ]


def data_quality_block(run: CheckRun | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {
        "id": run.pk,
        "passed": run.passed,
        "findings": [{"message": f.message} for f in findings_of_run(run).order_by("pk")],
    }


def deployments_block(mv: ModelVersion) -> list[dict[str, Any]]:
    return [
        {
            "environment": d.environment,
            "action": d.action,
            "deployed_at": _iso(d.deployed_at),
            "deployed_by": d.deployed_by.username,
        }
        for d in Deployment.objects.filter(model_version=mv)
        .select_related("deployed_by")
        .order_by("deployed_at")
    ]


def logging_block(verdict: ChainVerification, *, at: datetime) -> dict[str, Any]:
    """How many audit events the chain check verified, and the retention periods."""
    return {
        "events": verdict.checked,
        "verified_at": _iso(at),
        "chain_ok": verdict.ok,
        "chain_reason": verdict.reason,
        "checkpoints": verdict.checkpoints,
        "last_checkpoint_sequence": verdict.last_checkpoint_sequence,
        "signing_key_id": signing.sign_key_id(),
        "documentation_years": DOCUMENTATION_YEARS,
        "log_months": LOG_MONTHS,
    }


def incidents_block(mv: ModelVersion) -> list[dict[str, Any]]:
    """High-severity findings on the version, oldest first."""
    return [
        {
            "message": f.message,
            "severity": f.severity,
            "created_at": _iso(f.created_at),
            "status": f.status,
        }
        for f in Finding.objects.filter(model_version=mv, severity="high").order_by("created_at")
    ]


def audit_run_snapshot(
    *, audit_run, actor: User | None, at: datetime, revision: int = 1
) -> dict[str, Any]:
    """Snapshot for an ``audit`` report: one AuditRun, its checks, findings and owners."""

    system = AISystem.objects.select_related("team").get(pk=audit_run.system_id)
    runs = list(
        CheckRun.objects.filter(audit_run=audit_run)
        .select_related("dataset_version__dataset", "model_version__model")
        .order_by("pk")
    )
    versions = sorted({r.model_version for r in runs}, key=lambda v: v.pk)
    classification = classification_block(system)
    policy = None
    if classification:
        row = Policy.objects.filter(tier=classification["tier"]).first()
        if row is not None:
            policy = {
                "version": row.version,
                "required_checks": list(row.required_checks),
                "audit_interval_days": row.audit_interval_days,
            }
    requirements = []
    for mv in versions:
        requirements += requirement_rows(
            evaluate(mv).requirements, of=f"{mv.model.name} {mv.version}"
        )
    findings = Finding.objects.filter(audit_run=audit_run) | Finding.objects.filter(
        check_run__audit_run=audit_run
    )
    latest = {r.kind: r for r in runs if r.status == "succeeded"}
    sensitive = {c for r in runs for c in (r.sensitive_columns or [])}
    responsibilities = (
        Responsibility.objects.filter(Q(system=system) | Q(model__system=system))
        .select_related("user", "system", "model")
        .order_by("role", "user__username")
    )
    manifest = [
        {"what": f"check #{r.pk} {r.kind} result", "sha256": r.result_sha256}
        for r in runs
        if r.result_sha256
    ]
    manifest += [
        {"what": f"artefact {v.model.name} {v.version}", "sha256": v.artefact.sha256}
        for v in versions
        if v.artefact
    ]
    snapshot = {
        "kind": "audit",
        "title": f"Audit #{audit_run.pk}: {system.name}",
        "generated_at": _iso(at),
        "generated_by": generated_by(actor),
        "retention_until": _retention(at),
        "retention_basis": "Art. 18: 10 years",
        "system": system_block(system),
        "classification": classification,
        "policy": policy,
        "version": None,
        "audit_run": {
            "id": audit_run.pk,
            "trigger": audit_run.trigger,
            "started_at": _iso(audit_run.started_at),
            "finished_at": _iso(audit_run.finished_at),
            "passed": not findings.filter(severity="high").exists(),
        },
        "audited_versions": [
            {"model": v.model.name, "version": v.version, "status": v.status} for v in versions
        ],
        "checks": check_rows(runs),
        "requirements": requirements,
        "fairness": fairness_block(latest.get("fairness")),
        "explainability": explainability_block(latest.get("explainability"), sensitive),
        "findings": [
            {
                "severity": f.severity,
                "message": f.message,
                "value": f.value,
                "threshold": f.threshold,
                "status": f.status,
            }
            for f in findings.distinct().order_by("created_at", "pk")
        ],
        "responsibilities": [
            {
                "user": _person(r.user),
                "role": r.get_role_display(),
                "target": str(r.system or r.model),
                "until": _iso(r.ends_at)[:10],
            }
            for r in responsibilities
        ],
        "approvals": [],
        "document_control": register_document_control(
            revision=revision, gaps=_audit_gaps(audit_run, runs)
        ),
        "manifest": manifest,
    }
    return finalize(snapshot)


def _inventory_gaps(rows: list[dict[str, Any]]) -> list[str]:
    """What the register could not yet state for every system."""
    unclassified = [r["name"] for r in rows if not r["tier"]]
    ownerless = [r["name"] for r in rows if not r["owners"]]
    gaps = []
    if unclassified:
        gaps.append(f"not classified: {', '.join(unclassified)}")
    if ownerless:
        gaps.append(f"no accountable owner: {', '.join(ownerless)}")
    return gaps


def _audit_gaps(audit_run, runs: list[CheckRun]) -> list[str]:
    """What kept an audit from being complete when its report was made."""
    gaps = []
    if audit_run.status != "succeeded" or audit_run.finished_at is None:
        gaps.append(f"the audit run was {audit_run.status}, not finished")
    pending = sum(1 for r in runs if r.status in ("queued", "running"))
    if pending:
        gaps.append(f"{pending} of its checks had not ended")
    failed = sum(1 for r in runs if r.status == "failed")
    if failed:
        gaps.append(f"{failed} of its checks could not be computed")
    if not runs:
        gaps.append("it ran no check")
    return gaps


def inventory_snapshot(*, actor: User, at: datetime, revision: int = 1) -> dict[str, Any]:
    """Snapshot for the ``inventory`` register: every system the actor may see."""

    systems = list(AISystem.objects.visible_to(actor).select_related("team").order_by("name"))
    ids = [s.pk for s in systems]
    current: dict[int, RiskClassification] = {}
    for cls in RiskClassification.objects.filter(system_id__in=ids).order_by(
        "system_id", "-created_at", "-pk"
    ):
        current.setdefault(cls.system_id, cls)
    versions: dict[int, list[ModelVersion]] = {}
    for mv in (
        ModelVersion.objects.filter(model__system_id__in=ids)
        .select_related("model", "artefact")
        .order_by("model__name", "created_at")
    ):
        versions.setdefault(mv.model.system_id, []).append(mv)
    owners: dict[int, list[str]] = {}
    for r in Responsibility.objects.filter(system_id__in=ids, role="accountable").select_related(
        "user"
    ):
        if r.ends_at is None or r.ends_at > at:
            owners.setdefault(r.system_id, []).append(_person(r.user))
    due = dict(
        AuditSchedule.objects.filter(system_id__in=ids, active=True).values_list(
            "system_id", "next_due"
        )
    )
    open_findings: dict[int, int] = {}
    for system_id in Finding.objects.filter(
        model_version__model__system_id__in=ids, status="open"
    ).values_list("model_version__model__system_id", flat=True):
        open_findings[system_id] = open_findings.get(system_id, 0) + 1
    rows, tiers = [], {}
    for s in systems:
        cls = current.get(s.pk)
        tier = cls.tier if cls else "unclassified"
        tiers[tier] = tiers.get(tier, 0) + 1
        mvs = versions.get(s.pk, [])
        rows.append(
            {
                "name": s.name,
                "team": s.team.name,
                "tier": cls.tier if cls else "",
                "tier_label": TIER_LABELS.get(tier, tier),
                "versions": [
                    {"model": v.model.name, "version": v.version, "status": v.status} for v in mvs
                ],
                "owners": sorted(owners.get(s.pk, [])),
                "valid_approvals": sum(1 for v in mvs if gate(v, environment="prod")["allowed"]),
                "next_audit_due": _iso(due.get(s.pk)),
                "open_findings": open_findings.get(s.pk, 0),
            }
        )
    snapshot = {
        "kind": "inventory",
        "title": "AI system inventory register",
        "generated_at": _iso(at),
        "generated_by": generated_by(actor),
        "retention_until": _retention(at),
        "retention_basis": "Art. 18: 10 years",
        "systems": rows,
        "by_tier": [{"label": TIER_LABELS.get(k, k), "count": v} for k, v in sorted(tiers.items())],
        "document_control": register_document_control(
            revision=revision, gaps=_inventory_gaps(rows)
        ),
        "manifest": [
            {"what": f"artefact {v.model.name} {v.version}", "sha256": v.artefact.sha256}
            for mvs in versions.values()
            for v in mvs
            if v.artefact
        ],
    }
    return finalize(snapshot)
