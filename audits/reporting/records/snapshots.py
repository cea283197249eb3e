"""Plain-JSON snapshots of single AI Act records, the input of their PDFs.

Everything a PDF shows is in its snapshot, so the document depends on the record as it stood
when it was generated and its input hash identifies that state.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from audits.reporting.snapshot import classification_block, finalize, generated_by
from governance.kernel.accounts.models import User
from governance.kernel.languages import language_or_default
from governance.obligations.conformity.models import DerogationCondition
from governance.obligations.incidents.models import IncidentStatus
from governance.obligations.vocab import incident_category, rights_labels

TEMPLATE_VERSION = "2026.12-records-3"


def person(user: User | None) -> dict[str, str]:
    if user is None:
        return {"name": "", "username": "", "email": ""}
    return {
        "name": user.get_full_name() or user.username,
        "username": user.username,
        "email": user.email or "",
    }


def iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _base(kind: str, title: str, system, actor: User, at: datetime) -> dict[str, Any]:
    return {
        "kind": kind,
        "title": title,
        "system": {
            "id": system.pk,
            "name": system.name,
            "team": system.team.name,
            "provider_name": system.provider_name,
            "intended_purpose": system.intended_purpose,
        },
        "classification": classification_block(system),
        "generated_at": iso(at),
        "generated_by": generated_by(actor),
        "template_version": TEMPLATE_VERSION,
        # Rendered in the language active while the snapshot is built (records_pdf).
        "language": language_or_default(get_language()),
    }


def deadline_verdict(incident, at: datetime) -> dict[str, str]:
    """Whether the Art. 73 deadline was met, as of ``at``."""
    if incident.reported_at is not None:
        late = incident.reported_at > incident.deadline
        hours = abs((incident.reported_at - incident.deadline).total_seconds()) / 3600
        return {
            "state": "missed" if late else "met",
            "text": (
                _("Missed: reported %(hours)s hours after the deadline")
                if late
                else _("Met: reported %(hours)s hours before the deadline")
            )
            % {"hours": number_format(hours, 1)},
        }
    if at > incident.deadline:
        return {"state": "missed", "text": _("Missed: not reported and the deadline has passed")}
    days = (incident.deadline - at).total_seconds() / 86400
    return {
        "state": "pending",
        "text": _("Not reported yet: %(days)s days left") % {"days": number_format(days, 1)},
    }


def incident_snapshot(*, incident, actor: User, at: datetime) -> dict[str, Any]:
    category = incident_category(incident.category) or {}
    mv = incident.model_version
    finding = incident.finding
    s = _base(
        "incident",
        _("Serious incident report: %(title)s") % {"title": incident.title},
        incident.system,
        actor,
        at,
    )
    s["incident"] = {
        "id": incident.pk,
        "title": incident.title,
        "description": incident.description,
        "category": incident.category,
        "category_label": category.get("label", incident.category),
        "article": category.get("article", "Art. 73"),
        "clock_days": incident.clock_days,
        "aware_at": iso(incident.aware_at),
        "opened_at": iso(incident.created_at),
        "deadline": iso(incident.deadline),
        "status": incident.status,
        "status_label": IncidentStatus(incident.status).label,
        "authority": incident.authority,
        "reported_at": iso(incident.reported_at),
        "reported_by": person(incident.reported_by),
        "owner": person(incident.owner),
        "opened_by": person(incident.created_by),
        "deadline_verdict": deadline_verdict(incident, at),
        "model_version": (
            {"model": mv.model.name, "version": mv.version, "status": mv.status} if mv else None
        ),
        "finding": (
            {
                "id": finding.pk,
                "code": finding.code,
                "severity": finding.severity,
                "message": finding.message,
                "created_at": iso(finding.created_at),
            }
            if finding
            else None
        ),
        "follow_ups": [
            {"at": iso(f.created_at), "by": person(f.author), "text": f.text}
            for f in incident.follow_ups.select_related("author").order_by("created_at", "id")
        ],
    }
    return finalize(s)


def fria_snapshot(*, revision, actor: User, at: datetime) -> dict[str, Any]:
    labels = rights_labels()
    s = _base(
        "fria",
        _("Fundamental rights impact assessment, revision %(number)s")
        % {"number": revision.number},
        revision.system,
        actor,
        at,
    )
    latest = type(revision).objects.filter(system=revision.system).order_by("-number").first()
    s["fria"] = {
        "id": revision.pk,
        "number": revision.number,
        "latest_number": latest.number if latest else revision.number,
        "author": person(revision.author),
        "created_at": iso(revision.created_at),
        "note": revision.note,
        "elements": revision.elements(),
        "rights": [labels.get(k, k) for k in revision.rights_at_stake],
        "missing": revision.missing(),
        "history": [
            {"number": r.number, "by": person(r.author), "at": iso(r.created_at), "note": r.note}
            for r in type(revision)
            .objects.filter(system=revision.system, number__lte=revision.number)
            .select_related("author")
            .order_by("number")
        ],
    }
    return finalize(s)


def declaration_snapshot(*, declaration, actor: User, at: datetime) -> dict[str, Any]:
    d = declaration
    mv = d.model_version
    s = _base("declaration", _("EU declaration of conformity"), d.system, actor, at)
    s["declaration"] = {
        "id": d.pk,
        "number": d.number,
        "status": d.status,
        "provider_name": d.provider_name,
        "provider_address": d.provider_address,
        "system_reference": d.system_reference,
        "model_version": {"model": mv.model.name, "version": mv.version} if mv else None,
        "other_union_law": d.other_union_law,
        "processes_personal_data": d.processes_personal_data,
        "standards": d.standards,
        "notified_body": d.notified_body,
        "signatory_name": d.signatory_name,
        "signatory_function": d.signatory_function,
        "on_behalf_of": d.on_behalf_of,
        "place_of_issue": d.place_of_issue,
        "signed_at": iso(d.signed_at),
        "signed_by": person(d.signed_by),
        "missing": d.missing(),
    }
    derogations = [
        {
            "at": iso(x.created_at),
            "by": person(x.assessed_by),
            "area": x.annex_iii_area,
            "conditions": [dict(DerogationCondition.choices)[c] for c in x.conditions],
            "applies": x.applies,
        }
        for x in d.system.derogations.select_related("assessed_by").order_by("created_at", "id")
    ]
    s["derogations"] = derogations
    return finalize(s)


def registration_snapshot(*, data: dict, system, actor: User, at: datetime) -> dict[str, Any]:
    s = _base("registration", _("EU database registration data (Annex VIII)"), system, actor, at)
    s["registration"] = {k: v for k, v in data.items() if k != "assembled_at"}
    return finalize(s)


def soa_snapshot(*, coverage: dict, system, actor: User, at: datetime) -> dict[str, Any]:
    """The Statement of Applicability: every control of the framework, whether it applies
    (with the recorded justification), its implementation state and the evidence."""
    title = _("Statement of Applicability (%(framework)s)") % {
        "framework": coverage["framework_label"]
    }
    s = _base("soa", title, system, actor, at)
    s["soa"] = {
        "framework": coverage["framework"],
        "framework_label": coverage["framework_label"],
        "current_version": coverage["current_version"],
        "totals": coverage["totals"],
        "controls": [
            {
                "ref": c["ref"],
                "group": c["group"],
                "group_title": c["group_title"],
                "title": c["title"],
                "applicable": c["applicable"],
                "justification": c["justification"],
                "decided_by": c["decided_by"],
                "decided_at": c["decided_at"][:10],
                "state": c["state"],
                "state_label": c["state_label"],
                "evidence": [
                    {"label": e["label"], "state": e["state"], "summary": e["summary"]}
                    for e in c["evidence"]
                ],
                "missing": c["missing"],
            }
            for c in coverage["controls"]
        ],
    }
    return finalize(s)
