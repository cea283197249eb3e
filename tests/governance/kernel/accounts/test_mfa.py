"""Second factors: adding an authenticator, the policy that requires one, recovery codes."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from django.test import Client

from governance.kernel.accounts.mfa.models import RecoveryCode, TotpDevice
from governance.kernel.accounts.mfa.services import (
    second_factor_verify,
    sign_in_policy_update,
    totp_begin,
    totp_confirm,
)
from governance.kernel.accounts.sealing import unseal
from governance.kernel.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def code_for(user, *, offset: int = 0) -> str:
    device = TotpDevice.objects.get(user=user)
    totp = pyotp.TOTP(unseal(device.secret))
    return totp.at(time.time(), counter_offset=offset)


def enrol(user) -> list[str]:
    totp_begin(actor=user)
    return totp_confirm(actor=user, code=code_for(user))


def test_adding_an_authenticator_on_the_profile_page(officer):
    client = logged_in(officer)
    page = client.post("/profile/second-factor/", {"action": "begin"})
    html = page.content.decode()
    assert page.status_code == 200 and "otpauth://totp/" in html
    device = TotpDevice.objects.get(user=officer)
    assert device.confirmed_at is None
    secret = unseal(device.secret)
    assert secret and secret not in device.secret  # sealed at rest
    wrong = client.post("/profile/second-factor/", {"action": "confirm", "code": "000000"})
    assert wrong.status_code == 400
    done = client.post(
        "/profile/second-factor/", {"action": "confirm", "code": pyotp.TOTP(secret).now()}
    )
    codes = re.findall(r"<li>([0-9a-f]{6}-[0-9a-f]{6})</li>", done.content.decode())
    assert len(codes) == 10
    assert RecoveryCode.objects.filter(user=officer).count() == 10
    assert not RecoveryCode.objects.filter(digest__in=codes).exists()  # only digests are kept
    assert AuditEvent.objects.filter(action="mfa.totp_enabled", target_id=str(officer.pk)).exists()


def test_a_code_is_accepted_once(officer):
    enrol(officer)
    # The code that confirmed the device was used; the next step's code works once.
    code = code_for(officer, offset=1)
    assert second_factor_verify(user=officer, code=code) == "totp"
    assert second_factor_verify(user=officer, code=code) is None
    assert AuditEvent.objects.filter(action="mfa.failed").count() == 1


def test_a_recovery_code_is_accepted_once(officer):
    codes = enrol(officer)
    assert second_factor_verify(user=officer, code=codes[0].upper()) == "recovery_code"
    assert second_factor_verify(user=officer, code=codes[0]) is None
    assert second_factor_verify(user=officer, code=codes[1], allow_recovery=False) is None


def test_roles_the_policy_names_must_add_and_give_a_second_factor(admin_user, officer, scientist):
    sign_in_policy_update(actor=admin_user, mfa_required_roles=["compliance_officer"])
    assert AuditEvent.objects.filter(action="sign_in_policy.updated").count() == 1
    # A data scientist is not concerned.
    assert logged_in(scientist).get("/").status_code == 200
    client = logged_in(officer)
    response = client.get("/review-queue/")
    assert response.status_code == 302
    assert response["Location"].startswith("/profile/second-factor/?next=")
    api = client.get("/api/v1/me/")
    assert api.status_code == 403 and api.json()["error"]["code"] == "second_factor_required"
    enrol(officer)
    # Enrolling in this session counts only through the page; a new session must verify.
    fresh = logged_in(officer)
    response = fresh.get("/review-queue/")
    assert response["Location"].startswith("/second-factor/?next=")
    assert (
        fresh.post("/second-factor/", {"code": "123456", "next": "/review-queue/"}).status_code
        == 403
    )
    ok = fresh.post(
        "/second-factor/", {"code": code_for(officer, offset=1), "next": "/review-queue/"}
    )
    assert ok.status_code == 302 and ok["Location"] == "/review-queue/"
    assert fresh.get("/review-queue/").status_code == 200


def test_admins_choose_the_roles_on_the_sign_in_page(admin_user):
    client = logged_in(admin_user)
    response = client.post("/people/sign-in/policy/", {"mfa_required_roles": ["auditor"]})
    assert response.status_code == 302
    api = Client(HTTP_AUTHORIZATION="")
    api.force_login(admin_user)
    assert api.get("/api/v1/sso/sign-in-policy/").json() == {"mfa_required_roles": ["auditor"]}


def test_an_admin_resets_a_lost_authenticator(admin_user, officer):
    enrol(officer)
    client = logged_in(admin_user)
    response = client.post(f"/people/{officer.pk}/second-factor/reset/")
    assert response.status_code == 302
    assert not TotpDevice.objects.filter(user=officer).exists()
    assert not RecoveryCode.objects.filter(user=officer).exists()
    event = AuditEvent.objects.get(action="mfa.totp_removed")
    assert event.payload == {"by_admin": True} and event.actor_id == admin_user.pk
