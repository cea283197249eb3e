"""notify(): in-app rows, e-mail, and signed webhooks retried against a real HTTP receiver."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.db import transaction

from governance.policy.notifications.models import Notification, WebhookDelivery, WebhookEndpoint
from governance.policy.notifications.services import notify
from governance.policy.notifications.tasks import webhook_backoff_seconds
from governance.policy.raci.models import Raci
from governance.policy.raci.services import responsibility_assign
from registry.models import AISystem
from tests.conftest import wait_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _loopback_receivers(settings):
    """The receivers here listen on loopback over plain http, which production refuses
    (tests/security/test_webhooks.py); these tests are about signing and retrying."""
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]


class Receiver:
    """A local HTTP endpoint that answers with the given status codes in turn."""

    def __init__(self, codes):
        self.codes = list(codes)
        self.requests: list[tuple[dict, bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests.append((dict(self.headers), body))
                code = outer.codes.pop(0) if outer.codes else 200
                self.send_response(code)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def verify(headers: dict, body: bytes, secret: str) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers["X-Governance-Signature"], expected)


def test_webhook_is_signed_retried_and_recorded(
    officer, system, django_capture_on_commit_callbacks, settings
):
    settings.WEBHOOK_BACKOFF_SECONDS = 1
    with Receiver([500, 200]) as receiver:
        WebhookEndpoint.objects.create(
            name="ci", url=receiver.url, secret="s3cret", events=["decision"]
        )
        with django_capture_on_commit_callbacks(execute=True):
            notify(event="decision", target=system, message="approved", payload={"n": 1})
        assert len(receiver.requests) == 2
    for headers, body in receiver.requests:
        assert verify(headers, body, "s3cret")
        assert not verify(headers, body, "wrong")
    assert receiver.requests[0][1] == receiver.requests[1][1]  # same bytes on retry
    body = json.loads(receiver.requests[1][1])
    assert body["event"] == "decision" and body["payload"] == {"n": 1}
    assert body["target"]["type"] == "registry.aisystem"
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "succeeded" and delivery.attempts == 2
    assert delivery.response_code == 200 and delivery.last_error == ""


def test_webhook_gives_up_after_max_attempts(system, django_capture_on_commit_callbacks, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    with Receiver([500, 502, 503, 200]) as receiver:
        WebhookEndpoint.objects.create(name="x", url=receiver.url, secret="k")
        with django_capture_on_commit_callbacks(execute=True):
            notify(event="check_failed", target=system, message="m", payload={}, recipients=[])
        assert len(receiver.requests) == 3
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == 3
    assert delivery.response_code == 503 and "HTTP 503" in delivery.last_error


def test_unreachable_endpoint_records_the_error(
    system, django_capture_on_commit_callbacks, settings
):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    WebhookEndpoint.objects.create(name="x", url="http://127.0.0.1:9/none", secret="k")
    with django_capture_on_commit_callbacks(execute=True):
        notify(event="report_ready", target=system, message="m", payload={}, recipients=[])
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and delivery.response_code is None
    assert delivery.last_error


def test_slack_format_and_event_filter(system, django_capture_on_commit_callbacks):
    with Receiver([200]) as receiver:
        WebhookEndpoint.objects.create(
            name="slack",
            url=receiver.url,
            secret="k",
            slack_format=True,
            events=["drift_detected"],
        )
        WebhookEndpoint.objects.create(name="off", url=receiver.url, secret="k", active=False)
        with django_capture_on_commit_callbacks(execute=True):
            notify(event="finding_raised", target=system, message="skip", payload={})
            notify(event="drift_detected", target=system, message="drift!", payload={})
        assert len(receiver.requests) == 1
    assert json.loads(receiver.requests[0][1]) == {
        "text": "[drift_detected] drift! (Credit scoring)"
    }


def test_backoff_is_exponential(settings):
    settings.WEBHOOK_BACKOFF_SECONDS = 30
    assert [webhook_backoff_seconds(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]


def test_default_recipients_are_raci_and_officers(
    admin_user, officer, scientist, auditor, owner, system, django_capture_on_commit_callbacks
):
    responsibility_assign(actor=admin_user, user=owner, role=Raci.ACCOUNTABLE, target=system)
    responsibility_assign(actor=admin_user, user=auditor, role=Raci.INFORMED, target=system)
    responsibility_assign(actor=admin_user, user=scientist, role=Raci.CONSULTED, target=system)
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(event="finding_raised", target=system, message="A finding", payload={})
    assert {r.recipient.username for r in rows} == {"officer1", "owner1", "auditor1"}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        f"{u}@example.org" for u in ("officer1", "owner1", "auditor1")
    )


def test_explicit_recipients_and_unknown_event(officer, scientist, system):
    rows = notify(
        event="report_ready",
        target=system,
        message="m",
        payload={},
        recipients=[scientist, scientist],
    )
    assert [r.recipient for r in rows] == [scientist]
    with pytest.raises(ValueError, match="unknown event"):
        notify(event="party", target=system, message="m", payload={})


def test_rolled_back_change_notifies_nobody(officer, system, django_capture_on_commit_callbacks):

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(event="decision", target=system, message="m", payload={})
        raise RuntimeError("rolled back")
    assert not Notification.objects.exists() and not mail.outbox


def test_notifications_api(api, users, officer, scientist, system):
    notify(event="decision", target=system, message="one", payload={}, recipients=[officer])
    notify(event="decision", target=system, message="two", payload={}, recipients=[officer])
    notify(event="decision", target=system, message="other", payload={}, recipients=[scientist])
    client = api(officer)
    rows = client.get("/api/v1/notifications/").json()
    assert rows["count"] == 2 and {r["message"] for r in rows["results"]} == {"one", "two"}
    first = rows["results"][0]["id"]
    assert client.post(f"/api/v1/notifications/{first}/read/").json()["read_at"]
    assert client.get("/api/v1/notifications/?unread=true").json()["count"] == 1
    other = Notification.objects.get(recipient=scientist).pk
    assert client.post(f"/api/v1/notifications/{other}/read/").status_code == 404
    assert client.post("/api/v1/notifications/read/", {}, format="json").json() == {"marked": 1}
    bad = client.post("/api/v1/notifications/read/", {"ids": ["x"]}, format="json")
    assert bad.status_code == 400
    assert client.get("/api/v1/notifications/?unread=maybe").status_code == 400
    assert Notification.objects.get(pk=other).read_at is None


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_delivers_and_retries(celery_worker_process, settings, team):
    """Second pass: the delivery goes through Redis to a real worker process."""

    creator = UserFactory(username="maker")
    target = AISystem.objects.create(team=team, name="Chat", created_by=creator)
    with Receiver([500, 200]) as receiver:
        WebhookEndpoint.objects.create(name="w", url=receiver.url, secret="k")
        # The worker's backoff is the environment's (30 s by default): too slow for a test,
        # so this endpoint answers 500 once and the retry is observed through the row.
        notify(event="report_ready", target=target, message="ready", payload={}, recipients=[])
        delivery = wait_for(
            lambda: WebhookDelivery.objects.filter(attempts__gte=1).first(), timeout=60
        )
        assert delivery.event == "report_ready"
        first = wait_for(lambda: receiver.requests, timeout=60)
        assert verify(*first[0], "k")
