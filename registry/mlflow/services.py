"""Importing MLflow model versions, and following MLflow registered models.

An import reads the version, its run and its model directory over the MLflow REST API
(``registry.mlflow.rest``) and registers one of our model versions from them:

* the artefact: the model file of the best flavour logged (ONNX, then skops, native XGBoost
  JSON/UBJ and LightGBM text, and only then a pickle, which is recorded as unsafe like any
  pickle), registered by ``mlflow://`` URI, so the worker fetches, hashes and recognises it;
* the run's params as hyperparameters, its metrics (latest values) as declared metrics, its
  ``mlflow.source.git.commit`` tag as the code commit, the model's requirements.txt,
  conda.yaml and python_env.yaml as the environment lock;
* the run's logged input datasets as lineage: each a dataset version of the model's team
  known by name and digest (a reference, no data held), ``trained_on`` for the "training"
  context, ``validated_on``/``tested_on`` for validation and test contexts.

Importing the same MLflow version into the same model again returns the existing version.
Every import is an audit event (``model_version.imported_from_mlflow``).
"""

from __future__ import annotations

import base64
import hmac
import json
import logging
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import yaml
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from governance.kernel.accounts.models import User
from governance.kernel.audit.services import audit_event_record
from governance.kernel.errors import ServiceError, create_or_conflict
from governance.kernel.jobs.models import BackgroundJob
from governance.kernel.jobs.services import job_enqueue, job_succeed, tracked_job
from governance.kernel.languages import DEFAULT_LANGUAGE
from registry.mlflow.rest import MlflowError, MlflowServer
from registry.models import EdgeKind, MlflowImport, MlflowLink, Model, ModelVersion
from registry.services.common import require_change
from registry.services.datasets import dataset_version_reference_ensure
from registry.services.versions import LineageLink, model_version_register_reference

logger = logging.getLogger(__name__)

ENVIRONMENT_FILES = ("requirements.txt", "conda.yaml", "python_env.yaml")
COMMIT_RE = re.compile(r"^[0-9a-fA-F]{7,64}\Z")
LABEL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}\Z")
CONTEXT_KINDS = {
    "training": EdgeKind.TRAINED_ON,
    "train": EdgeKind.TRAINED_ON,
    "validation": EdgeKind.VALIDATED_ON,
    "eval": EdgeKind.VALIDATED_ON,
    "evaluation": EdgeKind.VALIDATED_ON,
    "testing": EdgeKind.TESTED_ON,
    "test": EdgeKind.TESTED_ON,
}


def _service_error(exc: MlflowError) -> ServiceError:
    if exc.code in ("mlflow_not_found", "mlflow_not_configured"):
        return ServiceError(exc.code, exc.message)
    return ServiceError(exc.code, exc.message, status_code=502)


@dataclass(frozen=True)
class ModelFile:
    path: str  # relative to the model directory
    flavour: str


def choose_model_file(mlmodel: dict[str, Any]) -> ModelFile | None:
    """The file of the safest flavour logged, or None when no flavour names a file."""
    flavours = mlmodel.get("flavors") or {}
    onnx = flavours.get("onnx") or {}
    sklearn = flavours.get("sklearn") or {}
    xgboost = flavours.get("xgboost") or {}
    lightgbm = flavours.get("lightgbm") or {}
    pyfunc = flavours.get("python_function") or {}
    candidates = [
        ("onnx", onnx.get("data")),
        (
            "sklearn",
            sklearn.get("pickled_model")
            if sklearn.get("serialization_format") == "skops"
            else None,
        ),
        (
            "xgboost",
            xgboost.get("data") if xgboost.get("model_format") in ("json", "ubj") else None,
        ),
        ("lightgbm", lightgbm.get("data")),
        ("xgboost", xgboost.get("data")),
        ("sklearn", sklearn.get("pickled_model")),
        ("python_function", pyfunc.get("data") or pyfunc.get("model_path")),
    ]
    for flavour, path in candidates:
        if isinstance(path, str) and path and ".." not in path.split("/"):
            return ModelFile(path.strip("/"), flavour)
    return None


def artifact_path(uri: str) -> str:
    """The artifact-proxy path of an ``mlflow-artifacts:`` URI; refused for other stores."""
    if not uri.startswith("mlflow-artifacts:"):
        raise ServiceError(
            "mlflow_artifacts_not_proxied",
            _(
                "The model's artifacts are at %(uri)s, outside the MLflow server's artifact "
                "proxy (mlflow-artifacts:); run the server with artifact serving, or register "
                "the artefact by its URI instead."
            )
            % {"uri": uri},
        )
    return urlsplit(uri).path.strip("/")


def _model_directory(server: MlflowServer, version: dict[str, Any], run: dict[str, Any]) -> str:
    source = version.get("source") or ""
    if source.startswith("models:/"):
        model_id = source.removeprefix("models:/").strip("/")
        info = (server.logged_model(model_id).get("info")) or {}
        return artifact_path(info.get("artifact_uri") or "")
    if source.startswith("runs:/"):
        _run_id, _slash, sub = source.removeprefix("runs:/").partition("/")
        base = artifact_path((run.get("info") or {}).get("artifact_uri") or "")
        return f"{base}/{sub.strip('/')}" if sub else base
    return artifact_path(source)


def _value(text: str) -> Any:
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return text
    return value if isinstance(value, (int, float, bool)) else text


def _environment_lock(server: MlflowServer, directory: str, names: set[str]) -> str:
    parts = []
    for name in ENVIRONMENT_FILES:
        if name in names:
            text = server.read_small_artifact(f"{directory}/{name}").decode("utf-8", "replace")
            parts.append(f"# {name}\n{text.rstrip()}\n")
    return "\n".join(parts)


def _dataset_links(
    *, actor: User, model: Model, run: dict[str, Any]
) -> tuple[list[LineageLink], list[dict[str, Any]]]:
    links, recorded = [], []
    for item in (run.get("inputs") or {}).get("dataset_inputs") or []:
        dataset = item.get("dataset") or {}
        name, digest = dataset.get("name") or "", dataset.get("digest") or ""
        if not name or not digest:
            continue
        tags = {t.get("key"): t.get("value") for t in item.get("tags") or []}
        context = (tags.get("mlflow.data.context") or "").lower()
        kind = CONTEXT_KINDS.get(context, EdgeKind.TRAINED_ON)
        source = dataset.get("source") or ""
        try:
            parsed = json.loads(source)
            source_uri = parsed.get("uri") or parsed.get("url") or source
        except (ValueError, AttributeError):
            source_uri = source
        dv = dataset_version_reference_ensure(
            actor=actor,
            team=model.system.team,
            name=name,
            digest=digest,
            source_uri=str(source_uri),
            source_type=dataset.get("source_type") or "",
            description=f"Logged as an MLflow input ({context or 'no context'}).",
        )
        if all(link.dataset_version != dv or link.kind != kind for link in links):
            links.append(LineageLink(kind, dataset_version=dv))
        recorded.append({"name": name, "digest": digest, "context": context, "id": dv.pk})
    return links, recorded


def mlflow_version_import(
    *,
    actor: User,
    model: Model,
    registered_model: str,
    version: str,
    label: str = "",
    server: MlflowServer | None = None,
) -> tuple[ModelVersion, bool]:
    """Import MLflow ``registered_model`` version ``version`` as a version of ``model``.

    Returns the version and whether it was created (False: imported before, returned as it
    is). The artefact is fetched and verified by the worker afterwards (pending until then).
    """
    require_change(actor, model)
    version = str(version).strip()
    label = (label or version).strip()
    if not LABEL_RE.match(label):
        raise ServiceError(
            "invalid_label", _("%(label)s is not a valid version label.") % {"label": repr(label)}
        )
    previous = (
        MlflowImport.objects.filter(
            model=model, registered_model=registered_model, mlflow_version=version
        )
        .select_related("model_version")
        .first()
    )
    if previous is not None:
        return previous.model_version, False
    try:
        server = server or MlflowServer()
        mlflow_version = server.model_version(registered_model, version)
        if (mlflow_version.get("status") or "READY") != "READY":
            raise ServiceError(
                "mlflow_version_not_ready",
                _(
                    "MLflow version %(version)s of %(name)s is %(status)s; import it once it is "
                    "READY."
                )
                % {
                    "version": version,
                    "name": repr(registered_model),
                    "status": mlflow_version.get("status"),
                },
            )
        run_id = mlflow_version.get("run_id") or ""
        run = server.run(run_id) if run_id else {}
        directory = _model_directory(server, mlflow_version, run)
        names = {f.get("path", "").rsplit("/", 1)[-1] for f in server.list_artifacts(directory)}
        if "MLmodel" not in names:
            raise ServiceError(
                "mlflow_no_mlmodel",
                _("The model directory %(directory)s holds no MLmodel file.")
                % {"directory": directory},
            )
        try:
            mlmodel = yaml.safe_load(server.read_small_artifact(f"{directory}/MLmodel")) or {}
        except yaml.YAMLError as exc:
            raise ServiceError("mlflow_bad_mlmodel", _("The MLmodel file is not YAML.")) from exc
        chosen = choose_model_file(mlmodel if isinstance(mlmodel, dict) else {})
        if chosen is None:
            raise ServiceError(
                "mlflow_no_model_file", _("No flavour of the MLflow model names a model file.")
            )
        environment_lock = _environment_lock(server, directory, names)
    except MlflowError as exc:
        raise _service_error(exc) from exc
    data = run.get("data") or {}
    hyperparameters = {p["key"]: _value(p.get("value")) for p in data.get("params") or []}
    metrics = {m["key"]: m.get("value") for m in data.get("metrics") or []}
    tags = {t["key"]: t.get("value") for t in data.get("tags") or []}
    commit = tags.get("mlflow.source.git.commit") or ""
    flavours = sorted((mlmodel.get("flavors") or {}).keys())
    origin = {
        "registered_model": registered_model,
        "version": version,
        "run_id": run_id,
        "source": mlflow_version.get("source") or "",
        "artefact_path": f"{directory}/{chosen.path}",
        "flavour": chosen.flavour,
        "flavours": flavours,
    }
    with transaction.atomic():
        links, datasets = _dataset_links(actor=actor, model=model, run=run)
        description = (mlflow_version.get("description") or "").strip() or (
            f"Imported from MLflow: {registered_model} version {version}."
        )
        mv = model_version_register_reference(
            actor=actor,
            model=model,
            version=label,
            artefact_uri=f"mlflow://{directory}/{chosen.path}",
            description=description,
            hyperparameters=hyperparameters,
            declared_metrics=metrics,
            code_commit=commit if COMMIT_RE.match(commit) else "",
            environment_lock=environment_lock,
            lineage=links,
            audit_payload={"mlflow": origin},
        )
        try:
            with transaction.atomic():
                MlflowImport.objects.create(
                    model_version=mv,
                    model=model,
                    registered_model=registered_model,
                    mlflow_version=version,
                    run_id=run_id,
                    source=origin["source"][:2000],
                    artefact_path=origin["artefact_path"][:2000],
                    flavours=flavours,
                    imported_by=actor,
                )
        except IntegrityError as exc:
            raise ServiceError(
                "mlflow_import_in_progress",
                _("This MLflow version is being imported by another request; try again."),
                status_code=409,
            ) from exc
        audit_event_record(
            actor=actor,
            action="model_version.imported_from_mlflow",
            target=mv,
            payload={**origin, "datasets": datasets, "code_commit": commit},
        )
    return mv, True


@transaction.atomic
def mlflow_link_create(*, actor: User, model: Model, registered_model: str) -> MlflowLink:
    """Follow ``registered_model``: the periodic sync imports its new versions into ``model``."""
    require_change(actor, model)
    registered_model = registered_model.strip()
    if not registered_model or len(registered_model) > 256:
        raise ServiceError("invalid_name", _("Name the MLflow registered model (256 characters)."))
    link = create_or_conflict(
        MlflowLink,
        lookup={"model": model, "registered_model": registered_model},
        code="duplicate_link",
        message=_("Model %(model)s already follows %(name)s.")
        % {"model": repr(model.name), "name": repr(registered_model)},
        created_by=actor,
    )
    audit_event_record(
        actor=actor,
        action="mlflow_link.created",
        target=model,
        payload={"link": link.pk, "registered_model": registered_model},
    )
    return link


def mlflow_link_sync(*, link: MlflowLink, server: MlflowServer | None = None) -> list[int]:
    """Import every READY version of the link's registered model not imported yet, as the
    person who created the link (so their rights still apply). Returns the new version ids.

    The refusals met on the way become the link's recorded error, in English even when the
    sync runs inside a request (eager tasks, in development)."""
    with translation.override(DEFAULT_LANGUAGE):
        return _sync(link, server)


def _sync(link: MlflowLink, server: MlflowServer | None) -> list[int]:
    imported = set(
        MlflowImport.objects.filter(
            model=link.model, registered_model=link.registered_model
        ).values_list("mlflow_version", flat=True)
    )
    created: list[int] = []
    error = ""
    try:
        server = server or MlflowServer()
        versions = server.model_versions(link.registered_model)
        for row in sorted(versions, key=lambda r: int(r.get("version") or 0)):
            number = str(row.get("version"))
            if number in imported or row.get("status", "READY") != "READY":
                continue
            try:
                mv, was_created = mlflow_version_import(
                    actor=link.created_by,
                    model=link.model,
                    registered_model=link.registered_model,
                    version=number,
                    server=server,
                )
            except ServiceError as exc:
                error = f"version {number}: {exc.message}"
                logger.warning("mlflow sync of %s: %s", link, error)
                continue
            if was_created:
                created.append(mv.pk)
    except MlflowError as exc:
        error = exc.message
    except ServiceError as exc:
        error = exc.message
    MlflowLink.objects.filter(pk=link.pk).update(last_synced_at=timezone.now(), last_error=error)
    return created


def mlflow_links_sync() -> dict[str, int]:
    """Periodic: sync every followed MLflow registered model."""
    counts = {"links": 0, "imported": 0}
    if not settings.MLFLOW_TRACKING_URI:
        return counts
    for link in MlflowLink.objects.select_related("model__system__team", "created_by"):
        if not link.created_by.is_active:
            MlflowLink.objects.filter(pk=link.pk).update(
                last_synced_at=timezone.now(),
                last_error="The person who linked it is deactivated; link it again.",
            )
            continue
        counts["links"] += 1
        counts["imported"] += len(mlflow_link_sync(link=link))
    return counts


@transaction.atomic
def mlflow_link_delete(*, actor: User, link: MlflowLink) -> None:
    """Stop following a registered model; versions already imported stay."""
    require_change(actor, link.model)
    audit_event_record(
        actor=actor,
        action="mlflow_link.deleted",
        target=link.model,
        payload={"link": link.pk, "registered_model": link.registered_model},
    )
    link.delete()


@transaction.atomic
def mlflow_link_sync_request(*, actor: User, link: MlflowLink) -> BackgroundJob:
    """Queue a sync of one followed registered model now, rather than at the next round."""
    require_change(actor, link.model)
    job = BackgroundJob.objects.create(
        kind="mlflow_link_sync", requested_by=actor, parameters={"link": link.pk}
    )
    audit_event_record(
        actor=actor,
        action="mlflow_link.sync_requested",
        target=link.model,
        payload={"link": link.pk, "registered_model": link.registered_model, "job": job.pk},
    )
    job_enqueue(job)
    return job


def mlflow_link_sync_job(*, job_id: int, task=None) -> None:
    """The queued sync of one link (the link may have been removed meanwhile)."""
    with tracked_job(BackgroundJob, job_id, task=task) as job:
        if job is None:
            return
        link = (
            MlflowLink.objects.select_related("created_by", "model")
            .filter(pk=(job.parameters or {}).get("link"))
            .first()
        )
        if link is None:
            job_succeed(job, result={"imported": [], "error": "The link no longer exists."})
            return
        created = mlflow_link_sync(link=link)
        link.refresh_from_db()
        job_succeed(job, result={"imported": created, "error": link.last_error})


def mlflow_webhook_signature_valid(
    *, secret: str, delivery_id: str, timestamp: str, body: bytes, signature: str
) -> bool:
    """MLflow's signature: ``v1,`` and the base64 HMAC-SHA256 of ``delivery.timestamp.body``."""
    signed = delivery_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = (
        "v1," + base64.b64encode(hmac.new(secret.encode(), signed, "sha256").digest()).decode()
    )
    return hmac.compare_digest(expected.encode(), signature.encode())


@transaction.atomic
def mlflow_webhook_received(*, delivery_id: str, event: dict[str, Any]) -> list[int]:
    """A verified delivery from MLflow: a new version of a registered model queues a sync of
    every link that follows it (polling stays as the fallback). Returns the queued job ids."""
    if (event.get("entity"), event.get("action")) != ("model_version", "created"):
        return []
    name = str((event.get("data") or {}).get("name") or "")
    jobs = []
    for link in MlflowLink.objects.filter(registered_model=name).select_related("model"):
        job = BackgroundJob.objects.create(
            kind="mlflow_link_sync", requested_by=None, parameters={"link": link.pk}
        )
        job_enqueue(job)
        jobs.append(job.pk)
        audit_event_record(
            actor=None,
            action="mlflow_link.sync_requested",
            target=link.model,
            payload={
                "link": link.pk,
                "registered_model": name,
                "job": job.pk,
                "mlflow_delivery": delivery_id,
                "mlflow_version": str((event.get("data") or {}).get("version") or ""),
            },
        )
    return jobs
