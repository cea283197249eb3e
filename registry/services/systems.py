"""Registering and documenting AI systems and models."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from governance.kernel.accounts.models import Role, Team, User
from governance.kernel.audit.services import audit_event_record
from governance.kernel.errors import Conflict, Forbidden, create_or_conflict
from registry.models import AISystem, Model
from registry.models.systems import DOCUMENTATION_FIELDS
from registry.services.common import apply_changes, require_change
from registry.signals import system_documentation_changed

SYSTEM_FIELDS = frozenset(
    {
        "name",
        "description",
        "intended_purpose",
        "deployment_context",
        "provider_name",
        "interactions",
        "distribution_forms",
        "hardware",
        "user_interface",
        "instructions_for_use",
        "human_oversight",
        "risk_management",
        "standards_applied",
        "post_market_plan",
        "declaration_of_conformity",
        "cybersecurity_measures",
        "transparency_notice",
        "design_choices",
        "architecture",
        "data_provenance",
        "accuracy_robustness",
        "human_oversight_measures",
    }
)
DOCUMENTED = frozenset(
    {"description", "human_oversight_measures", *(name for name, _ in DOCUMENTATION_FIELDS)}
)


def _check_team(actor: User, team: Team) -> None:
    if actor.role != Role.ADMIN and team.pk not in actor.team_ids():
        raise Forbidden("not_your_team", _("You can only register objects for your own teams."))


@transaction.atomic
def system_create(*, actor: User, team: Team, name: str, **fields: Any) -> AISystem:
    """Register an AI system for a team the actor belongs to (admins: any team)."""
    _check_team(actor, team)
    unknown = set(fields) - SYSTEM_FIELDS
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    system = create_or_conflict(
        AISystem,
        lookup={"team": team, "name": name},
        code="duplicate_system",
        message=_("Team %(team)s already has a system named %(name)s.")
        % {"team": team.slug, "name": repr(name)},
        created_by=actor,
        **fields,
    )
    audit_event_record(
        actor=actor,
        action="system.created",
        target=system,
        payload={"team": team.slug, "name": name},
    )
    return system


@transaction.atomic
def system_update(*, actor: User, system: AISystem, **changes: Any) -> AISystem:
    """Edit a system's description and documentation; every changed field is audited."""
    require_change(actor, system)
    unknown = set(changes) - SYSTEM_FIELDS
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    system = AISystem.objects.select_for_update().get(pk=system.pk)
    diff = apply_changes(system, changes)
    if diff:
        try:
            with transaction.atomic():
                system.save()
        except IntegrityError as exc:
            raise Conflict(
                "duplicate_system", _("Another system of the team has that name.")
            ) from exc
        audit_event_record(actor=actor, action="system.updated", target=system, payload=diff)
        if set(diff) & DOCUMENTED:
            # The documentation layer keeps numbered revisions of every documentation edit,
            # whichever way it came in.
            system_documentation_changed.send(
                sender=AISystem, system=system, actor=actor, fields=sorted(set(diff) & DOCUMENTED)
            )
    return system


@transaction.atomic
def system_delete(*, actor: User, system: AISystem) -> None:
    """Delete a system that has no models yet; governed history is never thrown away."""
    require_change(actor, system)
    if system.models.exists():
        raise Conflict(
            "system_has_models",
            _("Delete or move its models first; systems with models are part of the record."),
        )
    audit_event_record(
        actor=actor, action="system.deleted", target=system, payload={"name": system.name}
    )
    try:
        with transaction.atomic():
            system.delete()
    except ProtectedError as exc:
        # Records that point at the system (risks, incidents, plans...) are part of the record.
        raise Conflict(
            "system_has_records",
            _("The system has compliance records (risks, incidents, plans); it stays."),
        ) from exc


@transaction.atomic
def model_create(
    *,
    actor: User,
    system: AISystem,
    name: str,
    description: str = "",
    task: str = "binary_classification",
) -> Model:
    require_change(actor, system)
    model = create_or_conflict(
        Model,
        lookup={"system": system, "name": name},
        code="duplicate_model",
        message=_("System %(system)s already has a model named %(name)s.")
        % {"system": repr(system.name), "name": repr(name)},
        description=description,
        task=task,
        created_by=actor,
    )
    audit_event_record(
        actor=actor,
        action="model.created",
        target=model,
        payload={"system": system.pk, "name": name, "task": task},
    )
    return model


@transaction.atomic
def model_update(*, actor: User, model: Model, **changes: Any) -> Model:
    require_change(actor, model)
    allowed = {"name", "description", "task"}
    if set(changes) - allowed:
        raise ValueError(f"unknown fields {sorted(set(changes) - allowed)}")
    model = Model.objects.select_for_update().get(pk=model.pk)
    diff = apply_changes(model, changes)
    if diff:
        try:
            with transaction.atomic():
                model.save()
        except IntegrityError as exc:
            raise Conflict(
                "duplicate_model", _("The system already has a model with that name.")
            ) from exc
        audit_event_record(actor=actor, action="model.updated", target=model, payload=diff)
    return model
