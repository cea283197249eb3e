"""The transparency page: duties with their latest measure, the form recording one, and
who may record (the system's team scientists, compliance officers, admins)."""

from __future__ import annotations

import pytest
from django.test import Client

from governance.kernel.audit.models import AuditEvent
from governance.policy.transparency.models import TransparencyMeasure
from tests.governance.conftest import BASE, classify

pytestmark = pytest.mark.django_db

ASSISTANT = {**BASE, "q6-transparency": ["interacts", "synthetic-content"]}
BODY = {
    "duty": "synthetic_content_marking",
    "measure": "Generated answers carry the C2PA-style header X-Generated-By.",
    "evidence": "Contract test answer_header_present.",
}


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def classified(system, officer):
    classify(system, ASSISTANT, officer)
    return system


@pytest.mark.parametrize("who", ["data_scientist", "compliance_officer", "admin"])
def test_writers_record_a_measure_and_it_is_audited(users, classified, who):
    url = f"/systems/{classified.pk}/transparency/"
    page = as_user(users[who]).get(url).content.decode()
    assert "Art. 50(2)" in page and 'id="record-measure"' in page and "no measure" in page
    response = as_user(users[who]).post(url, BODY)
    assert response.status_code == 302
    row = TransparencyMeasure.objects.get(system=classified)
    assert row.recorded_by == users[who] and row.duty == "synthetic_content_marking"
    assert AuditEvent.objects.filter(action="transparency_measure.recorded").count() == 1
    page = as_user(users[who]).get(url).content.decode()
    assert "X-Generated-By" in page and "Every measure recorded" in page


def test_the_auditor_reads_but_may_not_record(users, classified):
    url = f"/systems/{classified.pk}/transparency/"
    page = as_user(users["auditor"]).get(url)
    assert page.status_code == 200 and 'id="record-measure"' not in page.content.decode()
    assert as_user(users["auditor"]).post(url, BODY).status_code == 403
    assert not TransparencyMeasure.objects.exists()


def test_another_team_neither_sees_nor_records(users, classified):
    url = f"/systems/{classified.pk}/transparency/"
    assert as_user(users["outsider"]).get(url).status_code == 404
    assert as_user(users["outsider"]).post(url, BODY).status_code == 404
    assert not TransparencyMeasure.objects.exists()


@pytest.mark.parametrize(
    "change, message",
    [
        ({"duty": "deep_fake_disclosure"}, "Select a valid choice"),
        ({"measure": "  "}, "This field is required"),
        ({"evidence": "x" * 10_001}, "at most 10000 characters"),
    ],
)
def test_bad_input_is_a_400_with_the_reason(users, classified, change, message):
    response = as_user(users["data_scientist"]).post(
        f"/systems/{classified.pk}/transparency/", {**BODY, **change}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not TransparencyMeasure.objects.exists()


def test_a_system_without_duties_offers_no_form(users, system, officer):
    classify(system, BASE, officer)
    page = as_user(users["data_scientist"]).get(f"/systems/{system.pk}/transparency/")
    assert "gives this system no Art. 50 duty" in page.content.decode()
    assert 'id="record-measure"' not in page.content.decode()
