"""The followed MLflow registered models in the browser: every link the user may see with its
last sync and error; data scientists of the model's team (and admins) add links, stop
following and ask for a sync now, through the same services as the API."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from governance.kernel.errors import ServiceError
from governance.kernel.permissions import CHANGE
from governance.kernel.web import render_form
from registry import selectors
from registry.mlflow.services import (
    mlflow_link_create,
    mlflow_link_delete,
    mlflow_link_sync_request,
)

TEMPLATE = "registry/mlflow_links.html"


def _context(request, **extra) -> dict:
    links = list(selectors.mlflow_link_list(actor=request.user).order_by("registered_model"))
    changeable = set(
        selectors.mlflow_link_list(actor=request.user, action=CHANGE).values_list("pk", flat=True)
    )
    models = list(
        selectors.model_list(actor=request.user, action=CHANGE).order_by("system__name", "name")
    )
    return {
        "rows": [{"link": link, "may_change": link.pk in changeable} for link in links],
        "models": models,
        "tracking_uri": settings.MLFLOW_TRACKING_URI,
        "interval": settings.MLFLOW_SYNC_INTERVAL_SECONDS,
        **extra,
    }


@login_required
def mlflow_links_page(request):
    """Followed MLflow registered models (everyone sees those of their teams)."""
    return render_form(request, TEMPLATE, _context(request))


@login_required
@require_POST
def mlflow_link_follow(request):
    model = (
        selectors.model_list(actor=request.user, action=CHANGE)
        .filter(pk=request.POST.get("model") if str(request.POST.get("model")).isdigit() else 0)
        .first()
    )
    name = (request.POST.get("registered_model") or "").strip()
    if model is None:
        error = gettext("Choose one of your team's models.")
        return render_form(request, TEMPLATE, _context(request, error=error, name=name), 400)
    try:
        mlflow_link_create(actor=request.user, model=model, registered_model=name)
    except ServiceError as exc:
        return render_form(
            request, TEMPLATE, _context(request, error=exc.message, name=name), exc.status_code
        )
    messages.success(
        request,
        gettext("%(model)s now follows %(name)s in MLflow.")
        % {"model": model.name, "name": repr(name)},
    )
    return redirect("mlflow-links")


def _link(request, pk: int):
    link = selectors.mlflow_link_list(actor=request.user, action=CHANGE).filter(pk=pk).first()
    if link is None:
        raise Http404
    return link


@login_required
@require_POST
def mlflow_link_unfollow(request, pk: int):
    link = _link(request, pk)
    mlflow_link_delete(actor=request.user, link=link)
    messages.success(
        request,
        gettext("%(model)s no longer follows %(name)s; its imported versions stay.")
        % {"model": link.model.name, "name": repr(link.registered_model)},
    )
    return redirect("mlflow-links")


@login_required
@require_POST
def mlflow_link_sync_now(request, pk: int):
    link = _link(request, pk)
    mlflow_link_sync_request(actor=request.user, link=link)
    messages.success(
        request,
        gettext("A sync of %(name)s was queued.") % {"name": repr(link.registered_model)},
    )
    return redirect("mlflow-links")
