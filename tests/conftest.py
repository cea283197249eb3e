"""Shared fixtures: teams, one user per role, API clients, and the real Celery worker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.utils import translation
from rest_framework.test import APIClient

from governance.celery import app as celery_app
from governance.kernel.accounts.models import Role
from governance.kernel.accounts.services import api_token_issue
from governance.obligations.crosswalks.models import Control
from governance.obligations.crosswalks.vocab import load_controls
from governance.policy.policies.models import Policy
from tests import object_store
from tests.factories import TeamFactory, UserFactory
from tests.registry.mlflow_server import running_mlflow

# Password hashing is deliberately slow; tests create many users.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

ROOT = Path(__file__).resolve().parent.parent
USES_WORKER = bool(settings.REDIS_URL) and settings.DATABASES["default"]["ENGINE"].endswith(
    "postgresql"
)


@pytest.fixture(autouse=True)
def _clean_state(request):
    cache.clear()
    # A page request leaves its reader's language active in this thread (as Django does); a
    # test that calls services directly starts in English, as a worker or a command does.
    translation.activate("en")
    # Tests run tasks in-process unless they ask for the real worker (marker "worker").
    eager = request.node.get_closest_marker("worker") is None
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests flush every table after them, including the questionnaire and the
    default policies that migrations 0004 and 0016 write, and the standards' controls of
    migration 0017; put them back (all are idempotent)."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    transactional = marker.kwargs.get("transaction") or (marker.args and marker.args[0])
    request.getfixturevalue("transactional_db" if transactional else "db")

    if not Policy.objects.exists():
        import_module("governance.migrations.0004_seed_questionnaire_and_policies").seed(apps, None)
        import_module("governance.migrations.0016_policies_fit_llm_applications").fit_policies(apps)
    if not Control.objects.exists():
        load_controls(Control)


def pytest_collection_modifyitems(config, items):
    skip_worker = pytest.mark.skip(reason="needs PostgreSQL + Redis (second pass of make test)")
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (second pass of make test)")
    is_pg = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    for item in items:
        if "worker" in item.keywords and not USES_WORKER:
            item.add_marker(skip_worker)
        if "postgres" in item.keywords and not is_pg:
            item.add_marker(skip_pg)


@pytest.fixture
def team(db):
    return TeamFactory(name="Credit", slug="credit")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Marketing", slug="marketing")


def _make(role, team, **kwargs):
    return UserFactory(role=role, teams=[team], **kwargs)


@pytest.fixture
def admin_user(team):
    return _make(Role.ADMIN, team, username="admin1")


@pytest.fixture
def officer(team):
    return _make(Role.COMPLIANCE_OFFICER, team, username="officer1")


@pytest.fixture
def scientist(team):
    return _make(Role.DATA_SCIENTIST, team, username="scientist1")


@pytest.fixture
def auditor(team):
    return _make(Role.AUDITOR, team, username="auditor1")


@pytest.fixture
def outsider(other_team):
    """A data scientist of another team: must see none of team's objects."""
    return _make(Role.DATA_SCIENTIST, other_team, username="outsider1")


@pytest.fixture
def users(admin_user, officer, scientist, auditor, outsider):
    return {
        "admin": admin_user,
        "compliance_officer": officer,
        "data_scientist": scientist,
        "auditor": auditor,
        "outsider": outsider,
    }


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        raw = api_token_issue(user=user, name="test").raw
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def api():
    """``api(user)`` gives an APIClient authenticated with a fresh token of that user."""
    return client_for


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """A real ``celery worker`` process on Redis, using the test database."""
    if not USES_WORKER:
        pytest.skip("needs PostgreSQL + Redis")

    with django_db_blocker.unblock():
        db_name = connection.settings_dict["NAME"]
    base = settings.DATABASE_URL.rsplit("/", 1)[0]
    env = {
        **os.environ,
        "DATABASE_URL": f"{base}/{db_name}",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DB_CONN_MAX_AGE": "0",
        # Webhook receivers in tests listen on loopback over http; production refuses both.
        "WEBHOOK_ALLOW_HTTP": "true",
        "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
    }
    if settings.OBJECT_STORE_BUCKET:
        # Blobs come from the object store: the worker gets a disk of its own, so nothing it
        # reads can come from the test process's files.
        own = ROOT / "var" / f"test-worker-disk-{os.getpid()}"
        env.update(
            BLOB_ROOT=str(own / "blobs"),
            MEDIA_ROOT=str(own / "media"),
            BLOB_CACHE_DIR=str(own / "blob-cache"),
        )
    celery_app.control.purge()
    log = open(ROOT / "var" / "test-worker.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "governance",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            "1",
            "--pool",
            "prefork",
            "-Q",
            f"{settings.CELERY_QUEUE_PREFIX}light,{settings.CELERY_QUEUE_PREFIX}analysis",
            "-n",
            f"test-{os.getpid()}@%h",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        replies = celery_app.control.ping(timeout=1.0) or []
        if any(f"test-{os.getpid()}@" in name for reply in replies for name in reply):
            break
        if proc.poll() is not None:
            raise RuntimeError(f"worker exited: see {log.name}")
    else:
        proc.kill()
        raise RuntimeError("worker did not start within 60 s")
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def wait_for(predicate, timeout: float = 60.0, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


@pytest.fixture(scope="session")
def mlflow(tmp_path_factory):
    """One MLflow tracking server with models logged, shared by every test that imports from
    MLflow (starting one costs ~40 s); skipped when MLflow cannot be installed."""
    yield from running_mlflow(tmp_path_factory)


@pytest.fixture(scope="session")
def s3_server():
    """The S3-compatible server: the one the whole pass uses (scripts/test.sh), or a moto
    server of this session's own."""
    if settings.OBJECT_STORE_BUCKET:
        yield object_store.S3Server(settings.OBJECT_STORE_ENDPOINT_URL)
        return
    server = object_store.start()
    server.create_bucket("governance-test")
    yield server
    server.stop()


@pytest.fixture
def s3_blobs(s3_server, tmp_path):
    """Blobs in the S3 bucket for this test (already so when the whole pass runs on it)."""
    if settings.OBJECT_STORE_BUCKET:
        yield s3_server
        return
    options = {
        "bucket_name": "governance-test",
        "endpoint_url": s3_server.endpoint,
        "region_name": object_store.REGION,
        "access_key": object_store.ACCESS_KEY,
        "secret_key": object_store.SECRET_KEY,
        "addressing_style": "path",
        "signature_version": "s3v4",
        "location": f"t{os.getpid()}/blobs",
        "default_acl": None,
        "file_overwrite": False,
    }
    storages = {
        **settings.STORAGES,
        "blobs": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
    }
    with override_settings(STORAGES=storages, BLOB_CACHE_DIR=str(tmp_path / "blob-cache")):
        yield s3_server
