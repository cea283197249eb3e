"""Webhooks that cannot reach inside: internal addresses refused at configuration and at
delivery, the checked address is the one connected to, no redirects, generic errors."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from governance.kernel import outbound
from governance.kernel.accounts.models import Role, User
from governance.policy.notifications.models import WebhookDelivery, WebhookEndpoint
from governance.policy.notifications.services import notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

INTERNAL = [
    "https://127.0.0.1/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://[::1]/hook",
    "https://10.1.2.3/hook",
    "https://192.168.0.10/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://[::ffff:169.254.169.254]/hook",
    "https://0.0.0.0/hook",
    "https://224.0.0.1/hook",
    "https://100.64.0.1/hook",
    "https://localhost/hook",  # a host name that resolves to loopback
]


class Receiver:
    def __init__(self, status=200, location=None):
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.requests.append(dict(self.headers))
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.end_headers()
                self.wfile.write(b"x" * 100)

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def loopback_allowed(settings):
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    return settings


def _deliver(system, url, capture):
    WebhookEndpoint.objects.create(name="w", url=url, secret="k")
    with capture(execute=True):
        notify(event="report_ready", target=system, message="m", payload={}, recipients=[])
    return WebhookDelivery.objects.latest("id")


@pytest.mark.parametrize("url", INTERNAL)
def test_internal_addresses_are_refused_at_configuration(url):
    endpoint = WebhookEndpoint(name="x", url=url, secret="k")
    with pytest.raises(ValidationError) as refused:
        endpoint.full_clean()
    assert "url" in refused.value.message_dict


@pytest.mark.parametrize("url", INTERNAL)
def test_internal_addresses_are_refused_at_delivery(
    url, system, django_capture_on_commit_callbacks
):
    delivery = _deliver(system, url, django_capture_on_commit_callbacks)
    assert delivery.status == "failed" and delivery.attempts == 1
    assert delivery.last_error.startswith("Refused:")


def test_plain_http_is_refused_unless_allowed(settings, system, django_capture_on_commit_callbacks):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    with Receiver() as receiver:
        delivery = _deliver(system, receiver.url, django_capture_on_commit_callbacks)
        assert receiver.requests == []
    assert delivery.status == "failed" and "https" in delivery.last_error


def test_the_admin_refuses_an_internal_endpoint(team):
    admin = UserFactory(role=Role.ADMIN, teams=[team], username="root2")
    User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/admin/governance/webhookendpoint/add/",
        {
            "name": "metadata",
            "url": "https://169.254.169.254/latest/",
            "secret": "k",
            "events": "[]",
            "active": "on",
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert not WebhookEndpoint.objects.exists()


def test_allow_listed_loopback_receives_the_delivery(
    loopback_allowed, system, django_capture_on_commit_callbacks
):
    with Receiver() as receiver:
        delivery = _deliver(system, receiver.url, django_capture_on_commit_callbacks)
    assert delivery.status == "succeeded" and delivery.response_code == 200
    assert len(receiver.requests) == 1


def test_redirects_are_not_followed(loopback_allowed, system, django_capture_on_commit_callbacks):
    loopback_allowed.WEBHOOK_MAX_ATTEMPTS = 1
    with Receiver() as inner, Receiver(status=302, location=inner.url) as outer:
        delivery = _deliver(system, outer.url, django_capture_on_commit_callbacks)
        assert len(outer.requests) == 1
        assert inner.requests == []
    assert delivery.status == "failed" and "redirect" in delivery.last_error


def test_failures_do_not_say_what_answered(
    loopback_allowed, system, django_capture_on_commit_callbacks
):
    loopback_allowed.WEBHOOK_MAX_ATTEMPTS = 1
    with Receiver() as receiver:
        closed_port = receiver.port
    delivery = _deliver(
        system, f"http://127.0.0.1:{closed_port}/hook", django_capture_on_commit_callbacks
    )
    assert delivery.status == "failed"
    assert outbound.UNREACHABLE in delivery.last_error
    assert "refused" not in delivery.last_error.lower()
    assert "Errno" not in delivery.last_error


def test_connection_goes_to_the_checked_address_with_the_host_header(loopback_allowed, monkeypatch):
    # DNS rebinding: the name is looked up once; the socket goes to that address. (The DNS
    # answer is the one thing faked here: no resolver on this machine answers for this name.)
    lookups = []

    def resolve(host, port):
        lookups.append(host)
        return [outbound.ipaddress.ip_address("127.0.0.1")]

    monkeypatch.setattr(outbound, "_resolve", resolve)
    with Receiver() as receiver:
        result = outbound.post(
            f"http://hooks.example.test:{receiver.port}/hook", b"{}", {"X-Test": "1"}
        )
    assert result.ok
    assert lookups == ["hooks.example.test"]
    assert receiver.requests[0]["Host"] == f"hooks.example.test:{receiver.port}"


def test_the_answer_is_read_only_up_to_the_limit(loopback_allowed):
    loopback_allowed.WEBHOOK_MAX_RESPONSE_BYTES = 10
    with Receiver() as receiver:
        assert outbound.post(receiver.url, b"{}", {}).ok
