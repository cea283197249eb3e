"""The model version page's section bar: every link lands on a section of the page, for each
role, and sections a reader does not get are not offered."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def nav_and_ids(html: str) -> tuple[list[str], set[str]]:
    nav = re.search(r'<nav class="section-nav"[^>]*>(.*?)</nav>', html, re.S).group(1)
    return re.findall(r'href="#([a-z-]+)"', nav), set(re.findall(r'id="([a-z-]+)"', html))


def panels(html: str) -> list[str]:
    nav = re.search(r'<nav class="section-nav"[^>]*>(.*?)</nav>', html, re.S).group(1)
    return re.findall(r'data-panel="([a-z-]+)"', nav)


@pytest.mark.parametrize("who", ["admin", "compliance_officer", "data_scientist", "auditor"])
def test_every_section_link_has_its_section(users, who, model_version):
    client = Client()
    client.force_login(users[who])
    response = client.get(f"/model-versions/{model_version.pk}/")
    assert response.status_code == 200
    links, ids = nav_and_ids(response.content.decode())
    assert links[0] == "overview" and links[-1] == "history"
    assert {"lineage", "review-panel", "deployments"} <= set(links)
    missing = [link for link in links if link not in ids]
    assert not missing, missing
    # Each link names the tab panel that holds its section (tabs.js turns them into tabs).
    html = response.content.decode()
    assert len(panels(html)) == len(links) == len(set(panels(html)))
    for panel in panels(html):
        assert html.count(f'id="{panel}" data-tabpanel') == 1, panel


def test_the_bar_is_not_shown_to_other_teams(outsider, model_version):
    client = Client()
    client.force_login(outsider)
    assert client.get(f"/model-versions/{model_version.pk}/").status_code == 404
