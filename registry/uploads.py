"""Registering a dataset version or a model version from the browser: the same services and
checks as the API (team and role through the selectors' CHANGE action, the upload size limit
while the file streams to disk or the object store, the format read from the bytes, unique
labels)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from governance.kernel.errors import ServiceError
from governance.kernel.permissions import CHANGE
from governance.kernel.web import render_form
from registry import selectors
from registry.forms import DatasetVersionUploadForm, ModelVersionUploadForm
from registry.services.datasets import dataset_version_register
from registry.services.versions import LineageLink, model_version_register
from registry.storage import HashingUploadHandler


def _too_large(request) -> str | None:
    """The refusal when the body is over the limit (the handler stops reading it)."""
    limit = settings.MAX_UPLOAD_BYTES
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit + 1024 * 1024:
        return gettext("The file is larger than the limit of %(limit)s bytes.") % {"limit": limit}
    return None


def _streamed(view):
    """Files stream to disk while hashed and the size limit holds, as in the API. The CSRF
    check runs after the upload handlers are set (reading the token reads the body), so it
    is still enforced on every post."""

    protected = csrf_protect(login_required(view))

    @csrf_exempt
    def wrapped(request, *args, **kwargs):
        if request.method != "POST":
            return protected(request, *args, **kwargs)
        # Always: the handler stops reading at the limit, so even the CSRF check (which
        # reads the body) never stores more than MAX_UPLOAD_BYTES of an oversize post.
        handler = HashingUploadHandler(request)
        request.upload_handlers = [handler]
        try:
            return protected(request, *args, **kwargs)
        finally:
            # A body cut off mid-file leaves nothing behind on disk or in the object store.
            handler.discard_unfinished()

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _refusal(request) -> tuple[str, int] | None:
    message = _too_large(request)
    if message is None:
        request.FILES  # noqa: B018  (reads the body: the handler notes an oversize file)
    if message is None and getattr(request, "upload_too_large", False):
        message = gettext("The file is larger than the limit of %(limit)s bytes.") % {
            "limit": settings.MAX_UPLOAD_BYTES
        }
    return (message, 413) if message else None


@_streamed
def dataset_version_upload(request, pk: int):
    """A new version of a dataset (data scientists of its team, admins)."""
    dataset = selectors.dataset_list(actor=request.user, action=CHANGE).filter(pk=pk).first()
    if dataset is None:
        raise Http404
    template = "registry/dataset_version_upload.html"
    refused = _refusal(request) if request.method == "POST" else None
    form = DatasetVersionUploadForm(
        None if refused else (request.POST or None), None if refused else (request.FILES or None)
    )
    context = {"form": form, "dataset": dataset, "limit": settings.MAX_UPLOAD_BYTES}
    if refused:
        context["error"] = refused[0]
        return render_form(request, template, context, refused[1])
    if request.method != "POST":
        return render_form(request, template, context)
    if not form.is_valid():
        return render_form(request, template, context, 400)
    data = form.cleaned_data
    try:
        dv = dataset_version_register(
            actor=request.user,
            dataset=dataset,
            version=data["version"],
            data_file=data["file"],
            description=data["description"],
            sheet=data["sheet"],
        )
    except ServiceError as exc:
        context["error"] = exc.message
        return render_form(request, template, context, exc.status_code)
    return redirect("dataset-version", dv.pk)


@_streamed
def model_version_upload(request, pk: int):
    """A new version of a model, with the dataset versions it was trained, validated and
    tested on (data scientists of its team, admins)."""
    model = selectors.model_list(actor=request.user, action=CHANGE).filter(pk=pk).first()
    if model is None:
        raise Http404
    template = "registry/model_version_upload.html"
    datasets = list(
        selectors.dataset_version_list(actor=request.user).order_by("dataset__name", "-created_at")
    )
    refused = _refusal(request) if request.method == "POST" else None
    form = ModelVersionUploadForm(
        None if refused else (request.POST or None),
        None if refused else (request.FILES or None),
        dataset_versions=datasets,
    )
    context = {"form": form, "model": model, "limit": settings.MAX_UPLOAD_BYTES}
    if refused:
        context["error"] = refused[0]
        return render_form(request, template, context, refused[1])
    if request.method != "POST":
        return render_form(request, template, context)
    if not form.is_valid():
        return render_form(request, template, context, 400)
    data = form.cleaned_data
    by_pk = {dv.pk: dv for dv in datasets}
    lineage = [LineageLink(kind, dataset_version=by_pk[pk]) for kind, pk in form.lineage()]
    try:
        mv = model_version_register(
            actor=request.user,
            model=model,
            version=data["version"],
            artefact=data["artefact"],
            description=data["description"],
            code_commit=data["code_commit"],
            lineage=lineage,
        )
    except ServiceError as exc:
        context["error"] = exc.message
        return render_form(request, template, context, exc.status_code)
    return redirect("model-version", mv.pk)
