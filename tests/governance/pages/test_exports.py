"""The inventory register as CSV and Excel: the page's filters, every page of rows, and only
what the user's team and role let them see (the same selectors as the page)."""

from __future__ import annotations

import csv
import io
import tracemalloc
from datetime import date

import openpyxl
import pytest
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import Client

from governance.kernel.accounts.models import Role
from governance.kernel.audit.models import AuditEvent
from governance.kernel.exports import tabular_response
from registry.services.systems import system_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def read_csv(response) -> list[dict]:
    text = response.getvalue().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def read_xlsx(response) -> list[dict]:
    book = openpyxl.load_workbook(io.BytesIO(response.getvalue()), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


@pytest.fixture
def two_teams(scientist, team, outsider, other_team):
    ours = system_create(
        actor=scientist, team=team, name="Credit scoring", intended_purpose="Score credit."
    )
    theirs = system_create(
        actor=outsider, team=other_team, name="Churn", intended_purpose="=HYPERLINK(1)"
    )
    return ours, theirs


def test_anonymous_is_sent_to_login():
    response = Client().get("/inventory/export.csv")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_unknown_format_is_404(scientist):
    assert client_for(scientist).get("/inventory/export.pdf").status_code == 404


@pytest.mark.parametrize("fmt, reader", [("csv", read_csv), ("xlsx", read_xlsx)])
def test_systems_export_follows_team_visibility(users, two_teams, fmt, reader):
    expected = {
        "data_scientist": {"Credit scoring"},
        "outsider": {"Churn"},
        "auditor": {"Credit scoring", "Churn"},
        "compliance_officer": {"Credit scoring", "Churn"},
        "admin": {"Credit scoring", "Churn"},
    }
    for who, names in expected.items():
        response = client_for(users[who]).get(f"/inventory/export.{fmt}?kind=systems")
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert f".{fmt}" in response["Content-Disposition"]
        rows = reader(response)
        assert {r["AI system"] for r in rows} == names, who


def test_a_scientist_without_a_team_exports_nothing(two_teams):
    loner = UserFactory(role=Role.DATA_SCIENTIST, teams=[], username="loner")
    rows = read_csv(client_for(loner).get("/inventory/export.csv?kind=systems"))
    assert rows == []


def test_export_applies_the_page_filters_and_every_page(auditor, scientist, team):
    for i in range(30):  # more than one page of 25
        system_create(actor=scientist, team=team, name=f"Scoring {i:02}", intended_purpose="x")
    system_create(actor=scientist, team=team, name="Other", intended_purpose="x")
    rows = read_xlsx(client_for(auditor).get("/inventory/export.xlsx?kind=systems&q=Scoring"))
    assert len(rows) == 30
    assert [r["AI system"] for r in rows] == sorted(r["AI system"] for r in rows)
    assert {r["Risk tier"] for r in rows} == {"Not classified"}
    assert rows[0]["Link"].startswith("http://testserver/systems/")


def test_formula_text_is_neutralised_in_both_formats(auditor, two_teams):
    client = client_for(auditor)
    csv_rows = read_csv(client.get("/inventory/export.csv?kind=systems&q=Churn"))
    assert csv_rows[0]["Intended purpose"] == "'=HYPERLINK(1)"
    book = openpyxl.load_workbook(
        io.BytesIO(client.get("/inventory/export.xlsx?kind=systems&q=Churn").getvalue())
    )
    cell = book.worksheets[0]["E2"]
    assert cell.value == "'=HYPERLINK(1)"
    assert cell.data_type == "s"


@pytest.mark.parametrize("fmt, reader", [("csv", read_csv), ("xlsx", read_xlsx)])
def test_model_versions_and_datasets_export(users, model_version, dataset_version, fmt, reader):
    for who in ("data_scientist", "auditor"):
        client = client_for(users[who])
        versions = reader(client.get(f"/inventory/export.{fmt}"))
        assert [(r["Model"], r["Version"]) for r in versions] == [("risk-gbm", "1.0.0")]
        assert versions[0]["Team"] == "Credit"
        assert versions[0]["Registered by"] == "scientist1"
        assert versions[0]["Link"].endswith(f"/model-versions/{model_version.pk}/")
        datasets = reader(client.get(f"/inventory/export.{fmt}?kind=datasets"))
        assert [(r["Dataset"], r["Version"]) for r in datasets] == [("German Credit", "1")]
    outsider = client_for(users["outsider"])
    assert reader(outsider.get(f"/inventory/export.{fmt}")) == []
    assert reader(outsider.get(f"/inventory/export.{fmt}?kind=datasets")) == []


def test_the_page_links_to_both_exports_with_its_filters(scientist, two_teams):
    html = client_for(scientist).get("/inventory/?kind=systems&q=Credit").content.decode()
    assert 'href="/inventory/export.csv?kind=systems&amp;q=Credit"' in html
    assert 'href="/inventory/export.xlsx?kind=systems&amp;q=Credit"' in html


@pytest.mark.parametrize("fmt, reader", [("csv", read_csv), ("xlsx", read_xlsx)])
def test_each_download_is_recorded_in_the_audit_trail(auditor, two_teams, fmt, reader):
    response = client_for(auditor).get(f"/inventory/export.{fmt}?kind=systems&q=Churn&team=")
    assert [r["AI system"] for r in reader(response)] == ["Churn"]
    event = AuditEvent.objects.filter(action="inventory.exported").get()
    assert event.actor_id == auditor.pk and event.actor_role == auditor.role
    assert event.payload == {
        "format": fmt,
        "filters": {"kind": "systems", "q": "Churn"},
        "rows": 1,
    }


def test_a_refused_download_records_nothing(scientist):
    assert client_for(scientist).get("/inventory/export.pdf").status_code == 404
    assert not AuditEvent.objects.filter(action="inventory.exported").exists()


def test_csv_is_streamed():
    response = client_for(UserFactory(role=Role.AUDITOR)).get("/inventory/export.csv")
    assert response.streaming
    assert response.getvalue().decode("utf-8-sig").startswith("AI system,Team,Model,Version")


def _peak_while_writing(fmt: str, count: int) -> tuple[int, int]:
    """Peak traced memory while a download of ``count`` rows is written and read through
    chunk by chunk, and the number of bytes sent."""
    actor = UserFactory(role=Role.AUDITOR)
    rows = ([i, f"row {i}", "=SUM(A1)", i * 0.5, date(2026, 1, 1)] for i in range(count))
    tracemalloc.start()
    try:
        response = tabular_response(
            fmt=fmt,
            filename="big",
            columns=["n", "name", "formula", "half", "day"],
            rows=rows,
            actor=actor,
            subject="inventory",
            filters={},
            row_count=count,
        )
        sent = sum(len(chunk) for chunk in response.streaming_content)
        # Closed as the test client does, without closing the test's database connection.
        request_finished.disconnect(close_old_connections)
        try:
            response.close()
        finally:
            request_finished.connect(close_old_connections)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, sent


@pytest.mark.parametrize("fmt, small, large", [("csv", 2_000, 40_000), ("xlsx", 500, 10_000)])
def test_memory_stays_flat_as_the_export_grows(fmt, small, large):
    """Twenty times the rows, about the same peak memory: nothing holds the whole file.
    (A few seconds: tracing every allocation slows the workbook writer down.)"""
    peak_small, sent_small = _peak_while_writing(fmt, small)
    peak_large, sent_large = _peak_while_writing(fmt, large)
    assert sent_large > 10 * sent_small
    # (About 0.3 MB for CSV, 0.45 MB for a workbook either way; a workbook of 10,000 rows
    # held in memory would add twice its 0.27 MB.)
    assert peak_large < 1.25 * peak_small + 64 * 1024, (peak_small, peak_large)
    if fmt == "csv":  # and well under the size of the file (a workbook is compressed)
        assert peak_large < sent_large / 3, (peak_large, sent_large)
