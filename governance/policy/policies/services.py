"""Editing the per-tier policies; every edit bumps the version that approvals record."""

from __future__ import annotations

import math
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from audits.checks.vocabulary import (
    EVIDENCE_RELATION_CHOICES,
    MODEL_TASKS,
    REQUIRABLE_CHECK_KINDS,
    threshold_direction,
)
from governance.kernel.accounts.models import Role, User
from governance.kernel.audit.services import audit_event_record
from governance.kernel.errors import Forbidden, ServiceError
from governance.policy.policies.models import ACCOUNTABLE_OWNER, Policy
from registry.models import DOCUMENTATION_FIELDS

EDITABLE = frozenset(
    {
        "submittable",
        "required_checks",
        "check_applicability",
        "thresholds",
        "approvals_required",
        "approver_roles",
        "requires_accountable_owner",
        "pii_must_be_resolved",
        "required_documentation",
        "evidence_datasets",
        "protected_attributes",
        "recertify_days",
        "audit_interval_days",
    }
)
APPROVER_CAPACITIES = frozenset({Role.COMPLIANCE_OFFICER.value, ACCOUNTABLE_OWNER})


def _limit_direction(kind: str, key: str) -> str | None:
    """MAX/MIN when ``key`` (possibly spelt with a ``_max``/``_min`` suffix) is a limit."""
    direction = threshold_direction(kind, key)
    for suffix in ("_max", "_min"):
        if direction is None and key.endswith(suffix):
            direction = threshold_direction(kind, key[: -len(suffix)])
    return direction


def _threshold_value_problems(thresholds: dict[str, Any]) -> list[str]:
    """Each limit is a finite number of at least 0, or null (not gated)."""
    problems = []
    for kind, limits in thresholds.items():
        if not isinstance(limits, dict):
            problems.append(_("thresholds.%(kind)s must be an object of limits") % {"kind": kind})
            continue
        for key, value in limits.items():
            if _limit_direction(kind, key) is None or value is None:
                continue  # parameters (min_group_size, bins...) are the checks' to judge
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            if not number or not math.isfinite(value) or value < 0:
                problems.append(
                    _("thresholds.%(kind)s.%(key)s must be a number of at least 0 or null")
                    % {"kind": kind, "key": key}
                )
    return problems


def _applicability_problems(applicability: Any) -> list[str]:
    """check_applicability maps requirable check kinds to lists of known model tasks."""
    if not isinstance(applicability, dict):
        return [_("check_applicability must map check kinds to lists of model tasks")]
    problems = []
    unknown = set(applicability) - set(REQUIRABLE_CHECK_KINDS)
    if unknown:
        problems.append(
            _("check_applicability names unknown check kinds %(kinds)s")
            % {"kinds": sorted(unknown)}
        )
    for kind, tasks in applicability.items():
        if not isinstance(tasks, list) or not all(isinstance(t, str) for t in tasks):
            problems.append(
                _("check_applicability.%(kind)s must be a list of model tasks") % {"kind": kind}
            )
        elif set(tasks) - set(MODEL_TASKS):
            problems.append(
                _(
                    "check_applicability.%(kind)s names unknown model tasks %(tasks)s "
                    "(known: %(known)s)"
                )
                % {
                    "kind": kind,
                    "tasks": sorted(set(tasks) - set(MODEL_TASKS)),
                    "known": ", ".join(MODEL_TASKS),
                }
            )
    return problems


def policy_validate(values: dict[str, Any]) -> None:
    """Refuse a policy that names unknown checks, capacities or documentation fields, or
    that could never be satisfied (more required roles than required approvers)."""

    problems = []
    unknown_checks = set(values.get("required_checks", [])) - set(REQUIRABLE_CHECK_KINDS)
    if unknown_checks:
        problems.append(_("unknown check kinds %(kinds)s") % {"kinds": sorted(unknown_checks)})
    applicability = values.get("check_applicability", {})
    problems.extend(_applicability_problems(applicability))
    if isinstance(applicability, dict):
        idle = [
            kind
            for kind in values.get("required_checks", [])
            if isinstance(applicability.get(kind), list) and not applicability[kind]
        ]
        if idle:
            problems.append(
                _(
                    "required checks %(kinds)s apply to no model task: tick the tasks they "
                    "bind, or stop requiring them"
                )
                % {"kinds": idle}
            )
    unknown_roles = set(values.get("approver_roles", [])) - APPROVER_CAPACITIES
    if unknown_roles:
        problems.append(_("unknown approver roles %(roles)s") % {"roles": sorted(unknown_roles)})
    docs = {name for name, _ in DOCUMENTATION_FIELDS}
    unknown_docs = set(values.get("required_documentation", [])) - docs
    if unknown_docs:
        problems.append(
            _("unknown documentation fields %(fields)s") % {"fields": sorted(unknown_docs)}
        )
    relations = values.get("evidence_datasets", [])
    if not isinstance(relations, list) or set(relations) - set(EVIDENCE_RELATION_CHOICES):
        problems.append(
            _("evidence_datasets must list lineage relations among %(relations)s")
            % {"relations": list(EVIDENCE_RELATION_CHOICES)}
        )
    elif values.get("required_checks") and not relations:
        problems.append(_("evidence_datasets may not be empty while checks are required"))
    protected = values.get("protected_attributes", [])
    if not isinstance(protected, list) or not all(
        isinstance(c, str) and c.strip() for c in protected
    ):
        problems.append(_("protected_attributes must be a list of column names"))
    thresholds = values.get("thresholds", {})
    if not isinstance(thresholds, dict) or set(thresholds) - set(REQUIRABLE_CHECK_KINDS):
        problems.append(_("thresholds must map check kinds to their limits"))
    else:
        problems.extend(_threshold_value_problems(thresholds))
    roles = set(values.get("approver_roles", []))
    if values.get("requires_accountable_owner"):
        roles.add(ACCOUNTABLE_OWNER)
    if values.get("submittable") and values.get("approvals_required", 0) < max(len(roles), 1):
        problems.append(_("approvals_required must cover every required approver role (and ≥ 1)"))
    if problems:
        # Each problem is a whole clause, translated on its own.
        raise ServiceError("invalid_policy", "; ".join(problems) + ".")


@transaction.atomic
def policy_update(*, actor: User, policy: Policy, **changes: Any) -> Policy:
    """Change a tier's policy (admins only). Approvals already given keep the version they
    were judged against; new submissions and decisions use the new one."""
    if actor.role != Role.ADMIN:
        raise Forbidden("admin_only", _("Only admins edit policies."))
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ServiceError(
            "read_only_fields",
            _("These fields cannot be changed: %(fields)s") % {"fields": sorted(unknown)},
        )
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    merged = {name: getattr(policy, name) for name in EDITABLE} | changes
    policy_validate(merged)
    diff = {
        name: [getattr(policy, name), value]
        for name, value in changes.items()
        if getattr(policy, name) != value
    }
    if not diff:
        return policy
    for name, (_before, after) in diff.items():
        setattr(policy, name, after)
    policy.version += 1
    policy.updated_by = actor
    policy.save()
    audit_event_record(
        actor=actor,
        action="policy.updated",
        target=policy,
        payload={"tier": policy.tier, "version": policy.version, "changes": diff},
    )
    return policy
