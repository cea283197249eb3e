"""Prompt templates and system prompts: new versions, bindings to model versions, diffs.

A prompt version is never edited: a change is a new number. Binding a model version to
another prompt version is allowed at any status, because prompts are what operators change
in production without retraining anything; on a reviewed version it withdraws the approvals
(``prompt_changed``), exactly as a changed artefact would.
"""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils.translation import gettext as _

from governance.kernel.accounts.models import User
from governance.kernel.audit.services import audit_event_record
from governance.kernel.errors import ServiceError, create_or_conflict
from registry.models import (
    Model,
    ModelVersion,
    PromptBinding,
    PromptRole,
    PromptTemplate,
    PromptVersion,
)
from registry.services.common import require_change
from registry.signals import prompt_changed

MAX_PROMPT_CHARS = 100_000


def prompt_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _check_text(text: str) -> None:
    if not isinstance(text, str) or not text.strip():
        raise ServiceError("empty_prompt", _("The prompt text is empty."))
    if len(text) > MAX_PROMPT_CHARS:
        raise ServiceError(
            "prompt_too_long",
            _("A prompt may hold at most %(limit)s characters.") % {"limit": MAX_PROMPT_CHARS},
        )


def _new_version(*, actor: User, template: PromptTemplate, text: str, note: str) -> PromptVersion:
    latest = template.versions.select_for_update().order_by("-number").first()
    digest = prompt_sha256(text)
    if latest is not None and latest.sha256 == digest:
        raise ServiceError(
            "prompt_unchanged",
            _("The text is the same as version %(number)s of %(name)s.")
            % {"number": latest.number, "name": repr(template.name)},
        )
    version = PromptVersion.objects.create(
        template=template,
        number=(latest.number + 1) if latest else 1,
        text=text,
        sha256=digest,
        note=note,
        created_by=actor,
    )
    audit_event_record(
        actor=actor,
        action="prompt_version.created",
        target=version,
        payload={
            "template": template.pk,
            "name": template.name,
            "number": version.number,
            "sha256": digest,
            "previous_sha256": latest.sha256 if latest else None,
        },
    )
    return version


@transaction.atomic
def prompt_template_create(
    *, actor: User, model: Model, name: str, role: str, text: str, note: str = ""
) -> PromptVersion:
    """A new template of ``model`` with its first version."""
    require_change(actor, model)
    if role not in PromptRole.values:
        raise ServiceError(
            "invalid_role",
            _("role must be one of %(roles)s.") % {"roles": ", ".join(PromptRole.values)},
        )
    _check_text(text)
    template = create_or_conflict(
        PromptTemplate,
        lookup={"model": model, "name": name},
        code="duplicate_prompt",
        message=_("Model %(model)s already has a prompt named %(name)s; add a version.")
        % {"model": repr(model.name), "name": repr(name)},
        role=role,
        created_by=actor,
    )
    audit_event_record(
        actor=actor,
        action="prompt_template.created",
        target=template,
        payload={"model": model.pk, "name": name, "role": role},
    )
    return _new_version(actor=actor, template=template, text=text, note=note)


@transaction.atomic
def prompt_version_add(
    *, actor: User, template: PromptTemplate, text: str, note: str = ""
) -> PromptVersion:
    """The next version of ``template`` (refused when the text did not change)."""
    require_change(actor, template)
    _check_text(text)
    return _new_version(actor=actor, template=template, text=text, note=note)


@transaction.atomic
def model_version_prompt_set(
    *, actor: User, model_version: ModelVersion, prompt_version: PromptVersion
) -> PromptBinding:
    """Run ``model_version`` with ``prompt_version`` (replacing the template's earlier one).

    On a version under review or approved, the change withdraws its approvals."""
    require_change(actor, model_version)
    template = prompt_version.template
    if template.model_id != model_version.model_id:
        raise ServiceError(
            "prompt_other_model",
            _("Prompt %(name)s belongs to another model than %(version)s.")
            % {"name": repr(template.name), "version": model_version},
        )
    binding = (
        PromptBinding.objects.select_for_update()
        .filter(model_version=model_version, template=template)
        .select_related("prompt_version")
        .first()
    )
    previous = binding.prompt_version if binding else None
    if previous is not None and previous.pk == prompt_version.pk:
        return binding
    if binding is None:
        binding = PromptBinding(model_version=model_version, template=template)
    binding.prompt_version = prompt_version
    binding.bound_by = actor
    binding.save()
    audit_event_record(
        actor=actor,
        action="model_version.prompt_set",
        target=model_version,
        payload={
            "template": template.pk,
            "name": template.name,
            "prompt_version": prompt_version.pk,
            "number": prompt_version.number,
            "sha256": prompt_version.sha256,
            "previous_number": previous.number if previous else None,
            "previous_sha256": previous.sha256 if previous else None,
        },
    )
    prompt_changed.send(sender=PromptBinding, binding=binding, previous=previous, actor=actor)
    return binding
