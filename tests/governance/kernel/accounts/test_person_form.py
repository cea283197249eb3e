"""A new person has no role until one is chosen: the form preselects none and refuses none."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from governance.kernel.accounts.models import User

pytestmark = pytest.mark.django_db


def test_the_people_form_preselects_no_role_and_requires_one(admin_user):
    client = Client()
    client.force_login(admin_user)
    html = client.get("/people/new/").content.decode()
    select = re.search(r'<select name="role"[^>]*>(.*?)</select>', html, re.S)
    assert select, "the role field is a select"
    options = re.findall(r"<option[^>]*>", select.group(1))
    assert options[0].startswith('<option value=""')
    assert [o for o in options if "selected" in o] in ([], [options[0]])
    refused = client.post("/people/new/", {"username": "eve"})
    assert refused.status_code == 400
    assert b"Choose the person&#x27;s role." in refused.content
    assert not User.objects.filter(username="eve").exists()
    made = client.post("/people/new/", {"username": "eve", "role": "auditor"})
    assert made.status_code == 302
    assert User.objects.get(username="eve").role == "auditor"
