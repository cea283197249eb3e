"""Single sign-on against a real OpenID provider (oidc-provider on Node.js, on loopback)."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.test import Client

from governance.kernel.accounts.models import Role, User
from governance.kernel.accounts.services import api_token_issue
from governance.kernel.accounts.sso.checks import sso_accounts_check
from governance.kernel.accounts.sso.models import ExternalIdentity, GroupMapping
from governance.kernel.accounts.sso.oidc import OidcBackend
from governance.kernel.accounts.sso.tasks import sso_accounts_check_task
from governance.kernel.audit.models import AuditEvent
from tests.oidc_provider.fixtures import CALLBACK, sso_sign_in
from tests.oidc_provider.harness import CLIENT_ID, Browser, path_and_query, query

pytestmark = pytest.mark.django_db


def actions(**filters) -> list[str]:
    return list(
        AuditEvent.objects.filter(**filters).order_by("sequence").values_list("action", flat=True)
    )


# --- sign-in ----------------------------------------------------------------------------------
def test_sign_in_uses_the_code_flow_with_pkce_from_the_discovery_document(sso):
    response = Client().get("/sso/login/?next=/review-queue/")
    assert response.status_code == 302
    url = response["Location"]
    assert url.startswith(f"{sso.issuer}/auth?")
    params = query(url)
    assert params["response_type"] == "code"
    assert params["client_id"] == CLIENT_ID
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) >= 43
    assert params["state"] and params["nonce"]
    assert set(params["scope"].split()) >= {"openid", "email", "groups"}


def test_first_sign_in_creates_the_user_with_the_role_and_teams_of_their_groups(sso, team):
    client = Client()
    response, _ = sso_sign_in(client, sso, "alice")
    assert response.status_code == 302 and response["Location"] == "/"
    alice = User.objects.get(username="alice")
    assert alice.role == Role.COMPLIANCE_OFFICER
    assert [t.slug for t in alice.teams.all()] == ["credit"]
    assert not alice.has_usable_password()
    identity = alice.external_identity
    assert (identity.issuer, identity.subject) == (sso.issuer, "alice")
    assert identity.groups == ["credit-risk", "gov-compliance"]
    assert identity.refresh_token and "alice" not in identity.refresh_token  # sealed
    assert client.get("/").status_code == 200
    assert client.session["_auth_user_id"] == str(alice.pk)
    events = actions(target_id=str(alice.pk), target_type="governance.user")
    assert events[:2] == ["user.created", "auth.signed_in"]
    signed_in = AuditEvent.objects.get(action="auth.signed_in")
    assert signed_in.payload["method"] == "oidc"


def test_the_most_senior_role_wins_and_roles_follow_the_provider(sso):
    sso.control("users/carol", {"groups": ["data-science", "gov-admins"]})
    try:
        sso_sign_in(Client(), sso, "carol")
        carol = User.objects.get(username="carol")
        assert carol.role == Role.ADMIN and carol.is_staff
        # Her admin group is taken away at the provider: the next sign-in says so.
        sso.control("users/carol", {"groups": ["data-science"]})
        sso_sign_in(Client(), sso, "carol")
        carol.refresh_from_db()
        assert carol.role == Role.DATA_SCIENTIST and not carol.is_staff
        change = AuditEvent.objects.filter(action="user.updated", target_id=str(carol.pk)).last()
        assert change.payload["role"] == [Role.ADMIN, Role.DATA_SCIENTIST]
    finally:
        sso.control("users/carol", {"groups": ["data-science", "credit-risk"]})


def test_a_person_without_a_mapped_role_is_told_to_ask_an_admin(sso):
    response, _ = sso_sign_in(Client(), sso, "dave")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Ask your admin" in html and "canteen" in html
    assert not User.objects.filter(username="dave").exists()
    event = AuditEvent.objects.get(action="auth.sso_unmapped")
    assert event.payload["groups"] == ["canteen"] and event.payload["subject"] == "dave"


def test_a_local_account_with_the_same_name_is_not_taken_over(sso, team):
    local = User.objects.create_user("alice", password="local-password-1", role=Role.ADMIN)
    sso_sign_in(Client(), sso, "alice")
    local.refresh_from_db()
    assert local.role == Role.ADMIN and not hasattr(local, "external_identity")
    newcomer = ExternalIdentity.objects.get(subject="alice").user
    assert newcomer.username == "alice-2" and newcomer.role == Role.COMPLIANCE_OFFICER


def test_an_account_switched_off_here_stays_off(sso):
    sso_sign_in(Client(), sso, "alice")
    User.objects.filter(username="alice").update(is_active=False)
    response, _ = sso_sign_in(Client(), sso, "alice")
    assert response.status_code == 403
    assert not User.objects.get(username="alice").is_active


def test_a_forged_callback_state_is_refused(sso):
    client = Client()
    client.get("/sso/login/")
    response = client.get("/sso/callback/?code=abc&state=not-ours")
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


# --- the ID token -----------------------------------------------------------------------------
def _backend() -> OidcBackend:
    return OidcBackend()


def _claims(issuer: str, **overrides) -> dict:
    now = int(time.time())
    return {
        "iss": issuer,
        "aud": CLIENT_ID,
        "sub": "alice",
        "iat": now,
        "exp": now + 300,
        "nonce": "n-1",
        **overrides,
    }


def test_an_id_token_signed_by_the_provider_with_good_claims_verifies(sso):
    claims = _backend().verify_token(sso.sign(_claims(sso.issuer)), nonce="n-1")
    assert claims["sub"] == "alice"


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, "expired"),
        ({"aud": "another-client"}, "audience"),
        ({"iss": "http://127.0.0.1:1/evil"}, "issuer"),
        ({"nonce": "replayed"}, "nonce"),
    ],
)
def test_an_id_token_with_wrong_claims_is_refused(sso, change, why):
    token = sso.sign(_claims(sso.issuer, **change))
    with pytest.raises(SuspiciousOperation):
        _backend().verify_token(token, nonce="n-1")


def test_a_tampered_id_token_is_refused(sso):
    client = Client()
    sso_sign_in(client, sso, "alice")
    id_token = client.session["oidc_id_token"]
    header, _payload, signature = id_token.split(".")
    # Same signature, another person's payload.
    forged = sso.sign(_claims(sso.issuer, sub="bob")).split(".")[1]
    with pytest.raises(SuspiciousOperation, match="Signature"):
        _backend().verify_token(f"{header}.{forged}.{signature}", nonce=None)


def test_an_id_token_not_bound_to_this_sign_in_lets_nobody_in_and_is_recorded(sso):
    client = Client()
    response = client.get("/sso/login/")
    state = query(response["Location"])["state"]
    callback = Browser(sso).sign_in(response["Location"], "alice", until=CALLBACK)
    # The provider's answer is genuine, but its nonce is not the one this browser asked for
    # (an answer replayed from another sign-in).
    session = client.session
    session["oidc_states"][state]["nonce"] = "another-sign-in"
    session.save()
    result = client.get(path_and_query(callback))
    assert result.status_code == 403
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(username="alice").exists()
    event = AuditEvent.objects.filter(action="auth.sign_in_failed").last()
    assert event.payload["method"] == "oidc" and "nonce" in event.payload["reason"].lower()


def test_rotated_keys_are_fetched_and_retired_keys_refused(sso):
    sso_sign_in(Client(), sso, "alice")  # the client now caches the provider's key set
    old_token = sso.sign(_claims(sso.issuer))
    kids = sso.control("rotate-keys")["kids"]
    assert len(kids) == 2
    new_token = sso.sign(_claims(sso.issuer))
    # A key id the cache does not know makes the client fetch the keys again.
    assert _backend().verify_token(new_token, nonce="n-1")["sub"] == "alice"
    assert _backend().verify_token(old_token, nonce="n-1")["sub"] == "alice"
    # A whole sign-in after the rotation works too.
    response, _ = sso_sign_in(Client(), sso, "alice")
    assert response.status_code == 302
    sso.control("retire-old-keys")
    cache.clear()  # the cached key set expires
    with pytest.raises(SuspiciousOperation):
        _backend().verify_token(old_token, nonce="n-1")
    assert _backend().verify_token(new_token, nonce="n-1")["sub"] == "alice"


# --- logout -----------------------------------------------------------------------------------
def test_logout_ends_the_session_here_and_at_the_provider(sso):
    client = Client()
    _, browser = sso_sign_in(client, sso, "alice")
    id_token = client.session["oidc_id_token"]
    response = client.post("/logout/")
    assert response.status_code == 302
    end = response["Location"]
    assert end.startswith(f"{sso.issuer}/session/end?")
    assert query(end)["id_token_hint"] == id_token
    assert query(end)["post_logout_redirect_uri"] == "http://testserver/login/"
    assert "_auth_user_id" not in client.session
    back = browser.log_out(end, until="http://testserver/login/")
    assert back.startswith("http://testserver/login/")
    # The provider forgot the person: signing in again asks for the password again.
    sso_sign_in(client, sso, "alice", browser=browser)
    assert browser.last_login_form
    assert "auth.signed_out" in actions()


# --- step-up ----------------------------------------------------------------------------------
def test_step_up_asks_the_provider_to_sign_in_again_and_checks_auth_time(sso):
    client = Client()
    _, browser = sso_sign_in(client, sso, "alice")
    start = client.get("/sso/step-up/?next=/review-queue/")
    assert start.status_code == 302
    params = query(start["Location"])
    assert params["prompt"] == "login" and params["max_age"] == "300"
    before = time.time()
    time.sleep(1.1)  # auth_time has a one-second resolution
    callback = browser.sign_in(start["Location"], "alice", until=CALLBACK)
    assert browser.last_login_form  # the provider asked for the password again
    back = client.get(path_and_query(callback))
    assert back.status_code == 302 and back["Location"] == "/review-queue/"
    proof = client.session["step_up"]
    assert proof["method"] == "oidc_step_up" and proof["at"] >= int(before)
    event = AuditEvent.objects.get(action="auth.step_up")
    assert event.payload["method"] == "oidc_step_up"


def test_a_step_up_whose_auth_time_is_older_than_the_request_is_refused(sso):
    client = Client()
    _, browser = sso_sign_in(client, sso, "alice")
    start = client.get("/sso/step-up/?next=/")
    state = query(start["Location"])["state"]
    session = client.session
    # As if the provider had ignored prompt=login and reused an old sign-in.
    session["sso_step_ups"][state]["requested_at"] = time.time() + 3600
    session.save()
    callback = browser.sign_in(start["Location"], "alice", until=CALLBACK)
    client.get(path_and_query(callback))
    assert "step_up" not in client.session
    event = AuditEvent.objects.get(action="auth.step_up_failed")
    assert "password again" in event.payload["reason"]


# --- disabled at the provider -----------------------------------------------------------------
def test_api_tokens_stop_when_the_provider_disables_the_person(sso):
    sso_sign_in(Client(), sso, "alice")
    alice = User.objects.get(username="alice")
    raw = api_token_issue(user=alice, name="script").raw
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/me/").status_code == 200
    counts = sso_accounts_check(force=True)
    assert counts["ok"] == 1, counts
    sso.control("users/alice", {"enabled": False})
    try:
        assert sso_accounts_check(force=True)["suspended"] == 1
        assert api.get("/api/v1/me/").status_code == 401
        alice.refresh_from_db()
        assert not alice.is_active and alice.external_identity.suspended_at is not None
        event = AuditEvent.objects.get(action="user.suspended_by_provider")
        assert "invalid_grant" in event.payload["reason"]
    finally:
        sso.control("users/alice", {"enabled": True})
    # Back at the provider: signing in there again lets them in here again.
    response, _ = sso_sign_in(Client(), sso, "alice")
    assert response.status_code == 302
    assert api.get("/api/v1/me/").status_code == 200


def test_the_periodic_task_runs_the_account_check(sso):
    sso_sign_in(Client(), sso, "carol")
    sso.control("users/carol", {"enabled": False})
    try:
        ExternalIdentity.objects.update(last_checked_at=None)  # due
        sso_accounts_check_task.delay()
        assert not User.objects.get(username="carol").is_active
    finally:
        sso.control("users/carol", {"enabled": True})


def test_the_account_check_resyncs_groups_and_suspends_the_unmapped(sso):
    sso_sign_in(Client(), sso, "alice")
    alice = User.objects.get(username="alice")
    sso.control("users/alice", {"groups": ["canteen"]})
    try:
        assert sso_accounts_check(force=True) == {
            "ok": 0,
            "suspended": 1,
            "unreachable": 0,
            "no_refresh_token": 0,
        }
        alice.refresh_from_db()
        assert not alice.is_active
    finally:
        sso.control("users/alice", {"groups": ["gov-compliance", "credit-risk"]})


def test_an_unreachable_provider_suspends_nobody(sso, settings):
    sso_sign_in(Client(), sso, "alice")
    cache.clear()
    settings.OIDC_ISSUER = "http://127.0.0.1:9"  # nothing listens on the discard port
    ExternalIdentity.objects.update(issuer="http://127.0.0.1:9")
    counts = sso_accounts_check(force=True)
    assert counts["unreachable"] == 1 and counts["suspended"] == 0
    assert User.objects.get(username="alice").is_active


# --- the admins' rules ------------------------------------------------------------------------
def test_admins_manage_group_rules_over_the_api_with_audit_events(api, admin_user, officer, team):
    client = api(admin_user)
    created = client.post(
        "/api/v1/sso/group-mappings/", {"group": "risk-office", "role": "auditor", "team": "credit"}
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["group"], body["role"], body["team"]) == ("risk-office", "auditor", "credit")
    again = client.post(
        "/api/v1/sso/group-mappings/", {"group": "risk-office", "role": "auditor", "team": "credit"}
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "mapping_exists"
    empty = client.post("/api/v1/sso/group-mappings/", {"group": "x"})
    assert empty.status_code == 400 and empty.json()["error"]["code"] == "empty_rule"
    assert api(officer).get("/api/v1/sso/group-mappings/").status_code == 403
    listed = client.get("/api/v1/sso/group-mappings/").json()
    assert [row["group"] for row in listed["results"]] == ["risk-office"]
    assert client.delete(f"/api/v1/sso/group-mappings/{body['id']}/").status_code == 204
    assert not GroupMapping.objects.exists()
    assert actions(action__startswith="sso.") == [
        "sso.group_mapping_created",
        "sso.group_mapping_deleted",
    ]


def test_admins_manage_group_rules_on_the_sign_in_page(admin_user, officer, team):
    client = Client()
    client.force_login(admin_user)
    page = client.get("/people/sign-in/")
    assert page.status_code == 200 and "No rules yet" in page.content.decode()
    response = client.post(
        "/people/sign-in/rules/", {"group": "gov-compliance", "role": "compliance_officer"}
    )
    assert response.status_code == 302
    mapping = GroupMapping.objects.get()
    assert "gov-compliance" in client.get("/people/sign-in/").content.decode()
    refused = client.post("/people/sign-in/rules/", {"group": "nothing"})
    assert refused.status_code == 400
    client.post(f"/people/sign-in/rules/{mapping.pk}/delete/")
    assert not GroupMapping.objects.exists()
    other = Client()
    other.force_login(officer)
    assert other.get("/people/sign-in/").status_code == 403
