"""Notifications in their reader's language: the e-mail in the recipient's profile language
(English when it names none), the page in the reader's, the API and webhooks in English."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from governance.obligations.incidents.services import incident_open, incident_reminders_send
from governance.policy.notifications.models import Notification
from tests.governance.pages.test_pages import login

pytestmark = pytest.mark.django_db

ENGLISH = "The Art. 73 report of incident “Outage of scoring” is due in 2.0 days"
FRENCH = (
    "Le signalement au titre de l'article 73 de l'incident « Outage of scoring » est dû dans "
    "2,0 jours"
)
GERMAN = "Die Meldung nach Art. 73 zum Vorfall „Outage of scoring“ ist in 2,0 Tagen fällig"


def remind(owner, officer, system) -> Notification:
    """An incident whose Art. 73 report is due in two days, its owner reminded."""
    incident_open(
        actor=officer,
        system=system,
        title="Outage of scoring",
        description="d",
        category="standard",
        owner=owner,
        aware_at=timezone.now() - timedelta(days=13),
    )
    mail.outbox.clear()
    assert incident_reminders_send() == 1
    return owner.notifications.get(event="incident_deadline")


@pytest.mark.parametrize(
    ("language", "subject", "body"),
    [
        ("fr", "[Gouvernance de l'IA] échéance d'incident : ", FRENCH),
        ("de", "[KI-Governance] Frist eines Vorfalls: ", GERMAN),
        ("", "[AI governance] incident deadline: ", ENGLISH),
    ],
)
def test_the_email_is_written_in_the_recipients_language(
    language, subject, body, users, system, django_capture_on_commit_callbacks
):
    owner = users["admin"]
    owner.language = language
    owner.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        note = remind(owner, users["compliance_officer"], system)
    [email] = [m for m in mail.outbox if m.to == [owner.email]]
    assert email.subject.startswith(subject), email.subject
    assert email.body.startswith(body), email.body
    # The record and the API stay English whatever the recipient reads.
    assert note.message.startswith(ENGLISH)


def test_the_page_shows_the_message_in_the_readers_language_and_the_api_in_english(
    users, system, api
):
    owner = users["admin"]
    remind(owner, users["compliance_officer"], system)
    owner.language = "fr"
    owner.save(update_fields=["language"])
    client = Client()
    login(client, owner)
    page = unescape(client.get("/notifications/").content.decode())
    assert FRENCH in page and "échéance d'incident" in page
    assert ENGLISH not in page
    # A change of language applies to the messages already received.
    owner.language = "de"
    owner.save(update_fields=["language"])
    assert GERMAN in unescape(client.get("/notifications/").content.decode())
    [row] = api(owner).get("/api/v1/notifications/").json()["results"]
    assert row["message"].startswith(ENGLISH) and row["event"] == "incident_deadline"


def test_a_plain_message_is_shown_as_given(users, system):
    """Rows written before messages were phrases carry none and show their English text."""
    owner = users["admin"]
    owner.language = "fr"
    owner.save(update_fields=["language"])
    Notification.objects.create(recipient=owner, event="decision", message="Old message")
    client = Client()
    login(client, owner)
    page = client.get("/notifications/").content.decode()
    assert "Old message" in page and "décision" in page
