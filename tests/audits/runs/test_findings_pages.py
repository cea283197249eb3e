"""The findings browser: filters, team scoping, resolving in place, a fixed query count, and
the dashboard panels that link to it (open findings, overdue audits)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audits.programme.models import AuditSchedule
from audits.runs.models.checks import CheckRun
from audits.runs.models.findings import Finding
from governance.kernel.audit.models import AuditEvent
from registry.services.systems import system_create

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make_findings(model_version, scientist, n: int, *, severity="high", status="open", code="x"):
    rows = []
    for i in range(n):
        run = CheckRun.objects.create(
            kind="fairness", model_version=model_version, requested_by=scientist
        )
        rows.append(
            Finding.objects.create(
                model_version=model_version,
                source="check",
                check_run=run,
                severity=severity,
                code=f"{code}_{i}",
                message=f"{code} message {i}",
                status=status,
            )
        )
    return rows


def test_lists_open_findings_most_severe_first_with_links(users, model_version, scientist, system):
    make_findings(model_version, scientist, 1, severity="low", code="minor")
    high = make_findings(model_version, scientist, 1, severity="high", code="parity")[0]
    make_findings(model_version, scientist, 1, status="resolved", code="done")
    html = client_for(users["auditor"]).get("/findings/").content.decode()
    assert html.index("parity_0") < html.index("minor_0")
    assert "done_0" not in html  # open ones by default
    assert f"/model-versions/{model_version.pk}/" in html
    assert f"/checks/{high.check_run_id}/" in html
    assert system.name in html
    assert "/resolve/" not in html  # auditors read only


@pytest.mark.parametrize(
    "query, shown, hidden",
    [
        ("?severity=high", ["parity_0"], ["minor_0", "done_0"]),
        ("?status=resolved", ["done_0"], ["parity_0", "minor_0"]),
        ("?status=all", ["done_0", "parity_0", "minor_0"], []),
        ("?q=minor", ["minor_0"], ["parity_0"]),
        ("?status=bogus&severity=bogus", ["parity_0", "minor_0"], ["done_0"]),
    ],
)
def test_filters(officer, model_version, scientist, query, shown, hidden):
    make_findings(model_version, scientist, 1, severity="low", code="minor")
    make_findings(model_version, scientist, 1, severity="high", code="parity")
    make_findings(model_version, scientist, 1, status="resolved", code="done")
    html = client_for(officer).get("/findings/" + query).content.decode()
    for code in shown:
        assert code in html
    for code in hidden:
        assert code not in html


def test_system_filter_and_severity_tab_counts(officer, model_version, scientist, system, team):

    other = system_create(actor=scientist, team=team, name="Chatbot")
    make_findings(model_version, scientist, 2, severity="high", code="parity")
    client = client_for(officer)
    assert "parity_0" not in client.get(f"/findings/?system={other.pk}").content.decode()
    html = client.get(f"/findings/?system={system.pk}").content.decode()
    assert "parity_0" in html and "parity_1" in html
    assert 'High <span class="badge badge-bad">2</span>' in html
    partial = client.get(f"/findings/?system={other.pk}", HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content
    assert b'hx-swap-oob="true"' in partial.content  # the tab counts follow the filters
    assert b"No open finding matches" in partial.content


def test_another_team_sees_nothing(outsider, model_version, scientist):
    make_findings(model_version, scientist, 1, code="parity")
    response = client_for(outsider).get("/findings/")
    assert response.status_code == 200
    assert b"parity_0" not in response.content


def test_officer_resolves_a_finding_in_place(officer, model_version, scientist):
    finding = make_findings(model_version, scientist, 1, code="parity")[0]
    response = client_for(officer).post(
        f"/findings/{finding.pk}/resolve/",
        {"comment": "Retrained with reweighing; see run 7."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith(f'<tr id="finding-{finding.pk}">') and ">Resolved<" in html
    assert "Retrained with reweighing" in html
    finding.refresh_from_db()
    assert finding.status == "resolved" and finding.resolved_by == officer
    assert AuditEvent.objects.filter(action="finding.resolved").exists()
    again = client_for(officer).post(
        f"/findings/{finding.pk}/resolve/", {"comment": ""}, HTTP_HX_REQUEST="true"
    )
    # HTMX swaps only 2xx answers: the refusal is shown in the row.
    assert again.status_code == 200 and b"already resolved" in again.content


def test_resolving_without_htmx_redirects_with_a_message(admin_user, model_version, scientist):
    finding = make_findings(model_version, scientist, 1)[0]
    client = client_for(admin_user)
    response = client.post(f"/findings/{finding.pk}/resolve/", {"comment": "ok"}, follow=True)
    assert response.redirect_chain[-1][0] == "/findings/"
    assert f"Finding #{finding.pk} resolved." in response.content.decode()


@pytest.mark.parametrize("who", ["data_scientist", "auditor"])
def test_only_officers_and_admins_resolve(users, model_version, scientist, who):
    finding = make_findings(model_version, scientist, 1)[0]
    response = client_for(users[who]).post(f"/findings/{finding.pk}/resolve/", {"comment": "x"})
    assert response.status_code == 403
    finding.refresh_from_db()
    assert finding.status == "open"


def test_resolving_another_teams_finding_is_404(outsider, model_version, scientist):
    finding = make_findings(model_version, scientist, 1)[0]
    assert client_for(outsider).post(f"/findings/{finding.pk}/resolve/").status_code in (403, 404)


def _count(client, url: str, **headers) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, **headers).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url", ["/findings/", "/findings/?status=all", "/findings/?severity=high&q=x"]
)
def test_findings_page_has_a_fixed_query_count(officer, model_version, scientist, url):
    client = client_for(officer)
    make_findings(model_version, scientist, 1)
    few = _count(client, url), _count(client, url, HTTP_HX_REQUEST="true")
    make_findings(model_version, scientist, 12, code="more")
    make_findings(model_version, scientist, 3, severity="medium", status="resolved", code="r")
    assert (_count(client, url), _count(client, url, HTTP_HX_REQUEST="true")) == few


def test_dashboard_shows_open_findings_and_overdue_audits(
    officer, model_version, scientist, system
):
    make_findings(model_version, scientist, 2, severity="high")
    make_findings(model_version, scientist, 1, severity="medium")
    make_findings(model_version, scientist, 1, severity="low", status="resolved")
    AuditSchedule.objects.create(
        system=system, interval_days=30, next_due=timezone.now() - timedelta(days=3)
    )
    client = client_for(officer)
    html = client.get("/").content.decode()
    assert "Open findings" in html
    assert '/findings/?status=open&amp;severity=high"' in html
    assert "Overdue audits" in html and system.name in html
    one = _count(client, "/")
    make_findings(model_version, scientist, 10, severity="info")
    assert _count(client, "/") == one


def test_dashboard_when_nothing_is_due_or_open(officer, model_version):
    html = client_for(officer).get("/").content.decode()
    assert "No open finding" in html
    assert "Every scheduled audit has run on time." in html
