"""In Chromium: axe-core finds no WCAG 2.0/2.1 level A or AA violation on any page.

Each demo role signs in once (one browser context per role) and walks the site from its
dashboard, following every link it is shown, so each page is checked as a role that sees it.
A page is checked once per route (inventory kinds count as pages of their own); the dashboard,
which differs most between roles, is checked for each role, and every tab of a page with tabs
is opened in turn. The login and not-found pages are checked signed out, the refused page as a
data scientist. axe-core comes from npm (``make axe``, lock file in tests/e2e/axe; run on first
use); without npm the test is skipped. The walk takes a few minutes on a busy machine: it is
the one test that opens every page.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import parse_qs, urldefrag, urlparse

import pytest
from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError

from audits.programme.services.schedules import audit_run_request
from governance.obligations.conformity.services import declaration_draft
from governance.obligations.incidents.services import incident_open
from tests.e2e.conftest import login
from tests.e2e.test_governance_flow import demo  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ROLES = [
    ("compliance", "compliance-demo-2026"),
    ("admin", "admin-demo-2026"),
    ("scientist", "scientist-demo-2026"),
    ("owner", "owner-demo-2026"),
    ("auditor", "auditor-demo-2026"),
]
# Query parameters that make a different page rather than a filtered one.
PAGE_PARAMS = ("kind", "tab")
# Not pages: downloads, the API, Django's admin, signing out or away to another site.
SKIP_PREFIXES = ("/api/", "/admin/", "/static/", "/media/", "/logout", "/sso/", "/healthz")
SKIP_SUFFIXES = (".csv", ".xlsx", ".pdf", ".png", ".svg", ".json", ".zip", ".html.zip")
SKIP_WORDS = (
    "download",
    "export",
    "/file/",
    "/artefact",
    "/bundle",
    "/raw",
    "/pdf",
    "evidence-pack",
)


AXE_RUN = """([context, tags]) => axe
  .run(context || document, {runOnly: {type: 'tag', values: tags}})
  .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 4).map(n => n.target.join(' ') + ' :: '
      + (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 200))})))"""


def _axe(page, url: str, problems: list[str], context: str | None = None) -> None:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    for v in page.evaluate(AXE_RUN, [context, TAGS]):
        where = f"{url} {context}" if context else url
        problems.append(
            f"{where}: {v['id']} ({v['impact']}) {v['help']}\n    " + "\n    ".join(v["nodes"])
        )


def _check(page, url: str, problems: list[str]) -> None:
    """The page as it opens, then each hidden tab panel once its tab is chosen."""
    _axe(page, url, problems)
    tabs = page.locator("[role=tab][aria-selected=false]")
    for i in range(tabs.count()):
        tab = tabs.nth(i)
        panel = tab.get_attribute("aria-controls")
        tab.click()
        _axe(page, url, problems, f"#{panel}")


def _key(path: str, query: str) -> str | None:
    try:
        route = resolve(path).route
    except Resolver404:
        return None
    params = parse_qs(query)
    tab = ",".join(f"{p}={params[p][0]}" for p in PAGE_PARAMS if p in params)
    return f"{route}?{tab}"


def _walk(page, base: str, checked: set[str], problems: list[str]) -> int:
    """Every page reachable by links from the dashboard, one per route; the ones whose route
    is not in ``checked`` yet are checked."""
    queue, queued, visited, count = ["/"], {"?"}, set(), 0
    while queue:
        target = queue.pop(0)
        try:
            response = page.goto(base + target)
        except PlaywrightError as error:  # a link to a file: not a page
            if "Download is starting" in str(error):
                continue
            raise
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        here = urlparse(page.url)
        key = _key(here.path, here.query)
        if key is None or key in visited:
            continue
        visited.add(key)
        if key not in checked or here.path == "/":
            checked.add(key)
            _check(page, target, problems)
            count += 1
        for href in page.eval_on_selector_all(
            "a[href]", "els => els.map(a => new URL(a.getAttribute('href'), location.href).href)"
        ):
            href, _ = urldefrag(href)
            link = urlparse(href)
            if not href.startswith(base) or link.path.startswith(SKIP_PREFIXES):
                continue
            if link.path.endswith(SKIP_SUFFIXES) or any(w in link.path for w in SKIP_WORDS):
                continue
            # One representative URL per route is enough.
            link_key = _key(link.path, link.query)
            if link_key is None or link_key in queued:
                continue
            queued.add(link_key)
            queue.append(link.path + (f"?{link.query}" if link.query else ""))
    return count


@pytest.fixture(scope="module")
def axe_installed():
    """npm ci from the lock file (make axe), once per checkout; skipped without npm."""
    if not AXE.exists():
        if shutil.which("npm") is None:
            pytest.skip("npm is not installed: axe-core cannot be installed (make axe)")
        root = Path(__file__).resolve().parents[2]
        subprocess.run(["make", "--no-print-directory", "axe"], cwd=root, check=True, timeout=600)
    assert AXE.exists(), AXE


def test_no_wcag_violation_on_any_page(axe_installed, browser, live_server, demo, capsys):  # noqa: F811
    # Records the demo leaves out, so that their pages are reached too.
    officer, system = demo["people"]["compliance"], demo["system"]
    incident_open(
        actor=officer,
        system=system,
        title="Declines for one postcode",
        description="Applicants from one area were all declined for a day.",
        category="widespread",
        owner=officer,
    )
    declaration_draft(actor=officer, system=system, model_version=demo["mv"])
    audit_run_request(actor=officer, system=system)
    started = time.monotonic()
    problems: list[str] = []
    seen: set[str] = set()
    counted = 0
    for username, password in ROLES:
        context = browser.new_context(viewport={"width": 1366, "height": 900}, bypass_csp=True)
        page = context.new_page()
        login(page, live_server, username, password)
        counted += _walk(page, live_server.url, seen, problems)
        context.close()

    context = browser.new_context(viewport={"width": 1366, "height": 900}, bypass_csp=True)
    page = context.new_page()
    for path, status in (("/login/", 200), ("/no-such-page/", 404)):
        response = page.goto(live_server.url + path)
        assert response.status == status, path
        _check(page, path, problems)
        counted += 1
    context.close()
    # A page refused to a role (403).
    context = browser.new_context(viewport={"width": 1366, "height": 900}, bypass_csp=True)
    page = context.new_page()
    login(page, live_server, "scientist", "scientist-demo-2026")
    response = page.goto(live_server.url + "/people/")
    assert response.status == 403
    _check(page, "/people/ (403)", problems)
    counted += 1
    context.close()

    with capsys.disabled():
        print(
            f"\naxe-core {', '.join(TAGS)}: {counted} pages checked ({len(seen)} routes) in"
            f" {time.monotonic() - started:.0f} s, {len(problems)} violations"
        )
    assert counted > 40, counted
    assert not problems, "\n".join(problems)
    # The checks ran for real: a page with an unlabelled field is reported.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_content('<html lang="en"><title>t</title><main><input type="text"></main></html>')
    _axe(page, "fixture", problems)
    context.close()
    assert any("label" in p for p in problems), json.dumps(problems)
