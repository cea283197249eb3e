"""The audit and check pages in French and German: audits, an audit run, a check run and the
checks panel of a version. Stored values (statuses, kinds) are unchanged; their labels follow
the reader's language."""

from html import unescape

import pytest
from django.test import Client

from audits.programme.models import AuditRun
from audits.runs.models.checks import CheckRun

pytestmark = pytest.mark.django_db


def read(user, url: str, accept: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 200, url
    return unescape(response.content.decode())


def test_audits_and_runs_in_french_and_german(
    officer, schedule, labelled, model_version, django_capture_on_commit_callbacks
):
    model_version.status = "in_review"
    model_version.save()
    french = read(officer, "/audits/", "fr")
    for phrase in ("Exécutions d'audit", "Auditer maintenant", "Prochaine échéance"):
        assert phrase in french, phrase
    assert "Audit now" not in french
    client = Client()
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/audits/start/", {"system": schedule.system_id})
    run = AuditRun.objects.get()
    german = read(officer, f"/audits/runs/{run.pk}/", "de")
    for phrase in (f"Audit Nr. {run.pk} von", "Auditierte Modellversionen", "Auditbericht"):
        assert phrase in german, phrase
    check = CheckRun.objects.filter(audit_run=run).first()
    page = read(officer, f"/checks/{check.pk}/", "de")
    assert "Eingaben, vor dem Lauf festgelegt" in page
    assert f"Prüfung Nr. {check.pk}" in page
    assert run.status == "succeeded"  # the stored value stays English


def test_checks_panel_in_french(scientist, model_version, labelled):
    html = read(scientist, f"/model-versions/{model_version.pk}/", "fr")
    for phrase in ("Lancer le contrôle", "Exécution exploratoire", "Qualité des données"):
        assert phrase in html, phrase
    assert "Run check" not in html
