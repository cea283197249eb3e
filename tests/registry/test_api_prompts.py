"""Prompt templates through the API: versions, diffs, bindings, teams and roles."""

from __future__ import annotations

import pytest

from governance.kernel.audit.models import AuditEvent
from registry.models import PromptBinding
from registry.services.systems import model_create

pytestmark = pytest.mark.django_db

V1 = "You are a careful assistant.\nAnswer from the documents only.\n"
V2 = "You are a careful assistant.\nAnswer from the documents only.\nCite the document.\n"


def _create(client, model, name="system", text=V1):
    return client.post(
        f"/api/v1/models/{model.pk}/prompts/",
        {"name": name, "role": "system", "text": text},
        format="json",
    )


def test_versions_and_diff(api, scientist, model):
    client = api(scientist)
    created = _create(client, model)
    assert created.status_code == 201, created.json()
    template = created.json()
    assert [v["number"] for v in template["versions"]] == [1]
    second = client.post(f"/api/v1/prompts/{template['id']}/versions/", {"text": V2}, "json")
    assert second.status_code == 201 and second.json()["number"] == 2
    diff = client.get(f"/api/v1/prompts/{template['id']}/diff/?from=1&to=2")
    assert diff.status_code == 200
    text = diff.json()["diff"]
    assert "--- system v1" in text and "+++ system v2" in text
    assert "+Cite the document.\n" in text
    removed = [line for line in text.splitlines() if line.startswith("-")]
    assert removed == ["--- system v1"]
    assert AuditEvent.objects.filter(action="prompt_version.created").count() == 2


def test_bad_input_is_a_400_with_a_reason(api, scientist, model):
    client = api(scientist)
    template = _create(client, model).json()
    same = client.post(f"/api/v1/prompts/{template['id']}/versions/", {"text": V1}, "json")
    assert same.status_code == 400 and same.json()["error"]["code"] == "prompt_unchanged"
    empty = client.post(f"/api/v1/prompts/{template['id']}/versions/", {"text": "  "}, "json")
    assert empty.status_code == 400
    role = client.post(
        f"/api/v1/models/{model.pk}/prompts/", {"name": "x", "role": "boss", "text": "t"}, "json"
    )
    assert role.status_code == 400
    duplicate = _create(client, model)
    assert duplicate.status_code == 409
    for query in ("", "?from=1", "?from=a&to=1", "?from=1&to=9"):
        response = client.get(f"/api/v1/prompts/{template['id']}/diff/{query}")
        assert response.status_code in (400, 404), query


def test_binding_a_model_version(api, scientist, system, model, model_version):
    client = api(scientist)
    template = _create(client, model).json()
    version_id = template["versions"][0]["id"]
    bound = client.put(
        f"/api/v1/model-versions/{model_version.pk}/prompts/",
        {"prompt_version": version_id},
        format="json",
    )
    assert bound.status_code == 200, bound.json()
    listed = client.get(f"/api/v1/model-versions/{model_version.pk}/prompts/").json()
    assert [(b["prompt"], b["number"]) for b in listed] == [("system", 1)]
    other_model = model_create(actor=scientist, system=system, name="other")
    foreign = _create(client, other_model, name="foreign").json()
    refused = client.put(
        f"/api/v1/model-versions/{model_version.pk}/prompts/",
        {"prompt_version": foreign["versions"][0]["id"]},
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "prompt_other_model"


@pytest.mark.parametrize("who", ["auditor", "compliance_officer"])
def test_readers_may_read_not_write(api, users, scientist, model, model_version, who):
    template = _create(api(scientist), model).json()
    client = api(users[who])
    assert client.get(f"/api/v1/prompts/{template['id']}/").status_code == 200
    assert _create(client, model, name="mine").status_code == 403
    response = client.post(f"/api/v1/prompts/{template['id']}/versions/", {"text": V2}, "json")
    assert response.status_code == 403
    response = client.put(
        f"/api/v1/model-versions/{model_version.pk}/prompts/",
        {"prompt_version": template["versions"][0]["id"]},
        format="json",
    )
    assert response.status_code == 403
    assert not PromptBinding.objects.exists()


def test_another_team_sees_nothing(api, users, scientist, model, model_version):
    template = _create(api(scientist), model).json()
    client = api(users["outsider"])
    assert client.get(f"/api/v1/prompts/{template['id']}/").status_code == 404
    assert client.get(f"/api/v1/prompts/{template['id']}/diff/?from=1&to=1").status_code == 404
    assert client.get(f"/api/v1/models/{model.pk}/prompts/").status_code == 404
    assert _create(client, model, name="mine").status_code in (403, 404)
    response = client.put(
        f"/api/v1/model-versions/{model_version.pk}/prompts/",
        {"prompt_version": template["versions"][0]["id"]},
        format="json",
    )
    assert response.status_code in (403, 404)
    assert not PromptBinding.objects.exists()
