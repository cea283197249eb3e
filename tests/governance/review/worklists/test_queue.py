"""The review queue as a work list: age, deadline, assignee, and the "waiting for me",
"assigned to me" and "overdue" filters; assigning from the queue (who may, to whom)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from governance.kernel.accounts.models import Role
from governance.kernel.audit.models import AuditEvent
from governance.kernel.errors import ServiceError
from governance.policy.notifications.models import Notification
from governance.review.approvals.models import Review, ReviewStatus
from governance.review.approvals.services import model_version_submit, review_assign
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def submitted(high_risk_version, scientist):
    model_version_submit(actor=scientist, model_version=high_risk_version)
    high_risk_version.refresh_from_db()
    return high_risk_version


@pytest.fixture
def officer2(team):
    return UserFactory(role=Role.COMPLIANCE_OFFICER, teams=[team], username="officer2")


def open_round(mv) -> Review:
    return Review.objects.get(model_version=mv, status=ReviewStatus.OPEN)


def test_queue_shows_age_deadline_and_accountable(officer, submitted, settings):
    settings.REVIEW_DUE_DAYS = 10
    review = open_round(submitted)
    review.opened_at = timezone.now() - timedelta(days=3)
    review.save()
    html = as_user(officer).get("/review-queue/").content.decode()
    assert "3 days" in html
    due = (review.opened_at + timedelta(days=10)).date().isoformat()
    assert f"due {due}" in html
    assert "accountable: owner1" in html or "(accountable)" in html
    assert "overdue" not in html.split("<tbody>")[1]


def test_overdue_filter_and_badge(officer, submitted, settings):
    settings.REVIEW_DUE_DAYS = 2
    client = as_user(officer)
    assert (
        f"/model-versions/{submitted.pk}/"
        not in client.get("/review-queue/?show=overdue").content.decode()
    )
    review = open_round(submitted)
    review.opened_at = timezone.now() - timedelta(days=5)
    review.save()
    html = client.get("/review-queue/?show=overdue").content.decode()
    assert f"/model-versions/{submitted.pk}/" in html and "overdue since" in html


def test_officer_assigns_and_the_filters_follow(officer, officer2, submitted):
    client = as_user(officer)
    # Unassigned: waiting for every compliance officer who may decide.
    for who in (officer, officer2):
        html = as_user(who).get("/review-queue/?show=waiting").content.decode()
        assert f"/model-versions/{submitted.pk}/" in html, who
    response = client.post(
        f"/review-queue/{submitted.pk}/assign/", {"assignee": "officer2"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith(f'<tr id="queue-{submitted.pk}">')
    assert '<option value="officer2" selected>' in html
    assert open_round(submitted).assignee == officer2
    event = AuditEvent.objects.get(action="review.assigned")
    assert event.payload["assignee"] == "officer2" and event.actor == officer
    note = Notification.objects.get(
        recipient=officer2, event="review_requested", message__contains="asks you to decide"
    )
    assert note.payload["assigned_by"] == officer.username
    # Now it waits for officer2 only, and is in officer2's "assigned to me".
    assert (
        f"/model-versions/{submitted.pk}/"
        not in client.get("/review-queue/?show=waiting").content.decode()
    )
    other = as_user(officer2)
    for show in ("waiting", "assigned"):
        assert (
            f"/model-versions/{submitted.pk}/"
            in other.get(f"/review-queue/?show={show}").content.decode()
        )
    assert (
        f"/model-versions/{submitted.pk}/"
        not in client.get("/review-queue/?show=assigned").content.decode()
    )
    # Un-assigning.
    client.post(f"/review-queue/{submitted.pk}/assign/", {"assignee": ""})
    assert open_round(submitted).assignee is None


def test_waiting_for_me_leaves_out_what_i_decided_and_what_i_built(
    officer, owner, scientist, submitted
):
    # The accountable owner may decide: it waits for them too.
    html = as_user(owner).get("/review-queue/?show=waiting").content.decode()
    assert f"/model-versions/{submitted.pk}/" in html
    as_user(officer).post(
        f"/model-versions/{submitted.pk}/decide/",
        {"decision": "request_changes", "comment": "please add the drift plan"},
    )
    submitted.refresh_from_db()
    assert submitted.status == "changes_requested"
    assert (
        f"/model-versions/{submitted.pk}/"
        not in as_user(officer).get("/review-queue/?show=waiting").content.decode()
    )


def test_admin_waits_for_nothing_they_cannot_decide(admin_user, submitted):
    html = as_user(admin_user).get("/review-queue/?show=waiting").content.decode()
    assert f"/model-versions/{submitted.pk}/" not in html
    assert "Nothing waits for your decision." in html


@pytest.mark.parametrize(
    "who, code",
    [("scientist", "assignee_not_a_reviewer"), ("auditor", "assignee_not_a_reviewer")],
)
def test_assignee_must_be_someone_who_may_decide(officer, users, submitted, who, code, request):
    person = request.getfixturevalue(who)
    with pytest.raises(ServiceError) as exc:
        review_assign(actor=officer, model_version=submitted, assignee=person)
    assert exc.value.code == code
    response = as_user(officer).post(
        f"/review-queue/{submitted.pk}/assign/", {"assignee": person.username}
    )
    assert response.status_code == 400
    assert open_round(submitted).assignee is None
    htmx = as_user(officer).post(
        f"/review-queue/{submitted.pk}/assign/",
        {"assignee": person.username},
        HTTP_HX_REQUEST="true",
    )
    assert htmx.status_code == 200 and b'role="alert"' in htmx.content


def test_the_accountable_owner_can_be_assigned(officer, owner, submitted):
    review_assign(actor=officer, model_version=submitted, assignee=owner)
    html = as_user(owner).get("/review-queue/?show=assigned").content.decode()
    assert f"/model-versions/{submitted.pk}/" in html


def test_unknown_person_is_a_400(officer, submitted):
    response = as_user(officer).post(f"/review-queue/{submitted.pk}/assign/", {"assignee": "ghost"})
    assert response.status_code == 400
    assert b"Nobody is called" in response.content


def test_owner_may_not_assign_and_other_roles_are_refused(owner, users, submitted):
    # The accountable owner opens the queue but does not hand out work.
    response = as_user(owner).post(f"/review-queue/{submitted.pk}/assign/", {"assignee": ""})
    assert response.status_code == 403
    assert open_round(submitted).assignee is None
    for who in ("data_scientist", "auditor", "outsider"):
        response = as_user(users[who]).post(
            f"/review-queue/{submitted.pk}/assign/", {"assignee": "officer1"}
        )
        assert response.status_code == 403, who


def test_assign_needs_post_and_csrf(officer, submitted):
    assert as_user(officer).get(f"/review-queue/{submitted.pk}/assign/").status_code == 405
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    assert client.post(f"/review-queue/{submitted.pk}/assign/", {}).status_code == 403
