"""The findings list as CSV and Excel: the page's filters, every page, most severe first, and
only the findings the user's team and role let them see."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from tests.audits.runs.test_findings_pages import make_findings

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def read_csv(response) -> list[dict]:
    assert response.status_code == 200, response.getvalue()[:300]
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))


def read_xlsx(response) -> list[dict]:
    assert response.status_code == 200, response.getvalue()[:300]
    book = openpyxl.load_workbook(io.BytesIO(response.getvalue()), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


READERS = [("csv", read_csv), ("xlsx", read_xlsx)]


def test_anonymous_is_sent_to_login_and_other_formats_are_404(auditor):
    assert Client().get("/findings/export.csv").status_code == 302
    assert client_for(auditor).get("/findings/export.json").status_code == 404


@pytest.mark.parametrize("fmt, reader", READERS)
def test_every_role_of_the_team_exports_what_the_page_shows(
    users, model_version, scientist, fmt, reader
):
    make_findings(model_version, scientist, 1, severity="low", code="minor")
    make_findings(model_version, scientist, 1, severity="high", code="parity")
    make_findings(model_version, scientist, 1, status="resolved", code="done")
    for who in ("admin", "compliance_officer", "data_scientist", "auditor"):
        rows = reader(client_for(users[who]).get(f"/findings/export.{fmt}"))
        # Open ones by default, most severe first: the page's order.
        assert [r["Code"] for r in rows] == ["parity_0", "minor_0"], who
        assert rows[0]["Severity"] == "High" and rows[0]["Status"] == "Open"
        assert rows[0]["AI system"] == "Credit scoring" and rows[0]["Team"] == "Credit"
        assert rows[0]["Model"] == "risk-gbm" and rows[0]["Version"] == "1.0.0"
        assert rows[0]["Model version page"].endswith(f"/model-versions/{model_version.pk}/")
    assert reader(client_for(users["outsider"]).get(f"/findings/export.{fmt}")) == []


def test_filters_status_severity_search_and_every_page(auditor, model_version, scientist):
    make_findings(model_version, scientist, 30, severity="medium", code="drift")
    make_findings(model_version, scientist, 2, severity="high", code="drift_high")
    make_findings(model_version, scientist, 3, status="resolved", code="drift_old")
    client = client_for(auditor)
    assert len(read_csv(client.get("/findings/export.csv?q=drift"))) == 32
    assert len(read_csv(client.get("/findings/export.csv?q=drift&status=all"))) == 35
    medium = read_xlsx(client.get("/findings/export.xlsx?q=drift&severity=medium"))
    assert len(medium) == 30 and {r["Severity"] for r in medium} == {"Medium"}
    resolved = read_csv(client.get("/findings/export.csv?status=resolved"))
    assert {r["Code"] for r in resolved} == {"drift_old_0", "drift_old_1", "drift_old_2"}


def test_mine_and_overdue_and_typed_cells(officer, scientist, model_version):
    late, mine, _other = make_findings(model_version, scientist, 3, code="gap")
    late.due_date = timezone.localdate() - timedelta(days=2)
    late.value, late.threshold = 0.31, 0.1
    late.save()
    mine.assignee = scientist
    mine.save()
    rows = read_xlsx(client_for(officer).get("/findings/export.xlsx?overdue=1"))
    assert [r["Code"] for r in rows] == ["gap_0"]
    assert rows[0]["Overdue"] == "yes"
    assert rows[0]["Value"] == pytest.approx(0.31) and rows[0]["Threshold"] == pytest.approx(0.1)
    assert rows[0]["Due date"].date() == late.due_date  # a real date cell, not text
    assert rows[0]["Finding"] == late.pk
    mine_rows = read_csv(client_for(scientist).get("/findings/export.csv?mine=1"))
    assert [(r["Code"], r["Assignee"]) for r in mine_rows] == [("gap_1", "scientist1")]


def test_formula_like_messages_are_neutralised(auditor, model_version, scientist):
    finding = make_findings(model_version, scientist, 1, code="x")[0]
    finding.message = "=cmd|' /C calc'!A0"
    finding.save()
    assert read_csv(client_for(auditor).get("/findings/export.csv"))[0]["Message"].startswith("'=")
    assert read_xlsx(client_for(auditor).get("/findings/export.xlsx"))[0]["Message"].startswith(
        "'="
    )


def test_the_page_links_to_both_exports_with_its_filters(auditor, model_version, scientist):
    make_findings(model_version, scientist, 1, code="x")
    html = client_for(auditor).get("/findings/?status=all&q=x").content.decode()
    assert 'href="/findings/export.csv?status=all&amp;q=x"' in html
    assert 'href="/findings/export.xlsx?status=all&amp;q=x"' in html
    partial = client_for(auditor).get("/findings/?status=resolved", HTTP_HX_REQUEST="true")
    assert b'href="/findings/export.csv?status=resolved"' in partial.content
