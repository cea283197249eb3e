"""Serious incidents: opening one (by hand or from a finding), reporting it, following up,
and reminding the owner as the legal deadline nears."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from audits.runs.models.findings import Finding
from governance.kernel.accounts.models import User
from governance.kernel.audit.services import audit_event_record
from governance.kernel.errors import Conflict, ServiceError
from governance.kernel.sentences import Moment, Number, Sentence
from governance.obligations.access import require_writer
from governance.obligations.incidents.models import Incident, IncidentFollowUp, IncidentStatus
from governance.obligations.vocab import incident_category, incident_clocks
from governance.policy.notifications.services import notify
from registry.models import AISystem, ModelVersion


def _payload(i: Incident) -> dict:
    return {
        "system": i.system_id,
        "category": i.category,
        "clock_days": i.clock_days,
        "aware_at": i.aware_at,
        "deadline": i.deadline,
        "owner": i.owner.username,
        "finding": i.finding_id,
    }


@transaction.atomic
def incident_open(
    *,
    actor: User,
    system: AISystem,
    title: str,
    description: str,
    category: str,
    owner: User,
    aware_at: datetime | None = None,
    model_version: ModelVersion | None = None,
    finding: Finding | None = None,
) -> Incident:
    """Open an incident; its deadline is the category's day count after ``aware_at``."""
    require_writer(actor, _("Only compliance officers and admins open serious incidents."))
    clock = incident_category(category)
    if clock is None:
        keys = ", ".join(c["key"] for c in incident_clocks()["categories"])
        raise ServiceError(
            "invalid_category",
            _("Unknown category %(category)s; use one of %(categories)s.")
            % {"category": repr(category), "categories": keys},
        )
    now = timezone.now()
    aware_at = aware_at or now
    if aware_at > now:
        raise ServiceError("aware_in_future", _("The provider cannot have become aware later."))
    if model_version is not None and model_version.model.system_id != system.pk:
        raise ServiceError("wrong_system", _("That model version belongs to another system."))
    if not owner.is_active:
        raise ServiceError(
            "inactive_user", _("%(person)s is deactivated.") % {"person": owner.username}
        )
    incident = Incident.objects.create(
        system=system,
        model_version=model_version,
        finding=finding,
        title=title,
        description=description,
        category=category,
        clock_days=clock["days"],
        aware_at=aware_at,
        deadline=aware_at + timedelta(days=clock["days"]),
        owner=owner,
        created_by=actor,
    )
    audit_event_record(
        actor=actor, action="incident.opened", target=incident, payload=_payload(incident)
    )
    return incident


@transaction.atomic
def incident_propose_from_finding(
    *, actor: User, finding: Finding, category: str = "standard", owner: User | None = None
) -> Incident:
    """Open an incident from a high-severity finding, prefilled from it. One incident per
    finding: proposing again answers with the existing one (409)."""
    require_writer(actor, _("Only compliance officers and admins open serious incidents."))
    if finding.severity != "high":
        raise ServiceError("not_high_severity", _("Only high-severity findings become incidents."))
    existing = Incident.objects.filter(finding=finding).first()
    if existing is not None:
        raise Conflict(
            "incident_exists",
            _("Finding %(finding)s already has incident %(incident)s.")
            % {"finding": finding.pk, "incident": existing.pk},
            existing_id=existing.pk,
        )
    mv = finding.model_version
    return incident_open(
        actor=actor,
        system=mv.model.system,
        model_version=mv,
        finding=finding,
        title=f"{finding.code} on {mv.model.name} v{mv.version}"[:200],
        description=finding.message,
        category=category,
        owner=owner or actor,
        aware_at=timezone.now(),
    )


@transaction.atomic
def incident_mark_reported(
    *, actor: User, incident: Incident, authority: str, reported_at: datetime | None = None
) -> Incident:
    require_writer(actor, _("Only compliance officers and admins report serious incidents."))
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.status != IncidentStatus.OPEN:
        raise Conflict("already_reported", _("This incident was already reported."))
    if not authority.strip():
        raise ServiceError("authority_required", _("Name the market surveillance authority."))
    incident.status = IncidentStatus.REPORTED
    incident.authority = authority.strip()[:200]
    incident.reported_at = reported_at or timezone.now()
    incident.reported_by = actor
    incident.save()
    audit_event_record(
        actor=actor,
        action="incident.reported",
        target=incident,
        payload={
            "authority": incident.authority,
            "reported_at": incident.reported_at,
            "late": incident.is_late(),
        },
    )
    return incident


@transaction.atomic
def incident_follow_up(*, actor: User, incident: Incident, text: str) -> IncidentFollowUp:
    require_writer(actor, _("Only compliance officers and admins follow up serious incidents."))
    if not text.strip():
        raise ServiceError("text_required", _("Write what was done."))
    row = IncidentFollowUp.objects.create(incident=incident, text=text.strip(), author=actor)
    audit_event_record(
        actor=actor, action="incident.follow_up", target=incident, payload={"follow_up": row.pk}
    )
    return row


@transaction.atomic
def incident_close(*, actor: User, incident: Incident) -> Incident:
    require_writer(actor, _("Only compliance officers and admins close serious incidents."))
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.status != IncidentStatus.REPORTED:
        raise Conflict("not_reported", _("Report the incident before closing it."))
    incident.status = IncidentStatus.CLOSED
    incident.save()
    audit_event_record(actor=actor, action="incident.closed", target=incident, payload={})
    return incident


def incident_reminders_send(*, now: datetime | None = None) -> int:
    """Notify each open incident's owner once per threshold of ``remind_days_before`` that
    the deadline has come within; returns how many reminders went out."""
    now = now or timezone.now()
    thresholds = sorted(incident_clocks()["remind_days_before"], reverse=True)
    horizon = now + timedelta(days=max(thresholds))
    sent = 0
    ids = Incident.objects.filter(status=IncidentStatus.OPEN, deadline__lte=horizon).values_list(
        "pk", flat=True
    )
    for pk in ids:
        with transaction.atomic():
            incident = Incident.objects.select_for_update().select_related("owner").get(pk=pk)
            days_left = incident.days_left(now)
            due = [t for t in thresholds if days_left <= t and t not in incident.reminders_sent]
            if not due or incident.status != IncidentStatus.OPEN:
                continue
            incident.reminders_sent = sorted({*incident.reminders_sent, *due}, reverse=True)
            incident.save(update_fields=["reminders_sent"])
            deadline = Moment(incident.deadline)
            notify(
                event="incident_deadline",
                target=incident,
                message=Sentence(
                    gettext_noop(
                        "The Art. 73 report of incident “%(title)s” is overdue (%(deadline)s)."
                    ),
                    title=incident.title,
                    deadline=deadline,
                )
                if days_left < 0
                else Sentence(
                    gettext_noop(
                        "The Art. 73 report of incident “%(title)s” is due in %(days)s days "
                        "(%(deadline)s)."
                    ),
                    title=incident.title,
                    days=Number(f"{days_left:.1f}"),
                    deadline=deadline,
                ),
                payload={"incident": incident.pk, "deadline": incident.deadline},
                recipients=[incident.owner],
            )
            audit_event_record(
                actor=None,
                action="incident.reminded",
                target=incident,
                payload={"thresholds": due, "days_left": round(days_left, 2)},
            )
            sent += 1
    return sent
