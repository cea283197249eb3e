"""Report pages: access by role, HTMX progress rows, downloads audited, fixed queries."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from audits.reporting.models import Report
from governance.kernel.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("who", ["data_scientist", "outsider"])
def test_refused_roles(users, who):
    client = client_for(users[who])
    assert client.get("/reports/").status_code == 403
    assert client.post("/reports/generate/", {"kind": "inventory"}).status_code == 403


def test_generate_poll_and_download(users, model_version, django_capture_on_commit_callbacks):
    client = client_for(users["auditor"])
    with django_capture_on_commit_callbacks(execute=True):
        row = client.post(
            "/reports/generate/",
            {"kind": "model_card", "model_version": model_version.pk},
            HTTP_HX_REQUEST="true",
        )
    assert row.status_code == 200 and b'<tr id="report-' in row.content
    report = Report.objects.get()
    status = client.get(f"/reports/{report.pk}/status/")
    assert b"ready" in status.content and b"hx-trigger" not in status.content
    pdf = client.get(f"/reports/{report.pk}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    pack = client.get(f"/reports/{report.pk}/evidence-pack/")
    assert pack.status_code == 200 and pack["Content-Type"] == "application/zip"
    assert AuditEvent.objects.filter(action__startswith="report.downloaded").count() == 2
    assert client.post("/reports/generate/", {"kind": "poster"}).status_code == 400
    outsider = client_for(users["outsider"])
    assert outsider.get(f"/reports/{report.pk}/pdf/").status_code == 403


def test_a_queued_report_row_polls(users, model_version, django_capture_on_commit_callbacks):
    client = client_for(users["compliance_officer"])
    with django_capture_on_commit_callbacks(execute=False):
        row = client.post(
            "/reports/generate/",
            {"kind": "annex_iv", "model_version": model_version.pk},
            HTTP_HX_REQUEST="true",
        )
    assert b'hx-trigger="every 1s"' in row.content


def test_report_list_queries_are_fixed(users, model_version):
    auditor = users["auditor"]
    client = client_for(auditor)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/reports/").status_code == 200
        return len(ctx.captured_queries)

    Report.objects.create(kind="model_card", model_version=model_version, requested_by=auditor)
    one = count()
    for _ in range(15):
        Report.objects.create(kind="model_card", model_version=model_version, requested_by=auditor)
    assert count() == one
