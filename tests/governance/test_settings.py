"""Settings come from the environment only; production refuses unsafe values."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from governance.celery import app
from governance.kernel.signing import signing_key_create
from governance.settings import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]
GOOD_SECRET = "k" * 20 + "9f8e7d6c5b4a3f2e1d0c" + "zyxwvutsrq" + "ponmlk"


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "GOVERNANCE_ENV",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DEBUG",
            "CELERY_TASK_ALWAYS_EAGER",
            "GOVERNANCE_VAR_DIR",
            "CELERY_QUEUE_PREFIX",
        }
    }
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "governance.settings"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_env_helpers(monkeypatch):
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_INT", "42")
    monkeypatch.setenv("X_LIST", "a.example, b.example ,")
    assert env_bool("X_BOOL", False) is True
    assert env_bool("X_MISSING", True) is True
    assert env_int("X_INT", 1) == 42
    assert env_list("X_LIST") == ["a.example", "b.example"]
    monkeypatch.setenv("X_BOOL", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env_bool("X_BOOL", False)
    monkeypatch.setenv("X_INT", "forty")
    with pytest.raises(ImproperlyConfigured):
        env_int("X_INT", 1)


def test_defaults_run_the_embedded_stack():
    out = run_python(
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER,"
        " s.CELERY_BROKER_URL, str(s.BLOB_ROOT).endswith('var/blobs'), s.DEBUG)"
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["django.db.backends.sqlite3", "True", "memory://", "True", "True"]


def test_database_and_redis_urls_select_the_production_services():
    out = run_python(
        "from django.conf import settings as s; d=s.DATABASES['default'];"
        "print(d['ENGINE'], d['NAME'], d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'],"
        " s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL, s.CACHES['default']['BACKEND'])",
        DATABASE_URL="postgres://u@db.internal:5432/gov",
        REDIS_URL="redis://cache.internal:6379/0",
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [
        "django.db.backends.postgresql",
        "gov",
        "600",
        "True",
        "False",
        "redis://cache.internal:6379/0",
        "governance.kernel.cache.ResilientRedisCache",
    ]


@pytest.mark.parametrize(
    "env, message",
    [
        ({}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"SECRET_KEY": GOOD_SECRET}, "ALLOWED_HOSTS"),
        ({"SECRET_KEY": GOOD_SECRET, "ALLOWED_HOSTS": "gov.example", "DEBUG": "true"}, "DEBUG"),
    ],
)
def test_production_refuses_unsafe_configuration(env, message):
    out = run_python("import django; django.setup()", GOVERNANCE_ENV="production", **env)
    assert out.returncode != 0
    assert message in out.stderr


def test_production_check_deploy_is_clean(tmp_path):
    key = tmp_path / "signing-key.pem"
    signing_key_create(key)
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k not in {"DEBUG"}},
            "GOVERNANCE_ENV": "production",
            "SECRET_KEY": GOOD_SECRET,
            "ALLOWED_HOSTS": "gov.example.org",
            "SIGNING_KEY_FILE": str(key),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout


def test_visibility_timeout_must_exceed_hard_limit():
    out = run_python(
        "import django; django.setup()",
        CELERY_HEAVY_HARD_LIMIT="1000",
        CELERY_VISIBILITY_TIMEOUT="900",
    )
    assert out.returncode != 0
    assert "VISIBILITY_TIMEOUT" in out.stderr


def test_celery_reliability_settings():

    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_time_limit > conf.task_soft_time_limit
    timeout = conf.broker_transport_options["visibility_timeout"]

    assert timeout > settings.CELERY_HEAVY_HARD_LIMIT
    queues = {q.name for q in conf.task_queues}
    assert len(queues) == 2
    assert conf.task_routes["analysis.*"]["queue"] in queues
