"""Redis unreachable: requests still succeed, queued work waits in its row and is sent later.

The broker and cache here are real Redis clients pointed at a port where nothing listens, so
every failure is the one a stopped Redis gives. The whole scenario against a live gunicorn,
a Redis that is killed and restarted and a real worker is in tests/faults/test_faults.py.
"""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from celery import Celery
from django.conf import settings
from django.http import HttpResponse
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from governance.kernel.cache import ResilientRedisCache
from governance.kernel.jobs.models import BackgroundJob
from governance.kernel.jobs.services import job_dispatch, jobs_redispatch
from governance.kernel.middleware import DELAYED_HEADER, RequestIdMiddleware
from governance.policy.notifications.models import WebhookDelivery, WebhookEndpoint
from registry.models import DatasetVersion, ProfileStatus
from tests.registry.test_api_datasets import post_version

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def dead_broker_task():
    app = Celery("dead-broker", broker=f"redis://127.0.0.1:{closed_port()}/0", set_as_current=False)
    app.conf.broker_transport_options = {"socket_connect_timeout": 1}

    @app.task(name="tests.never_delivered", shared=False)
    def task(job_id):  # pragma: no cover - never reaches a worker
        raise AssertionError("sent to a broker that does not exist")

    return task


def test_unreachable_broker_leaves_the_job_queued_and_the_sweeper_sends_it_later(
    scientist, dataset, api, german_csv_bytes, django_capture_on_commit_callbacks, dead_broker_task
):
    with (
        override_settings(PROFILE_INLINE_MAX_BYTES=1000),
        django_capture_on_commit_callbacks(execute=False),
    ):
        response = post_version(api(scientist), dataset.pk, "g.csv", german_csv_bytes)
    assert response.status_code == 201
    dv = DatasetVersion.objects.get(pk=response.json()["id"])
    job = dv.profiling_jobs.get()

    assert job_dispatch(dead_broker_task, job) is False
    job.refresh_from_db()
    assert job.status == "queued" and job.dispatched_at is None
    assert "unreachable" in job.progress_message

    # Within the grace period the sweeper leaves the row alone (its message may be on the way).
    assert jobs_redispatch(now=job.queued_at) == {}
    # Later it sends it; tasks run in-process here, so the profile is computed at once.
    sent = jobs_redispatch(now=timezone.now() + timedelta(minutes=5))
    assert sent == {"ProfilingJob": 1}
    job.refresh_from_db()
    dv.refresh_from_db()
    assert job.status == "succeeded" and job.dispatched_at is not None
    assert dv.profile_status == ProfileStatus.READY and dv.row_count == 1000
    assert jobs_redispatch(now=timezone.now() + timedelta(minutes=10)) == {}


def test_the_response_names_work_that_could_not_be_queued(rf, dead_broker_task):

    job = BackgroundJob.objects.create(kind="audit_chain_verify")

    def view(request):
        job_dispatch(dead_broker_task, job)
        return HttpResponse(status=202)

    response = RequestIdMiddleware(view)(rf.post("/"))
    assert response[DELAYED_HEADER] == (
        f"task queue unreachable; queued until it returns: background job #{job.pk}"
    )
    quiet = RequestIdMiddleware(lambda request: HttpResponse())(rf.get("/"))
    assert DELAYED_HEADER not in quiet


def test_sweeper_resends_lost_messages_but_not_webhooks_waiting_for_their_backoff():
    now = timezone.now()
    lost = BackgroundJob.objects.create(kind="audit_chain_verify")
    recent = BackgroundJob.objects.create(kind="audit_chain_verify")
    endpoint = WebhookEndpoint.objects.create(name="ci", url="http://127.0.0.1:9/hook")
    waiting = WebhookDelivery.objects.create(
        endpoint=endpoint, event="check_failed", body="{}", next_attempt_at=now + timedelta(hours=1)
    )
    BackgroundJob.objects.filter(pk=lost.pk).update(dispatched_at=now - timedelta(hours=3))
    BackgroundJob.objects.filter(pk=recent.pk).update(dispatched_at=now - timedelta(minutes=5))
    WebhookDelivery.objects.filter(pk=waiting.pk).update(dispatched_at=now - timedelta(hours=3))

    assert jobs_redispatch(now=now) == {"BackgroundJob": 1}
    lost.refresh_from_db()
    recent.refresh_from_db()
    waiting.refresh_from_db()
    assert lost.status == "succeeded" and lost.result["ok"] is True
    assert recent.status == "queued"
    assert waiting.status == "queued" and waiting.attempts == 0


def dead_cache() -> ResilientRedisCache:
    return ResilientRedisCache(
        f"redis://127.0.0.1:{closed_port()}/0",
        {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}},
    )


def test_cache_falls_back_to_process_memory_while_redis_is_unreachable():
    cache = dead_cache()
    cache.set("a", 1, 60)
    assert cache.get("a") == 1
    assert cache.add("a", 5) is False
    assert cache.incr("a") == 2
    with pytest.raises(ValueError):
        cache.incr("missing")
    assert cache.get_many(["a", "b"]) == {"a": 2}
    cache.delete("a")
    assert cache.get("a", "gone") == "gone"


def test_cache_uses_redis_when_it_is_there():

    if not settings.REDIS_URL:
        pytest.skip("no Redis in this pass")
    first = ResilientRedisCache(settings.REDIS_URL, {"KEY_PREFIX": "outage-test"})
    second = ResilientRedisCache(settings.REDIS_URL, {"KEY_PREFIX": "outage-test"})
    first.set("shared", "yes", 30)
    assert second.get("shared") == "yes"  # a real shared cache, not each one's memory
    second.delete("shared")
    # One client per connection pool, not a new one per call.
    assert first._cache.get_client(write=True) is first._cache.get_client(write=True)


DEAD_CACHE = {
    "default": {
        "BACKEND": "governance.kernel.cache.ResilientRedisCache",
        "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


def test_api_and_login_work_while_the_cache_is_unreachable(client, scientist, api, model):
    with override_settings(CACHES=DEAD_CACHE):
        listed = api(scientist).get("/api/v1/models/")
        assert listed.status_code == 200
        assert listed.json()["results"]
        url = reverse("login")
        refused = client.post(url, {"username": scientist.username, "password": "wrong"})
        assert refused.status_code == 200  # the form again, with its error; not a 500
        assert refused.context["form"].errors
