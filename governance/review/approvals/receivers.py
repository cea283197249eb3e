"""Reactions to other apps' domain events: evidence changed, so approvals resting on it go.

Signals are sent inside the sender's transaction, so the invalidation, its audit event and
the change that caused it commit (or roll back) together.
"""

from __future__ import annotations

import logging

from audits.runs.signals import check_run_finished
from governance.policy.signals import approval_basis_changed
from governance.review.approvals.services import approvals_invalidate
from registry import lineage
from registry.models import PIIStatus
from registry.signals import lineage_edge_added, pii_flag_decided, prompt_changed

logger = logging.getLogger(__name__)


def on_pii_flag_decided(sender, *, flag, actor, previous, **kwargs) -> None:

    if flag.status != PIIStatus.CONFIRMED or previous == PIIStatus.CONFIRMED:
        return
    column = flag.column
    dv = column.dataset_version
    ids = lineage.downstream_model_version_ids(("d", dv.pk))
    if ids:
        approvals_invalidate(
            model_version_ids=ids,
            code="pii_confirmed",
            reason=f"personal data ({flag.category}) confirmed in column {column.name!r} of "
            f"{dv.dataset.name} {dv.version} by {getattr(actor, 'username', 'system')}.",
            actor=actor,
        )


def on_lineage_edge_added(sender, *, edge, actor, **kwargs) -> None:

    node = edge.downstream_node
    ids = lineage.downstream_model_version_ids(node)
    if node[0] == "m":
        ids.add(node[1])
    if ids:
        approvals_invalidate(
            model_version_ids=ids,
            code="lineage_changed",
            reason=f"new upstream lineage: {edge}.",
            actor=actor,
        )


def on_check_run_finished(sender, *, check_run, **kwargs) -> None:

    if check_run.status != "succeeded" or check_run.passed is not False:
        return
    approvals_invalidate(
        model_version_ids=[check_run.model_version_id],
        code="check_failed",
        reason=f"a new {check_run.kind} check (run {check_run.pk}) failed.",
        actor=None,
    )


def on_prompt_changed(sender, *, binding, previous, actor, **kwargs) -> None:

    current = binding.prompt_version
    was = f"from version {previous.number} " if previous is not None else "(newly bound) "
    approvals_invalidate(
        model_version_ids=[binding.model_version_id],
        code="prompt_changed",
        reason=f"prompt {binding.template.name!r} changed {was}to version {current.number} "
        f"by {getattr(actor, 'username', 'system')}.",
        actor=actor,
    )


def on_approval_basis_changed(
    sender, *, code, reason, actor=None, system_id=None, model_id=None, **kwargs
):
    approvals_invalidate(
        model_version_ids=None,
        system_id=system_id,
        model_id=model_id,
        code=code,
        reason=reason,
        actor=actor,
    )


def connect() -> None:
    approval_basis_changed.connect(
        on_approval_basis_changed, dispatch_uid="governance.approval_basis_changed"
    )

    pii_flag_decided.connect(on_pii_flag_decided, dispatch_uid="governance.pii_flag_decided")
    lineage_edge_added.connect(on_lineage_edge_added, dispatch_uid="governance.lineage_edge")
    prompt_changed.connect(on_prompt_changed, dispatch_uid="governance.prompt_changed")
    check_run_finished.connect(on_check_run_finished, dispatch_uid="governance.check_finished")
