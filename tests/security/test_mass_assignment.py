"""Mass assignment: fields a client may not set are ignored or refused (400), never applied.

Every writable endpoint is sent one legitimate change plus protected fields (status, owner,
creator, team of another team, hashes, artefact, approval, signature, superuser, role); the
row is then read back from the database.
"""

from __future__ import annotations

import pytest

from governance.kernel.accounts.models import User
from governance.policy.policies.models import Policy
from governance.policy.raci.models import Responsibility
from registry.models import AISystem, Model, ModelVersion
from tests.registry.conftest import upload

pytestmark = pytest.mark.django_db


def evil(other_team, outsider) -> dict:
    return {
        "status": "approved",
        "created_by": outsider.pk,
        "owner": outsider.pk,
        "team": other_team.slug,
        "sha256": "0" * 64,
        "artefact": 999999,
        "artefact_safe": True,
        "artefact_trusted": True,
        "approved": True,
        "signature": "forged",
        "is_superuser": True,
        "is_staff": True,
        "role": "admin",
        "id": 424242,
    }


def refused_or_ignored(response) -> None:
    assert response.status_code in (200, 201, 400), (response.status_code, response.content)


def test_system_patch(api, scientist, system, other_team, outsider, team):
    body = {**evil(other_team, outsider), "name": "Renamed"}
    response = api(scientist).patch(f"/api/v1/systems/{system.pk}/", body, format="json")
    refused_or_ignored(response)
    system.refresh_from_db()
    assert system.team_id == team.pk
    assert system.created_by_id == scientist.pk
    assert system.pk != 424242


def test_system_create_in_another_team_is_refused(api, scientist, other_team, outsider):

    body = {**evil(other_team, outsider), "name": "Smuggled"}
    response = api(scientist).post("/api/v1/systems/", body, format="json")
    assert response.status_code in (400, 403, 404), response.content
    assert not AISystem.objects.filter(name="Smuggled").exists()


def test_system_create_ignores_creator(api, scientist, team, other_team, outsider):

    body = {**evil(other_team, outsider), "team": team.slug, "name": "Mine"}
    response = api(scientist).post("/api/v1/systems/", body, format="json")
    refused_or_ignored(response)
    for row in AISystem.objects.filter(name="Mine"):
        assert row.team_id == team.pk and row.created_by_id == scientist.pk


def test_model_create_and_patch(api, scientist, system, model, other_team, outsider):

    foreign = AISystem.objects.create(team=other_team, name="Theirs", created_by=outsider)
    body = {**evil(other_team, outsider), "system": foreign.pk, "name": "smuggled-model"}
    response = api(scientist).post("/api/v1/models/", body, format="json")
    assert response.status_code in (400, 403, 404), response.content
    assert not Model.objects.filter(name="smuggled-model").exists()

    body = {**evil(other_team, outsider), "system": foreign.pk, "description": "d"}
    response = api(scientist).patch(f"/api/v1/models/{model.pk}/", body, format="json")
    refused_or_ignored(response)
    model.refresh_from_db()
    assert model.system_id == system.pk and model.created_by_id == scientist.pk


def test_model_version_patch(api, scientist, model_version, other_team, outsider):
    before = (
        model_version.status,
        model_version.artefact_id,
        model_version.artefact.sha256,
        model_version.model_id,
        model_version.version,
        model_version.artefact_safe,
        model_version.artefact_trusted,
    )
    body = {
        **evil(other_team, outsider),
        "model": 999,
        "version": "9.9.9",
        "submitted_by": outsider.pk,
        "description": "tuned",
    }
    response = api(scientist).patch(
        f"/api/v1/model-versions/{model_version.pk}/", body, format="json"
    )
    refused_or_ignored(response)
    model_version.refresh_from_db()
    after = (
        model_version.status,
        model_version.artefact_id,
        model_version.artefact.sha256,
        model_version.model_id,
        model_version.version,
        model_version.artefact_safe,
        model_version.artefact_trusted,
    )
    assert after == before
    assert model_version.created_by_id == scientist.pk
    assert model_version.submitted_by_id is None


def test_model_version_register_ignores_status_and_hash(
    api, scientist, model, xgb_json_bytes, other_team, outsider
):

    fields = {k: str(v) for k, v in evil(other_team, outsider).items() if k != "artefact"}
    response = api(scientist).post(
        f"/api/v1/models/{model.pk}/versions/",
        {**fields, "version": "2.0.0", "artefact": upload("model.json", xgb_json_bytes)},
        format="multipart",
    )
    refused_or_ignored(response)
    for mv in ModelVersion.objects.filter(version="2.0.0"):
        assert mv.status == "draft"
        assert mv.artefact.sha256 != "0" * 64
        assert not mv.artefact_trusted
        assert mv.created_by_id == scientist.pk


def test_dataset_patch(api, scientist, dataset, team, other_team, outsider):
    body = {**evil(other_team, outsider), "description": "more"}
    response = api(scientist).patch(f"/api/v1/datasets/{dataset.pk}/", body, format="json")
    refused_or_ignored(response)
    dataset.refresh_from_db()
    assert dataset.team_id == team.pk and dataset.created_by_id == scientist.pk


def test_column_patch(api, scientist, dataset_version, other_team, outsider):
    column = dataset_version.columns.order_by("position").first()
    before = (column.name, column.dtype, column.position, column.dataset_version_id)
    body = {
        **evil(other_team, outsider),
        "role": "feature",
        "name": "renamed",
        "dtype": "object",
        "position": 99,
        "dataset_version": 999,
    }
    response = api(scientist).patch(
        f"/api/v1/dataset-versions/{dataset_version.pk}/columns/{column.name}/",
        body,
        format="json",
    )
    refused_or_ignored(response)
    column.refresh_from_db()
    assert (column.name, column.dtype, column.position, column.dataset_version_id) == before


def test_users_patch_is_admin_only(api, scientist, officer, auditor):
    for user in (scientist, officer, auditor):
        for target in (user, scientist):
            response = api(user).patch(
                f"/api/v1/users/{target.pk}/", {"role": "admin"}, format="json"
            )
            assert response.status_code == 403, response.content
    for user in (scientist, officer, auditor):
        user.refresh_from_db()
        assert user.role != "admin"


def test_users_patch_by_admin_ignores_superuser(api, admin_user, scientist, other_team, outsider):
    body = {**evil(other_team, outsider), "role": "auditor", "is_superuser": True}
    response = api(admin_user).patch(f"/api/v1/users/{scientist.pk}/", body, format="json")
    refused_or_ignored(response)
    scientist.refresh_from_db()
    assert not scientist.is_superuser and not scientist.is_staff


def test_users_create_by_admin_ignores_superuser(api, admin_user, other_team, outsider):

    body = {**evil(other_team, outsider), "username": "newbie", "role": "auditor"}
    response = api(admin_user).post("/api/v1/users/", body, format="json")
    refused_or_ignored(response)
    for user in User.objects.filter(username="newbie"):
        assert not user.is_superuser and not user.is_staff


def test_policy_patch(api, admin_user, scientist, officer, other_team, outsider):

    policy = Policy.objects.order_by("id").first()
    before = (policy.tier, policy.version)
    for user in (scientist, officer):
        response = api(user).patch(
            f"/api/v1/policies/{policy.pk}/", {"approvals_required": 0}, format="json"
        )
        assert response.status_code == 403
    body = {
        **evil(other_team, outsider),
        "tier": "prohibited",
        "version": 999,
        "updated_by": outsider.pk,
        "recertify_days": 30,
    }
    response = api(admin_user).patch(f"/api/v1/policies/{policy.pk}/", body, format="json")
    refused_or_ignored(response)
    policy.refresh_from_db()
    assert policy.tier == before[0]
    assert policy.version in (before[1], before[1] + 1)
    assert policy.updated_by_id in (None, admin_user.pk)


def test_responsibilities(api, admin_user, scientist, system, other_team, outsider):

    body = {
        **evil(other_team, outsider),
        "user": scientist.pk,
        "role": "accountable",
        "system": system.pk,
        "assigned_by": outsider.pk,
    }
    response = api(scientist).post("/api/v1/responsibilities/", body, format="json")
    assert response.status_code == 403
    response = api(admin_user).post("/api/v1/responsibilities/", body, format="json")
    refused_or_ignored(response)
    row = Responsibility.objects.get(user=scientist, system=system)
    assert row.assigned_by_id == admin_user.pk
    body = {"user": outsider.pk, "system": 999, "assigned_by": outsider.pk, "note": "n"}
    response = api(admin_user).patch(f"/api/v1/responsibilities/{row.pk}/", body, format="json")
    refused_or_ignored(response)
    row.refresh_from_db()
    assert (row.user_id, row.system_id, row.assigned_by_id) == (
        scientist.pk,
        system.pk,
        admin_user.pk,
    )
