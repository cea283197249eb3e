"""Single sign-on in Chromium: a compliance officer known only to the company's identity
provider signs in, is mapped to their role from a group, approves a high-risk version after
re-authenticating at the provider, and logs out of both."""

from __future__ import annotations

import pytest

from governance.kernel.accounts.models import Role, User
from governance.kernel.accounts.sso.models import GroupMapping
from governance.review.approvals.models import Decision
from tests.e2e.conftest import shot
from tests.e2e.test_governance_flow import demo, submitted  # noqa: F401  (fixtures)
from tests.oidc_provider.harness import CLIENT_ID, CLIENT_SECRET, NODE, SKIP_REASON, TestProvider

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def provider(live_server, settings):
    if NODE is None:
        pytest.skip(SKIP_REASON)
    provider = TestProvider(
        redirect_uris=[f"{live_server.url}/sso/callback/"],
        post_logout_redirect_uris=[f"{live_server.url}/login/"],
    )
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    yield provider
    provider.stop()


def _sign_in_at_provider(page, username: str, password: str) -> None:
    page.wait_for_url("**/interaction/**")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_with_sso_then_approve_with_step_up(page, live_server, provider, submitted):  # noqa: F811
    GroupMapping.objects.create(group="gov-compliance", role=Role.COMPLIANCE_OFFICER)
    page.goto(f"{live_server.url}/login/")
    shot(page, "sso-login")
    page.get_by_role("link", name="Sign in with your company account").click()
    _sign_in_at_provider(page, "alice", "alice-password-1")
    page.wait_for_url(f"{live_server.url}/")
    alice = User.objects.get(username="alice")
    assert alice.role == Role.COMPLIANCE_OFFICER
    assert page.get_by_text("Compliance officer").first.is_visible()

    page.goto(f"{live_server.url}/model-versions/{submitted.pk}/")
    page.get_by_role("link", name="Approve…").click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    dialog.get_by_label("Comment").fill("Evidence complete; signed after re-authenticating.")
    shot(page, "sso-approval-dialog")
    dialog.get_by_role("button", name="Re-authenticate to sign").click()
    # The provider asks for the password again even though its session is alive.
    _sign_in_at_provider(page, "alice", "alice-password-1")
    page.wait_for_url("**/decide/?decision=approve&resume=1")
    assert page.get_by_text("You re-authenticated at your identity provider").is_visible()
    assert "signed after re-authenticating" in page.get_by_label("Comment").input_value()
    shot(page, "sso-approval-resumed")
    page.get_by_role("button", name="Sign and approve").click()
    page.wait_for_url(f"{live_server.url}/model-versions/{submitted.pk}/")
    assert page.get_by_text("was signed and recorded").is_visible()
    decision = Decision.objects.get(reviewer=alice)
    assert decision.signed_with == "oidc_step_up" and decision.authenticated_at is not None

    page.get_by_role("button", name="Log out").click()
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{live_server.url}/login/**")
    assert not page.console_errors, page.console_errors
