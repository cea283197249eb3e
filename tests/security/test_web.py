"""The HTML side: CSRF on every form endpoint, a strict Content-Security-Policy on every page
and no inline script in the main pages, login throttling.

``check --deploy`` under the production environment is covered by
tests/governance/test_settings.py.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SAMPLE_ARGS = {"<int:pk>": "1", "<slug:tier>": "high_risk", "<str:name>": "x", "<path:path>": "x"}


def _walk(resolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


def html_routes() -> list[str]:
    """Every non-API route of the application (the Django admin excluded), made concrete."""
    urls = []
    for route in _walk(get_resolver()):
        if route.startswith(("api/", "admin/", "static/", "media/")) or "(?P" in route:
            continue
        for placeholder, value in SAMPLE_ARGS.items():
            route = route.replace(placeholder, value)
        assert "<" not in route, f"no sample value for {route}"
        urls.append("/" + route)
    return sorted(set(urls))


def test_routes_are_found():
    urls = html_routes()
    assert "/login/" in urls and "/people/new/" in urls and "/reports/generate/" in urls
    assert len(urls) > 25, urls


def test_csrf_enforced_on_every_form_endpoint(users, model_version):
    """A POST without a CSRF token is refused on every HTML route, signed in or not; no
    view is exempt."""
    signed_in = Client(enforce_csrf_checks=True)
    signed_in.force_login(users["admin"])
    anonymous = Client(enforce_csrf_checks=True)
    problems = []
    for url in html_routes():
        for label, client in (("admin", signed_in), ("anonymous", anonymous)):
            response = client.post(url, {"username": "x", "password": "y"})
            if response.status_code != 403 or b"CSRF" not in response.content:
                problems.append(f"{label} POST {url} -> {response.status_code}")
    assert not problems, "\n".join(problems)


def test_csrf_token_is_what_lets_a_post_through(users):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/login/")
    token = (
        re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1).decode()
    )
    response = client.post(
        "/login/",
        {"username": users["auditor"].username, "password": "wrong", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 200  # the form again, with an error: not a CSRF refusal


def test_session_authenticated_api_writes_need_csrf(users, team):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["data_scientist"])
    response = client.post(
        "/api/v1/systems/", {"team": team.slug, "name": "x"}, content_type="application/json"
    )
    assert response.status_code == 403


SCRIPT_DIRECTIVE = re.compile(r"(?:^|;)\s*(script-src|default-src)\s+([^;]*)")


def assert_strict_csp(url: str, response) -> None:
    policy = response.get("Content-Security-Policy", "")
    assert policy, f"{url}: no Content-Security-Policy"
    directives = dict(SCRIPT_DIRECTIVE.findall(policy))
    assert "script-src" in directives or "default-src" in directives, (url, policy)
    for sources in directives.values():
        assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources, (url, policy)
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


def test_csp_on_every_html_page(users, model_version):
    client = Client()
    client.force_login(users["admin"])
    seen = 0
    for url in html_routes():
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        if response.get("Content-Type", "").startswith("text/html"):
            assert_strict_csp(url, response)
            seen += 1
    assert seen > 10


INLINE_SCRIPT = re.compile(rb"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(rb"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
JS_URL = re.compile(rb"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)


def main_pages(model_version, dataset_version):
    return {
        "login": (None, reverse("login")),
        "dashboard": ("compliance_officer", reverse("home")),
        "inventory": ("compliance_officer", reverse("inventory")),
        "model version": ("compliance_officer", f"/model-versions/{model_version.pk}/"),
        "dataset version": ("compliance_officer", f"/dataset-versions/{dataset_version.pk}/"),
        "review queue": ("compliance_officer", reverse("review-queue")),
        "audit trail": ("auditor", reverse("audit-trail")),
        "reports": ("auditor", reverse("reports")),
        "people": ("admin", reverse("people")),
        "policies": ("admin", reverse("policies")),
        "profile": ("data_scientist", reverse("profile")),
    }


def test_main_pages_have_no_inline_script(users, model_version, dataset_version):
    for name, (role, url) in main_pages(model_version, dataset_version).items():
        client = Client()
        if role:
            client.force_login(users[role])
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        assert_strict_csp(url, response)
        html = response.content
        assert not INLINE_SCRIPT.search(html), (name, INLINE_SCRIPT.search(html).group(0))
        assert not INLINE_HANDLER.search(html), (name, INLINE_HANDLER.search(html).group(0))
        assert not JS_URL.search(html), name


def test_login_is_throttled(users):
    client = Client()
    username = users["auditor"].username
    for _ in range(django_settings.LOGIN_ATTEMPTS):
        response = client.post("/login/", {"username": username, "password": "wrong"})
        assert response.status_code == 200
    response = client.post("/login/", {"username": username, "password": "wrong"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    # Even the right password is refused while locked.

    response = client.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 429


def test_api_token_endpoint_is_throttled(users, settings):

    client = APIClient()
    codes = [
        client.post(
            "/api/v1/auth/token/",
            {"username": users["auditor"].username, "password": "wrong"},
            format="json",
        ).status_code
        for _ in range(15)
    ]
    assert 429 in codes, codes
