"""Review pages: the queue, and the review, decision and deployment actions of a version.

Views stay thin: they find the object among those the actor may see (404 otherwise), check
the role (403 page), call one service and turn its refusal into a friendly message with the
service's status code. HTMX requests get partials."""

from __future__ import annotations

import hashlib
import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from governance.kernel.accounts.mfa.services import (
    signing_methods,
    step_up_clear,
    step_up_current,
)
from governance.kernel.accounts.models import Role
from governance.kernel.audit.services import canonical_json
from governance.kernel.errors import ServiceError
from governance.kernel.web import forbidden, is_htmx, render_form
from governance.policy.deployments.models import Environment
from governance.policy.deployments.selectors import deployment_list
from governance.policy.policies.models import POLICY_TIERS
from governance.review.approvals.forms import DecisionForm
from governance.review.approvals.models import DecisionKind
from governance.review.approvals.selectors import decision_list
from governance.review.approvals.services import (
    SUBMITTABLE_STATUSES,
    model_version_submit,
    review_decide,
)
from governance.review.evaluation import (
    CAPACITY_LABELS,
    EVIDENCE,
    SUBMISSION,
    Evaluation,
    evaluate,
    gate,
    governance_summary,
)
from registry.models import DatasetVersion, ModelVersion, VersionStatus
from registry.selectors import model_version_list


def _version_or_404(request, pk: int) -> ModelVersion:

    mv = model_version_list(actor=request.user).filter(pk=pk).first()
    if mv is None:
        raise Http404
    return mv


def _may_change(user, mv: ModelVersion) -> bool:
    return (
        user.role == Role.DATA_SCIENTIST
        and ModelVersion.objects.visible_to(user, "change").filter(pk=mv.pk).exists()
    )


def evidence_digest(evidence: dict) -> str:
    """Fingerprint of what the reviewer was shown, so a signature never covers evidence that
    changed between reading the page and signing."""
    return hashlib.sha256(canonical_json(evidence).encode()).hexdigest()


def _can_decide(user, ev: Evaluation) -> bool:
    review = ev.review
    return (
        bool(ev.capacities(user))
        and user.pk not in ev.builder_ids
        and ev.model_version.status == VersionStatus.IN_REVIEW
        and review is not None
        and review.status == "open"
        and not review.decisions.filter(reviewer_id=user.pk).exists()
    )


# --- the model version page's review and deployment panel -----------------------------------
def _panel_context(request, mv: ModelVersion, ev: Evaluation | None = None) -> dict:
    user = request.user
    ev = ev or evaluate(mv)
    may_change = _may_change(user, mv)
    return {
        "mv": mv,
        "ev_tier": ev.tier,
        "review": ev.review,
        "can_submit": may_change and mv.status in SUBMITTABLE_STATUSES,
        "submit_blockers": ev.reasons(SUBMISSION),
        "evidence_gaps": ev.reasons(EVIDENCE),
        "can_decide": _can_decide(user, ev),
        "capacities": capacity_labels(ev.capacities(user)),
        "decisions": decision_list(actor=user, model_version_id=mv.pk),
        "deployments": deployment_list(actor=user, model_version_id=mv.pk)[:20],
        "gates": [gate(mv, environment=env) for env in Environment.values],
        "environments": Environment.choices,
        "can_deploy": may_change,
        "decision_kinds": DecisionKind.choices,
    }


def capacity_labels(capacities: list[str]) -> list[str]:
    return [gettext(CAPACITY_LABELS.get(c, c.replace("_", " "))) for c in capacities]


def review_sections(request, mv: ModelVersion) -> dict:
    """Pieces for the registry's model version page: header actions, the review panel and
    the tier's label for the governance panel."""
    context = _panel_context(request, mv)
    return {
        "tier_label": gettext(dict(POLICY_TIERS).get(context["ev_tier"], context["ev_tier"])),
        "actions_html": render_to_string(
            "governance/partials/review_actions.html", context, request=request
        ),
        "review_html": render_to_string(
            "governance/partials/review_panel.html", context, request=request
        ),
    }


def _back(mv: ModelVersion) -> str:
    return reverse("model-version", args=[mv.pk])


def _done(request, mv: ModelVersion, text: str):
    messages.success(request, text)
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = _back(mv)
        return response
    return redirect(_back(mv))


def _refused(request, mv, title: str, message: str, reasons: list, exc: ServiceError | None):
    context = {"mv": mv, "title": title, "message": message, "reasons": reasons}
    template = "governance/partials/refused.html" if is_htmx(request) else "governance/refused.html"
    return render_form(request, template, context, exc.status_code if exc else 400)


@login_required
@require_POST
def model_version_submit_view(request, pk: int):
    mv = _version_or_404(request, pk)
    if not _may_change(request.user, mv):
        return forbidden(request, gettext("Only a data scientist of the team submits versions."))
    try:
        model_version_submit(actor=request.user, model_version=mv)
    except ServiceError as exc:
        reasons = exc.extra.get("reasons", [])
        message = gettext("The version cannot be submitted yet:") if reasons else exc.message
        title = gettext("The version was not submitted")
        return _refused(request, mv, title, message, reasons, exc)
    return _done(request, mv, gettext("%(version)s was submitted for review.") % {"version": mv})


def _decision_context(request, mv: ModelVersion, ev: Evaluation, form: DecisionForm) -> dict:
    evidence = ev.evidence
    dataset_ids = [d["dataset_version"] for d in evidence.get("datasets", [])]
    names = {
        dv.pk: f"{dv.dataset.name} v{dv.version}"
        for dv in DatasetVersion.objects.filter(pk__in=dataset_ids).select_related("dataset")
    }
    decision = form["decision"].value()
    if decision not in DecisionKind.values:
        decision = DecisionKind.APPROVE
    return {
        "mv": mv,
        "form": form,
        "decision": decision,
        "decision_label": gettext(DecisionKind(decision).label),
        "is_approval": decision == DecisionKind.APPROVE,
        "evidence": evidence,
        "datasets": [
            {**d, "label": names.get(d["dataset_version"], "")}
            for d in evidence.get("datasets", [])
        ],
        "digest": evidence_digest(evidence),
        # Fresh element ids on every render: htmx copies attributes between elements that
        # keep their id across a swap, and copying a browser-added style="" breaks the CSP.
        "uid": secrets.token_hex(4),
        "blockers": ev.reasons(SUBMISSION, EVIDENCE),
        "capacities": capacity_labels(ev.capacities(request.user)),
        "signing_methods": signing_methods(request.user),
        "only_step_up": ["oidc_step_up"],
        "step_up": step_up_current(request.session, user=request.user),
    }


PENDING = "pending_decision"


def _start_step_up(request, mv: ModelVersion, form: DecisionForm):
    """Keep what the reviewer typed, then send them to the identity provider to sign in again;
    they come back to this form with the proof in their session."""
    request.session[PENDING] = {
        "model_version": mv.pk,
        "decision": form.cleaned_data["decision"],
        "comment": form.cleaned_data["comment"],
    }
    back = reverse("model-version-decide", args=[mv.pk]) + "?decision=approve&resume=1"
    target = reverse("sso-step-up") + "?" + urlencode({"next": back})
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


@login_required
def model_version_decide(request, pk: int):
    """The decision form; approving shows the evidence being signed and asks the reviewer to
    prove who they are again: re-authenticating at the identity provider, an authenticator
    code, or (local accounts without one) their password."""
    mv = _version_or_404(request, pk)
    user = request.user
    if user.role not in (Role.COMPLIANCE_OFFICER, Role.ADMIN, Role.DATA_SCIENTIST):
        return forbidden(request, gettext("Auditors read; they do not decide on versions."))
    if request.method == "GET" and request.GET.get("close"):
        return HttpResponse("")
    ev = evaluate(mv)
    if not ev.capacities(user):
        return forbidden(
            request,
            gettext(
                "Only compliance officers and the accountable owner (RACI A) decide on versions."
            ),
        )
    template = (
        "governance/partials/decision_dialog.html" if is_htmx(request) else "governance/decide.html"
    )
    if request.method == "GET":
        form = DecisionForm(initial={"decision": request.GET.get("decision", "approve")})
        pending = request.session.get(PENDING) or {}
        if request.GET.get("resume") and pending.get("model_version") == mv.pk:
            form = DecisionForm(
                initial={"decision": pending["decision"], "comment": pending["comment"]}
            )
        if request.GET.get("decision") not in (*DecisionKind.values, None):
            form = DecisionForm(initial={"decision": DecisionKind.APPROVE})
        return render(request, template, _decision_context(request, mv, ev, form))
    if request.method != "POST":
        return HttpResponse(status=405)
    form = DecisionForm(request.POST)
    context = _decision_context(request, mv, ev, form)
    if not form.is_valid():
        return render_form(request, template, context, 400)
    if (
        form.cleaned_data["decision"] == DecisionKind.APPROVE
        and request.POST.get("evidence_digest") != context["digest"]
    ):
        context["error"] = gettext(
            "The evidence changed while you were reading it. Check what is listed now and "
            "sign again."
        )
        return render_form(request, template, context, 409)
    approving = form.cleaned_data["decision"] == DecisionKind.APPROVE
    step_up = None
    if approving and form.cleaned_data["step_up"] == "start":
        return _start_step_up(request, mv, form)
    if approving and form.cleaned_data["step_up"] == "use":
        step_up = step_up_current(request.session, user=user)
        if step_up is None:
            context["error"] = gettext("Your re-authentication expired; confirm who you are again.")
            return render_form(request, template, context, 403)
    try:
        review_decide(
            actor=user,
            model_version=mv,
            decision=form.cleaned_data["decision"],
            comment=form.cleaned_data["comment"].strip(),
            password=form.cleaned_data["password"] or None,
            totp_code=form.cleaned_data["totp_code"] or None,
            step_up=step_up,
        )
    except ServiceError as exc:
        context["error"] = exc.message
        context["reasons"] = exc.extra.get("reasons", [])
        return render_form(request, template, context, exc.status_code)
    if step_up is not None:
        # One re-authentication signs one decision.
        step_up_clear(request.session)
    request.session.pop(PENDING, None)
    mv.refresh_from_db()
    label = gettext(DecisionKind(form.cleaned_data["decision"]).label).lower()
    text = gettext(
        "Your decision (%(decision)s) was signed and recorded. %(version)s is now %(status)s."
    ) % {"decision": label, "version": mv, "status": gettext(mv.get_status_display()).lower()}
    return _done(request, mv, text)


def version_page_panels(*, request, model_version: ModelVersion) -> dict:
    """The review layer's part of the registry's model version page: requirements and gate
    (``governance``), header actions and the review panel."""
    return {
        "governance": governance_summary(actor=request.user, model_version=model_version),
        **review_sections(request, model_version),
    }
