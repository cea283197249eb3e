"""The Django admin is no back door: every change there is a service's change (with its audit
event), evidence and workers' results cannot be edited or deleted, the role decides who gets
the admin site, and simple-history's revert cannot rewrite a row."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.admin.options import ModelAdmin
from django.test import Client, RequestFactory
from simple_history.admin import SimpleHistoryAdmin

from governance.kernel.accounts.models import ApiToken, Role, User
from governance.kernel.accounts.services import api_token_issue
from governance.kernel.admin import HistoryAdmin
from governance.kernel.audit.models import AuditEvent
from governance.kernel.jobs.models import BackgroundJob
from governance.policy.notifications.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Rows the admin may still write, each through a service or with an audit event per write.
WRITABLE = {"user", "team", "responsibility", "policy", "webhookendpoint", "questionnairequestion"}


@pytest.fixture
def superadmin(team):
    user = UserFactory(role=Role.ADMIN, teams=[team], username="root1")
    User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    user.refresh_from_db()
    return user


@pytest.fixture
def admin_client(superadmin):
    client = Client()
    client.force_login(superadmin)
    return client


def test_every_admin_that_writes_goes_through_a_service_or_an_audit(superadmin):
    request = RequestFactory().get("/admin/")
    request.user = superadmin
    for model, model_admin in admin.site._registry.items():
        name = model._meta.model_name
        writes = (
            model_admin.has_add_permission(request)
            or model_admin.has_change_permission(request)
            or model_admin.has_delete_permission(request)
        )
        if not writes:
            continue
        assert name in WRITABLE, f"{name} is writable in the admin"
        overrides = type(model_admin).save_model is not ModelAdmin.save_model
        assert overrides, f"{name}: the admin saves without a service or an audit event"


def test_every_history_admin_refuses_revert():
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, SimpleHistoryAdmin):
            assert isinstance(model_admin, HistoryAdmin), model._meta.label


def test_demoting_an_admin_in_the_admin_is_audited_and_takes_the_admin_site(
    admin_client, users, team
):
    demoted = users["admin"]
    User.objects.filter(pk=demoted.pk).update(is_staff=True, is_superuser=True)
    response = admin_client.post(
        f"/admin/governance/user/{demoted.pk}/change/",
        {
            "first_name": "",
            "last_name": "",
            "email": demoted.email,
            "role": Role.DATA_SCIENTIST,
            "teams": [team.pk],
            "is_active": "on",
            # A forged flag is ignored: the fields are read-only.
            "is_superuser": "on",
            "is_staff": "on",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    demoted.refresh_from_db()
    assert demoted.role == Role.DATA_SCIENTIST
    assert not demoted.is_staff and not demoted.is_superuser
    event = AuditEvent.objects.filter(action="user.updated", target_id=str(demoted.pk)).latest(
        "sequence"
    )
    assert event.payload["role"] == [Role.ADMIN, Role.DATA_SCIENTIST]
    assert event.actor_username == "root1"
    former = Client()
    former.force_login(demoted)
    assert former.get("/admin/").status_code == 302  # to the admin login: no admin site


def test_role_changes_everywhere_keep_the_flags_in_step(users, api, admin_client):
    scientist = users["data_scientist"]
    response = api(users["admin"]).patch(
        f"/api/v1/users/{scientist.pk}/", {"role": "admin"}, format="json"
    )
    assert response.status_code == 200
    scientist.refresh_from_db()
    assert scientist.is_staff and scientist.is_superuser
    api(users["admin"]).patch(f"/api/v1/users/{scientist.pk}/", {"role": "auditor"}, format="json")
    scientist.refresh_from_db()
    assert not scientist.is_staff and not scientist.is_superuser


def test_createsuperuser_makes_an_admin(db):
    user = User.objects.create_superuser("boss", "boss@example.org", "a-long-enough-passphrase")
    assert user.role == Role.ADMIN and user.is_superuser


def test_job_results_notifications_and_tokens_cannot_be_edited_or_deleted(admin_client, users):
    job = BackgroundJob.objects.create(
        kind="audit_chain_verify", status="succeeded", result={"ok": False, "broken_at": 17}
    )
    note = Notification.objects.create(recipient=users["auditor"], event="x", message="told")
    token = api_token_issue(user=users["auditor"], name="ci").token
    for url, data in [
        (f"/admin/governance/backgroundjob/{job.pk}/change/", {"result": '{"ok": true}'}),
        (f"/admin/governance/backgroundjob/{job.pk}/delete/", {"post": "yes"}),
        (f"/admin/governance/notification/{note.pk}/delete/", {"post": "yes"}),
        (f"/admin/governance/notification/{note.pk}/change/", {"message": "never said"}),
        (f"/admin/governance/apitoken/{token.pk}/delete/", {"post": "yes"}),
    ]:
        assert admin_client.post(url, data).status_code == 403, url
    job.refresh_from_db()
    assert job.result == {"ok": False, "broken_at": 17}
    assert Notification.objects.filter(pk=note.pk, message="told").exists()
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_tokens_are_revoked_in_the_admin_with_an_audit_event(admin_client, users):
    token = api_token_issue(user=users["auditor"], name="ci").token
    response = admin_client.post(
        "/admin/governance/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk], "index": 0},
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="api_token.revoked", actor_username="root1").exists()


def test_history_revert_cannot_rewrite_a_row(admin_client, system):
    # A read-only admin's history form only asked for *view* permission before saving.
    historical = system.history.order_by("history_id").first()
    url = f"/admin/registry/aisystem/{system.pk}/history/{historical.history_id}/"
    assert admin_client.get(url).status_code == 200  # history stays readable
    before = type(system).objects.filter(pk=system.pk).values().get()
    response = admin_client.post(
        url, {"name": "renamed", "team": system.team_id, "intended_purpose": "anything"}
    )
    assert response.status_code == 403
    assert type(system).objects.filter(pk=system.pk).values().get() == before


def test_admin_password_change_runs_validators_and_revokes_tokens(admin_client, users):
    victim = users["auditor"]
    token = api_token_issue(user=victim, name="ci").token
    url = f"/admin/governance/user/{victim.pk}/password/"
    weak = admin_client.post(
        url, {"password1": "12345", "password2": "12345", "usable_password": "true"}
    )
    assert weak.status_code == 200  # the form again, with the validators' reasons
    victim.refresh_from_db()
    assert not victim.check_password("12345")
    strong = "tall-green-ladder-42"
    response = admin_client.post(
        url, {"password1": strong, "password2": strong, "usable_password": "true"}
    )
    assert response.status_code == 302, response.content[:3000]
    victim.refresh_from_db()
    assert victim.check_password(strong)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(
        action="user.password_changed", target_id=str(victim.pk)
    ).exists()
