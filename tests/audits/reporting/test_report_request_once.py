"""Asking twice for a report still being made gives the one already queued: a double click or
a retried request does not make two model cards."""

from __future__ import annotations

import pytest
from django.test import Client

from audits.reporting.models import Report
from audits.reporting.services import report_request
from governance.kernel.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_pending_report_is_the_answer_to_the_same_request(auditor, officer, model_version):
    first = report_request(actor=auditor, kind="model_card", model_version=model_version)
    again = report_request(actor=auditor, kind="model_card", model_version=model_version)
    assert again.pk == first.pk and again.reused and not first.reused
    assert Report.objects.filter(kind="model_card").count() == 1
    assert AuditEvent.objects.filter(action="report.requested").count() == 1
    # Another kind, another person, or a finished report: a new one.
    other_kind = report_request(actor=auditor, kind="annex_iv", model_version=model_version)
    other_person = report_request(actor=officer, kind="model_card", model_version=model_version)
    assert len({first.pk, other_kind.pk, other_person.pk}) == 3
    Report.objects.filter(pk=first.pk).update(status="succeeded")
    fresh = report_request(actor=auditor, kind="model_card", model_version=model_version)
    assert fresh.pk != first.pk and not fresh.reused


def test_the_second_htmx_post_adds_no_row(auditor, model_version):
    client = Client()
    client.force_login(auditor)
    body = {"kind": "model_card", "model_version": model_version.pk}
    first = client.post("/reports/generate/", body, HTTP_HX_REQUEST="true")
    assert first.status_code == 200 and b'id="report-' in first.content
    second = client.post("/reports/generate/", body, HTTP_HX_REQUEST="true")
    assert second.status_code == 204 and second.content == b""
    assert Report.objects.filter(kind="model_card").count() == 1
