"""Background work of the registry: profiling and PII scanning of large data files, fetching
artefacts registered by URI."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from governance.kernel.jobs.services import TrackedTask
from registry.mlflow.services import mlflow_link_sync_job, mlflow_links_sync
from registry.services.artefacts import model_version_artefact_fetch
from registry.services.datasets import dataset_version_profile, dataset_versions_sweep_stale


@shared_task(
    base=TrackedTask,
    bind=True,
    name="analysis.profile_dataset_version",
    soft_time_limit=settings.CELERY_HEAVY_SOFT_LIMIT,
    time_limit=settings.CELERY_HEAVY_HARD_LIMIT,
)
def profile_dataset_version_task(self, job_id: int) -> None:

    dataset_version_profile(job_id=job_id, task=self)


@shared_task(base=TrackedTask, bind=True, name="registry.dataset_versions_sweep")
def dataset_versions_sweep_task(self) -> list[int]:
    """Periodic: versions left "pending" with no live profiling job are marked failed."""
    return dataset_versions_sweep_stale()


@shared_task(
    base=TrackedTask,
    bind=True,
    name="analysis.fetch_model_artefact",
    soft_time_limit=settings.CELERY_HEAVY_SOFT_LIMIT,
    time_limit=settings.CELERY_HEAVY_HARD_LIMIT,
)
def fetch_model_artefact_task(self, job_id: int) -> None:
    """Fetch, hash and recognise the artefact a model version names by URI."""
    model_version_artefact_fetch(job_id=job_id, task=self)


@shared_task(base=TrackedTask, bind=True, name="registry.mlflow_links_sync")
def mlflow_links_sync_task(self) -> dict:
    """Periodic: import the new versions of every followed MLflow registered model."""
    return mlflow_links_sync()


@shared_task(
    base=TrackedTask,
    bind=True,
    name="analysis.mlflow_link_sync",
    soft_time_limit=settings.CELERY_HEAVY_SOFT_LIMIT,
    time_limit=settings.CELERY_HEAVY_HARD_LIMIT,
)
def mlflow_link_sync_task(self, job_id: int) -> None:
    """A sync of one followed MLflow registered model that someone asked for now."""
    mlflow_link_sync_job(job_id=job_id, task=self)
