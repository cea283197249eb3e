"""What the tests of pages in French and German share: a browser signed in as a person whose
profile asks for a language, the page's text as a reader sees it, and the API's refusal
(always English)."""

from html import unescape

from django.test import Client


def browser(user, language: str) -> Client:
    """A browser signed in as ``user``, whose profile asks for ``language``."""
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return unescape(response.content.decode())


def refused(response, status: int) -> dict:
    """The API's error body; its language is English whatever was asked."""
    assert response.status_code == status, response.content
    assert response["Content-Language"] == "en"
    return response.json()["error"]
