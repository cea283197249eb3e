"""Single-sign-on fixtures: the real test OpenID provider (Node.js) on loopback, and the
registry configured to use it. Conftest files import them by name."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from governance.kernel.accounts.models import Role
from governance.kernel.accounts.sso.models import GroupMapping
from tests.oidc_provider.harness import (
    CLIENT_ID,
    CLIENT_SECRET,
    NODE,
    SKIP_REASON,
    Browser,
    TestProvider,
    path_and_query,
)

CALLBACK = "http://testserver/sso/callback/"


@pytest.fixture(scope="session")
def oidc_provider():
    if NODE is None:
        pytest.skip(SKIP_REASON)
    provider = TestProvider(
        redirect_uris=[CALLBACK], post_logout_redirect_uris=["http://testserver/login/"]
    )
    yield provider
    provider.stop()


@pytest.fixture
def sso(oidc_provider, settings, team):
    """The registry signing in at the test provider, with the usual group rules: compliance
    officers and admins from their groups, the credit-risk group joining the Credit team."""
    settings.OIDC_ISSUER = oidc_provider.issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_CLOCK_SKEW_SECONDS = 5
    cache.clear()
    GroupMapping.objects.create(group="gov-compliance", role=Role.COMPLIANCE_OFFICER)
    GroupMapping.objects.create(group="gov-admins", role=Role.ADMIN)
    GroupMapping.objects.create(group="credit-risk", team=team)
    GroupMapping.objects.create(group="data-science", role=Role.DATA_SCIENTIST)
    return oidc_provider


def sso_sign_in(
    client: Client,
    provider,
    username: str,
    *,
    browser: Browser | None = None,
    start: str = "/sso/login/",
):
    """Click "Sign in with your company account", sign in at the provider, come back."""
    browser = browser or Browser(provider)
    response = client.get(start)
    assert response.status_code == 302, response
    callback = browser.sign_in(response["Location"], username, until=CALLBACK)
    return client.get(path_and_query(callback)), browser
