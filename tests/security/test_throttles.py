"""Throttles that hold: the client address is not what the client says it is, the login
lockout cannot be dodged by spelling the user name differently, and the approval password
cannot be guessed without limit."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from governance.kernel.api.throttling import UserRateThrottle
from governance.kernel.audit.models import AuditEvent
from governance.kernel.clients import client_address
from governance.policy.notifications.models import Notification
from governance.review.approvals.models import Decision
from tests.factories import PASSWORD
from tests.governance import conftest as governance_fixtures

pytestmark = pytest.mark.django_db

owner = governance_fixtures.owner
pii_flag = governance_fixtures.pii_flag
high_risk_version = governance_fixtures.high_risk_version


def _fail_login(client, username, **headers):
    return client.post("/login/", {"username": username, "password": "wrong"}, **headers)


def test_forwarded_for_is_ignored_without_trusted_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_address(request) == "203.0.113.7"


def test_only_the_hops_of_trusted_proxies_count(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client wrote "1.2.3.4"; our proxy appended the address it saw, 198.51.100.9.
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9"
    )
    assert client_address(request) == "198.51.100.9"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request) == "1.2.3.4"
    garbage = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="x, nope")
    assert client_address(garbage) == "10.0.0.2"


def test_anonymous_api_throttle_does_not_reset_with_a_new_forwarded_for(settings, users):
    settings.TRUSTED_PROXY_COUNT = 0
    client = APIClient()
    codes = [
        client.post(
            "/api/v1/auth/token/",
            {"username": f"nobody{i}", "password": "wrong"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"10.9.{i}.1",
        ).status_code
        for i in range(15)
    ]
    assert 429 in codes, codes


def test_login_lockout_holds_for_spellings_that_log_in_as_the_same_user(users):
    victim = users["auditor"]  # "auditor1"
    client = Client()
    for _ in range(django_settings.LOGIN_ATTEMPTS):
        assert _fail_login(client, victim.username).status_code == 200
    for spelling in (" auditor1", "auditor1  ", "ａｕｄｉｔｏｒ１", "Auditor1"):
        response = client.post("/login/", {"username": spelling, "password": PASSWORD})
        assert response.status_code == 429, spelling
    # The API's token endpoint shares the lockout.
    api = APIClient().post(
        "/api/v1/auth/token/", {"username": victim.username, "password": PASSWORD}, format="json"
    )
    assert api.status_code == 429 and api.json()["error"]["code"] == "locked_out"


def test_lockout_counts_per_address(users, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client()
    for _ in range(django_settings.LOGIN_ATTEMPTS):
        _fail_login(client, "auditor1", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert _fail_login(client, "auditor1", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    # Another client (as our proxy reports it) is not locked out by the first one's failures.
    other = client.post(
        "/login/",
        {"username": "auditor1", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.2",
    )
    assert other.status_code == 302


def test_approval_password_guessing_is_throttled_audited_and_told(
    api, high_risk_version, scientist, officer, settings
):
    settings.APPROVAL_PASSWORD_ATTEMPTS = 5
    mv = high_risk_version
    assert api(scientist).post(f"/api/v1/model-versions/{mv.pk}/submit/").status_code == 201
    client = api(officer)
    url = f"/api/v1/model-versions/{mv.pk}/decisions/"

    def attempt(password):
        body = {"decision": "approve", "comment": "ok", "password": password}
        return client.post(url, body, format="json")

    codes = [attempt(f"guess-{i}").status_code for i in range(5)]
    assert codes == [403] * 5
    locked = attempt(PASSWORD)  # even the right password, while locked
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "signature_locked"
    assert not Decision.objects.exists()
    failures = AuditEvent.objects.filter(
        action="review.signature_failed", actor_username="officer1"
    )
    assert failures.count() == 5
    told = Notification.objects.filter(recipient=officer, event="signature_locked")
    assert told.count() == 1


def test_the_approval_page_shares_the_approval_throttle(
    client, high_risk_version, scientist, officer, api, settings
):
    settings.APPROVAL_PASSWORD_ATTEMPTS = 2
    mv = high_risk_version
    api(scientist).post(f"/api/v1/model-versions/{mv.pk}/submit/")
    client.force_login(officer)
    url = f"/model-versions/{mv.pk}/decide/"
    page = client.get(url)
    digest = page.context["digest"]
    for _ in range(2):
        wrong = client.post(
            url,
            {"decision": "approve", "comment": "", "password": "nope", "evidence_digest": digest},
        )
        assert wrong.status_code == 403
    locked = client.post(
        url, {"decision": "approve", "comment": "", "password": PASSWORD, "evidence_digest": digest}
    )
    assert locked.status_code == 429


def _user_throttle(now: list[float], rate: str):
    class Throttle(UserRateThrottle):
        def get_rate(self):
            return rate

        def timer(self):
            return now[0]

    return Throttle()


def test_user_throttle_counts_a_sliding_window(scientist):
    cache.clear()
    request = RequestFactory().get("/api/v1/")
    request.user = scientist
    now = [6000.0]  # the start of a one-minute window
    allowed = [_user_throttle(now, "5/minute").allow_request(request, None) for _ in range(7)]
    assert allowed == [True] * 5 + [False] * 2
    refused = _user_throttle(now, "5/minute")
    assert not refused.allow_request(request, None)
    assert 1 <= refused.wait() <= 60
    # Half-way through the next window, half of the previous one still counts: 8 sent
    # (refused ones count too) weigh 4, so one more request is allowed, then none.
    now[0] = 6090.0
    assert _user_throttle(now, "5/minute").allow_request(request, None)
    assert not _user_throttle(now, "5/minute").allow_request(request, None)
    # Two windows later nothing counts any more.
    now[0] = 6180.0
    assert _user_throttle(now, "5/minute").allow_request(request, None)


def test_api_answers_429_with_retry_after_past_the_user_rate(scientist, api, monkeypatch):
    cache.clear()
    rates = {**UserRateThrottle.THROTTLE_RATES, "user": "3/minute"}
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", rates)
    client = api(scientist)
    codes = [client.get("/api/v1/me/").status_code for _ in range(5)]
    assert codes[:3] == [200] * 3 and codes[3:] == [429, 429], codes
    response = client.get("/api/v1/me/")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
