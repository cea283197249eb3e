"""Writing the post-market monitoring plan (compliance officers and admins)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from audits.checks.vocabulary import CHECK_KIND_CHOICES, REQUIRABLE_CHECK_KINDS
from governance.kernel.accounts.models import User
from governance.kernel.audit.services import audit_event_record
from governance.kernel.errors import ServiceError, named_value
from governance.obligations.access import require_writer
from governance.obligations.monitoring.models import MonitoringPlan
from registry.models import AISystem


def clean_metrics(metrics: list[dict]) -> list[dict]:
    out = []
    for row in metrics or []:
        kind = str(row.get("check_kind", "")).strip()
        metric = str(row.get("metric", "")).strip()
        raw = row.get("threshold")
        if not kind and not metric and raw in (None, ""):
            continue
        if kind not in REQUIRABLE_CHECK_KINDS:
            raise ServiceError(
                "invalid_check_kind", _("Unknown check kind %(kind)s.") % {"kind": repr(kind)}
            )
        if not metric:
            raise ServiceError(
                "metric_required",
                _("Name the %(kind)s metric the plan watches.")
                % {"kind": named_value(kind, CHECK_KIND_CHOICES)},
            )
        try:
            threshold = None if raw in (None, "") else float(raw)
        except (TypeError, ValueError) as exc:
            raise ServiceError(
                "invalid_threshold", _("%(metric)s: threshold is a number.") % {"metric": metric}
            ) from exc
        out.append({"check_kind": kind, "metric": metric, "threshold": threshold})
    return out


@transaction.atomic
def monitoring_plan_save(
    *,
    actor: User,
    system: AISystem,
    audit_interval_days: int,
    metrics: list[dict],
    objectives: str = "",
    data_sources: str = "",
    escalation: str = "",
) -> MonitoringPlan:
    """Create or replace the plan; each save bumps its version (history keeps the old)."""
    require_writer(
        actor, _("Only compliance officers and admins write the post-market monitoring plan.")
    )
    if audit_interval_days < 1:
        raise ServiceError("invalid_interval", _("The audit interval is at least one day."))
    fields: dict[str, Any] = {
        "audit_interval_days": audit_interval_days,
        "metrics": clean_metrics(metrics),
        "objectives": objectives,
        "data_sources": data_sources,
        "escalation": escalation,
    }
    plan = MonitoringPlan.objects.select_for_update().filter(system=system).first()
    if plan is None:
        plan = MonitoringPlan.objects.create(system=system, updated_by=actor, **fields)
    else:
        changed = [k for k, v in fields.items() if getattr(plan, k) != v]
        if not changed:
            return plan
        for k, v in fields.items():
            setattr(plan, k, v)
        plan.version += 1
        plan.updated_by = actor
        plan.save()
    audit_event_record(
        actor=actor,
        action="monitoring_plan.saved",
        target=plan,
        payload={"version": plan.version, **fields},
    )
    return plan
