"""Schedules that cannot stall: a due time already used moves on (linked to the run that used
it) instead of being skipped on every pass, and a schedule overdue by more than its interval
shows on the dashboard and tells its accountable owner, once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from audits.programme.models import AuditRun, AuditSchedule
from audits.programme.services.schedules import dispatch_due_audits, schedules_stalled_notify
from governance.kernel.audit.models import AuditEvent
from governance.policy.notifications.models import Notification
from governance.policy.raci.models import Raci
from governance.policy.raci.services import responsibility_assign
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def schedule(system, admin_user):
    return AuditSchedule.objects.create(
        system=system,
        interval_days=30,
        next_due=timezone.now() + timedelta(days=30),
        from_policy=False,
        created_by=admin_user,
    )


def _used(schedule, days_ago, status="succeeded"):
    due = timezone.now() - timedelta(days=days_ago)
    return AuditRun.objects.create(
        schedule=schedule,
        system=schedule.system,
        due_at=due,
        trigger="schedule",
        status=status,
        finished_at=due + timedelta(hours=1),
    )


def test_a_due_time_already_used_moves_on_instead_of_stalling(api, officer, schedule):
    used = _used(schedule, days_ago=40)
    response = api(officer).patch(
        f"/api/v1/schedules/{schedule.pk}/", {"next_due": used.due_at.isoformat()}, format="json"
    )
    assert response.status_code == 200
    created = dispatch_due_audits()
    # The next due time in the series (10 days ago) is audited now.
    assert len(created) == 1
    run = AuditRun.objects.get(pk=created[0])
    assert run.due_at == used.due_at + timedelta(days=30)
    schedule.refresh_from_db()
    assert schedule.next_due > timezone.now()
    event = AuditEvent.objects.get(action="audit_schedule.due_time_reused")
    assert event.payload["run"] == used.pk
    assert dispatch_due_audits() == []  # and the next pass has nothing left to skip


def test_a_used_due_time_whose_successor_is_ahead_just_advances(api, officer, schedule):
    used = _used(schedule, days_ago=5)
    api(officer).patch(
        f"/api/v1/schedules/{schedule.pk}/", {"next_due": used.due_at.isoformat()}, format="json"
    )
    assert dispatch_due_audits() == []
    schedule.refresh_from_db()
    assert schedule.next_due == used.due_at + timedelta(days=30)
    assert AuditRun.objects.count() == 1


def test_a_schedule_pushed_far_ahead_is_stalled_shows_and_tells_the_owner(
    admin_user, officer, team, schedule
):
    owner = UserFactory(role="data_scientist", teams=[team], username="owner9")
    responsibility_assign(
        actor=admin_user, user=owner, role=Raci.ACCOUNTABLE, target=schedule.system
    )
    _used(schedule, days_ago=100)
    AuditSchedule.objects.filter(pk=schedule.pk).update(
        next_due=timezone.now() + timedelta(days=365)
    )
    assert schedules_stalled_notify() == 1
    told = Notification.objects.filter(event="audit_overdue", recipient=owner)
    assert told.count() == 1
    assert schedules_stalled_notify() == 0  # once per stall
    client = Client()
    client.force_login(officer)
    page = client.get("/").content.decode()
    assert "Audits stalled" in page and schedule.system.name in page


def test_a_schedule_on_time_is_not_stalled(officer, schedule):
    _used(schedule, days_ago=10)
    assert schedules_stalled_notify() == 0
    client = Client()
    client.force_login(officer)
    assert "Audits stalled" not in client.get("/").content.decode()
