"""The prompt pages: a model's prompts, a new prompt, a new version with its diff shown
before saving, binding a version to a model version, and who may do what."""

from __future__ import annotations

import pytest
from django.test import Client

from governance.kernel.audit.models import AuditEvent
from registry.models import PromptBinding, PromptTemplate, PromptVersion
from registry.services.prompts import model_version_prompt_set, prompt_template_create
from tests.audits.runs.test_generative_checks import application  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

V1 = "You are the support assistant.\nAnswer questions about orders.\n"
V2 = "You are the support assistant.\nAnswer questions about orders.\nNever reveal personal data.\n"


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def prompt(scientist, application):  # noqa: F811
    first = prompt_template_create(
        actor=scientist, model=application.model, name="system", role="system", text=V1
    )
    model_version_prompt_set(actor=scientist, model_version=application, prompt_version=first)
    return first.template


@pytest.mark.parametrize("who", ["data_scientist", "admin"])
def test_writers_create_a_prompt(users, application, who):  # noqa: F811
    url = f"/models/{application.model_id}/prompts/"
    assert 'id="new-prompt"' in as_user(users[who]).get(url).content.decode()
    response = as_user(users[who]).post(
        url, {"name": "greeting", "role": "template", "text": "Hello {name}.", "note": "first"}
    )
    template = PromptTemplate.objects.get(name="greeting")
    assert response.status_code == 302 and response.url == f"/prompts/{template.pk}/"
    assert template.versions.get().number == 1
    assert AuditEvent.objects.filter(action="prompt_template.created").exists()


@pytest.mark.parametrize("who", ["compliance_officer", "auditor"])
def test_readers_see_the_prompts_but_may_not_write(users, prompt, application, who):  # noqa: F811
    client = as_user(users[who])
    listing = client.get(f"/models/{application.model_id}/prompts/").content.decode()
    assert "system" in listing and 'id="new-prompt"' not in listing
    page = client.get(f"/prompts/{prompt.pk}/").content.decode()
    assert "Version 1" in page and 'id="new-version"' not in page and 'id="bind-prompt"' not in page
    body = {"name": "x", "role": "system", "text": "t"}
    assert client.post(f"/models/{application.model_id}/prompts/", body).status_code == 403
    save = {"action": "save", "text": V2}
    assert client.post(f"/prompts/{prompt.pk}/", save).status_code == 403
    assert PromptVersion.objects.count() == 1


def test_another_team_gets_404(users, prompt, application):  # noqa: F811
    client = as_user(users["outsider"])
    assert client.get(f"/models/{application.model_id}/prompts/").status_code == 404
    assert client.get(f"/prompts/{prompt.pk}/").status_code == 404
    assert client.post(f"/prompts/{prompt.pk}/", {"action": "save", "text": V2}).status_code == 404
    assert PromptVersion.objects.count() == 1


def test_new_version_shows_its_diff_then_saves_and_binds(scientist, prompt, application):  # noqa: F811
    client = as_user(scientist)
    url = f"/prompts/{prompt.pk}/"
    # As a browser sends a textarea: lines end in CR LF. Only the added line is a change.
    typed = V2.replace("\n", "\r\n")
    preview = client.post(url, {"action": "preview", "text": typed, "note": "privacy"})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "+Never reveal personal data." in html and "system v1" in html and "system v2" in html
    assert "-You are the support assistant." not in html
    assert PromptVersion.objects.count() == 1  # a preview saves nothing
    saved = client.post(url, {"action": "save", "text": typed, "note": "privacy"})
    assert saved.status_code == 302
    second = PromptVersion.objects.get(number=2)
    assert second.text == V2
    page = client.get(url).content.decode()
    assert "Changes from version 1" in page and "+Never reveal personal data." in page
    same = client.post(url, {"action": "save", "text": V2})
    assert same.status_code == 400 and "same as version 2" in same.content.decode()
    bound = client.post(
        url, {"action": "bind", "model_version": application.pk, "prompt_version": second.pk}
    )
    assert bound.status_code == 302
    assert PromptBinding.objects.get(model_version=application).prompt_version == second
    event = AuditEvent.objects.filter(action="model_version.prompt_set").latest("sequence")
    assert event.payload["number"] == 2 and event.payload["previous_number"] == 1
    version_page = client.get(f"/model-versions/{application.pk}/").content.decode()
    assert f"/models/{application.model_id}/prompts/" in version_page


@pytest.mark.parametrize(
    "body, message",
    [
        ({"action": "bind", "model_version": 999999, "prompt_version": 1}, "valid choice"),
        ({"action": "bind", "model_version": "x"}, "valid choice"),
        ({"action": "save", "text": ""}, "This field is required"),
        ({"action": "delete"}, "Unknown action"),
    ],
)
def test_bad_input_is_a_400_with_the_reason(scientist, prompt, body, message):
    response = as_user(scientist).post(f"/prompts/{prompt.pk}/", body)
    assert response.status_code == 400
    assert message in response.content.decode()
