"""Review pages: the queue, and the review, decision and deployment actions of a version.

Views stay thin: they find the object among those the actor may see (404 otherwise), check
the role (403 page), call one service and turn its refusal into a friendly message with the
service's status code. HTMX requests get partials."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from governance.kernel.errors import ServiceError
from governance.kernel.web import forbidden
from governance.policy.deployments.models import Environment
from governance.review.approvals.views import _done, _may_change, _refused, _version_or_404
from governance.review.gate.forms import DeploymentForm
from governance.review.gate.services import deployment_record


@login_required
@require_POST
def model_version_deploy(request, pk: int):
    mv = _version_or_404(request, pk)
    if not _may_change(request.user, mv):
        return forbidden(request, gettext("Only a data scientist of the team records deployments."))
    form = DeploymentForm(request.POST)
    title = gettext("The deployment was not recorded")
    if not form.is_valid():
        message = gettext("Choose an environment: development, test or production.")
        return _refused(request, mv, title, message, [], None)
    env = form.cleaned_data["environment"]
    try:
        deployment_record(
            actor=request.user, model_version=mv, environment=env, notes=form.cleaned_data["notes"]
        )
    except ServiceError as exc:
        reasons = exc.extra.get("reasons", [])
        return _refused(request, mv, title, exc.message, reasons, exc)
    text = gettext("Deployment of %(version)s to %(environment)s recorded.") % {
        "version": mv,
        "environment": gettext(Environment(env).label),
    }
    return _done(request, mv, text)
