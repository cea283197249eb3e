"""How a reviewer proves who they are when approving: password, an authenticator code, or
re-authenticating at the identity provider; the decision records which and when."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from django.test import Client

from governance.kernel.accounts.mfa.models import TotpDevice
from governance.kernel.accounts.mfa.services import totp_begin, totp_confirm
from governance.kernel.accounts.models import User
from governance.kernel.accounts.sealing import unseal
from governance.kernel.audit.models import AuditEvent
from governance.review.approvals.models import Decision
from governance.review.approvals.services import model_version_submit
from tests.factories import PASSWORD
from tests.oidc_provider.fixtures import CALLBACK, sso_sign_in
from tests.oidc_provider.harness import path_and_query

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(high_risk_version, scientist):
    model_version_submit(actor=scientist, model_version=high_risk_version)
    high_risk_version.refresh_from_db()
    return high_risk_version


def digest_of(html: str) -> str:
    return re.search(r'name="evidence_digest" value="([0-9a-f]{64})"', html).group(1)


def totp_code(user, offset: int = 0) -> str:
    device = TotpDevice.objects.get(user=user)
    return pyotp.TOTP(unseal(device.secret)).at(time.time(), counter_offset=offset)


def test_a_password_signature_is_recorded_as_such(api, officer, submitted):
    response = api(officer).post(
        f"/api/v1/model-versions/{submitted.pk}/decisions/",
        {"decision": "approve", "password": PASSWORD},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["signed_with"] == "password" and body["authenticated_at"]
    event = AuditEvent.objects.get(action="review.approve")
    assert event.payload["signed_with"] == "password"


def test_with_an_authenticator_the_code_signs_and_the_password_does_not(api, officer, submitted):
    totp_begin(actor=officer)
    totp_confirm(actor=officer, code=totp_code(officer))
    client = api(officer)
    url = f"/api/v1/model-versions/{submitted.pk}/decisions/"
    refused = client.post(url, {"decision": "approve", "password": PASSWORD})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "password_not_accepted"
    wrong = client.post(url, {"decision": "approve", "totp_code": "000000"})
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "signature_invalid"
    ok = client.post(url, {"decision": "approve", "totp_code": totp_code(officer, offset=1)})
    assert ok.status_code == 201, ok.json()
    decision = Decision.objects.get()
    assert decision.signed_with == "totp" and decision.authenticated_at is not None


def test_approving_with_a_step_up_at_the_identity_provider(sso, submitted):
    client = Client()
    _, browser = sso_sign_in(client, sso, "alice")
    alice = User.objects.get(username="alice")
    url = f"/model-versions/{submitted.pk}/decide/"
    page = client.get(f"{url}?decision=approve").content.decode()
    assert "Re-authenticate to sign" in page and 'name="password"' not in page
    start = client.post(
        url,
        {
            "decision": "approve",
            "comment": "Evidence checked.",
            "evidence_digest": digest_of(page),
            "step_up": "start",
        },
    )
    assert start.status_code == 302 and start["Location"].startswith("/sso/step-up/")
    to_provider = client.get(start["Location"])
    before = int(time.time())
    time.sleep(1.1)
    callback = browser.sign_in(to_provider["Location"], "alice", until=CALLBACK)
    assert browser.last_login_form  # the provider asked for the password again
    back = client.get(path_and_query(callback))
    assert back["Location"] == f"{url}?decision=approve&resume=1"
    resumed = client.get(back["Location"]).content.decode()
    assert "You re-authenticated at your identity provider" in resumed
    assert "Evidence checked." in resumed  # what was typed before leaving is kept
    signed = client.post(
        url,
        {
            "decision": "approve",
            "comment": "Evidence checked.",
            "evidence_digest": digest_of(resumed),
            "step_up": "use",
        },
    )
    assert signed.status_code == 302, signed.content.decode()[:2000]
    decision = Decision.objects.get()
    assert decision.reviewer == alice and decision.signed_with == "oidc_step_up"
    assert decision.authenticated_at.timestamp() > before
    assert decision.comment == "Evidence checked."
    # One re-authentication signs one decision.
    assert "step_up" not in client.session


def test_a_stale_step_up_does_not_sign(sso, submitted, settings):
    client = Client()
    _, browser = sso_sign_in(client, sso, "alice")
    url = f"/model-versions/{submitted.pk}/decide/"
    page = client.get(f"{url}?decision=approve").content.decode()
    start = client.post(
        url,
        {"decision": "approve", "evidence_digest": digest_of(page), "step_up": "start"},
    )
    callback = browser.sign_in(client.get(start["Location"])["Location"], "alice", until=CALLBACK)
    client.get(path_and_query(callback))
    session = client.session
    session["step_up"]["at"] -= settings.OIDC_STEP_UP_MAX_AGE + 1
    session.save()
    response = client.post(
        url, {"decision": "approve", "evidence_digest": digest_of(page), "step_up": "use"}
    )
    assert response.status_code == 403 and b"expired" in response.content
    assert not Decision.objects.exists()
