"""Which kept governance states a recorded change ends.

Every change of state writes an audit event in its own transaction, naming what it changed
(``target_type``, ``target_id``). This receiver runs when the event is saved, inside that
transaction, and marks the states the change can alter as no longer current (services.py), so
the change and the end of what it invalidates commit together. The evidence a state rests on,
and the events that change it:

* the version itself (submission, reviews and decisions, approvals invalidated or expired,
  prompts bound, artefact verified or trusted): its own state;
* check runs: the state of the version the run checked;
* datasets' versions, columns and PII decisions, lineage edges: every version downstream;
* the system (documentation, classification, transparency measures), the model, a
  responsibility: every version of that system or model;
* policies, people (a deactivated accountable owner), the questionnaire, and anything this
  module does not know: every state (one row updated, see ``GovernanceStateEpoch``).

Kinds of events that can never alter a state (sign-ins, reports, incidents, risks...) are
listed in ``UNRELATED`` and cost nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db.models.signals import post_save

from audits.runs.models.checks import CheckRun
from governance.kernel.audit.models import AuditEvent
from governance.policy.classification.models import RiskClassification
from governance.policy.raci.models import Responsibility
from governance.policy.transparency.models import TransparencyMeasure
from governance.review.approvals.models import Decision, Review
from governance.review.state.services import states_invalidate, states_invalidate_all
from registry import lineage
from registry.models import Column, DatasetVersion, LineageEdge, ModelVersion, PIIFlag

ALL = None

# Target types whose events never change what a version's governance state shows.
UNRELATED = frozenset(
    {
        "",
        "audits.auditrun",
        "audits.auditschedule",
        "audits.finding",
        "audits.operationalmetric",
        "audits.report",
        "governance.apitoken",
        "governance.auditcheckpoint",
        "governance.backgroundjob",
        "governance.declaration",
        "governance.deployment",
        "governance.derogation",
        "governance.documentationrevision",
        "governance.externalidentity",
        "governance.friarevision",
        "governance.groupmapping",
        "governance.incident",
        "governance.incidentfollowup",
        "governance.mitigation",
        "governance.monitoringplan",
        "governance.notification",
        "governance.recoverycode",
        "governance.risk",
        "governance.signinpolicy",
        "governance.team",
        "governance.totpdevice",
        "governance.webhookdelivery",
        "governance.webhookendpoint",
        "registry.artefactfetchjob",
        "registry.blob",
        "registry.mlflowimport",
        "registry.mlflowlink",
        "registry.prompttemplate",
        "registry.promptversion",
    }
)
# Events on a person that change nothing a state rests on (whether they are active does).
PERSONAL_ACTIONS = ("auth.", "mfa.", "api_token.", "user.password_changed")


def _of_system(system_id: int | None) -> list[int]:
    if not system_id:
        return []
    return list(
        ModelVersion.objects.filter(model__system_id=system_id).values_list("pk", flat=True)
    )


def _of_model(model_id: int | None) -> list[int]:
    if not model_id:
        return []
    return list(ModelVersion.objects.filter(model_id=model_id).values_list("pk", flat=True))


def _below_dataset_version(dv_id: int | None) -> Iterable[int]:
    return lineage.downstream_model_version_ids(("d", dv_id)) if dv_id else []


def _first(queryset, field: str):
    return queryset.values_list(field, flat=True).first()


def _edge(pk: int) -> Iterable[int]:
    edge = LineageEdge.objects.filter(pk=pk).first()
    if edge is None:
        return []
    node = edge.downstream_node
    ids = lineage.downstream_model_version_ids(node)
    if node[0] == "m":
        ids.add(node[1])
    return ids


def _responsibility(pk: int) -> Iterable[int]:
    row = Responsibility.objects.filter(pk=pk).values("system_id", "model_id").first()
    if row is None:
        return []
    return [*_of_system(row["system_id"]), *_of_model(row["model_id"])]


AFFECTED: dict[str, Callable[[int], Iterable[int] | None]] = {
    "registry.modelversion": lambda pk: [pk],
    "governance.review": lambda pk: [_first(Review.objects.filter(pk=pk), "model_version_id")],
    "governance.decision": lambda pk: [
        _first(Decision.objects.filter(pk=pk), "review__model_version_id")
    ],
    "audits.checkrun": lambda pk: [_first(CheckRun.objects.filter(pk=pk), "model_version_id")],
    "registry.piiflag": lambda pk: _below_dataset_version(
        _first(PIIFlag.objects.filter(pk=pk), "column__dataset_version_id")
    ),
    "registry.column": lambda pk: _below_dataset_version(
        _first(Column.objects.filter(pk=pk), "dataset_version_id")
    ),
    "registry.datasetversion": lambda pk: _below_dataset_version(
        DatasetVersion.objects.filter(pk=pk).values_list("pk", flat=True).first()
    ),
    "registry.lineageedge": _edge,
    "registry.aisystem": _of_system,
    "registry.model": _of_model,
    "governance.riskclassification": lambda pk: _of_system(
        _first(RiskClassification.objects.filter(pk=pk), "system_id")
    ),
    "governance.transparencymeasure": lambda pk: _of_system(
        _first(TransparencyMeasure.objects.filter(pk=pk), "system_id")
    ),
    "governance.responsibility": _responsibility,
}


def affected_versions(event: AuditEvent) -> list[int] | None:
    """The versions whose state ``event`` can alter; None: every version's."""
    kind = event.target_type
    if kind in UNRELATED:
        return []
    if kind == "registry.modelversion" and event.action == "model_version.registered":
        # A version just created has no state to end.
        return []
    if kind == "governance.user" and event.action.startswith(PERSONAL_ACTIONS):
        return []
    find = AFFECTED.get(kind)
    if find is None or not event.target_id.isdigit():
        return ALL
    return [pk for pk in find(int(event.target_id)) or [] if pk]


def on_audit_event_saved(sender, *, instance: AuditEvent, created: bool, **kwargs) -> None:
    if not created:
        return
    ids = affected_versions(instance)
    if ids is ALL:
        states_invalidate_all(sequence=instance.sequence)
    else:
        states_invalidate(model_version_ids=ids, sequence=instance.sequence)


def connect() -> None:
    post_save.connect(
        on_audit_event_saved, sender=AuditEvent, dispatch_uid="governance.state_invalidate"
    )
