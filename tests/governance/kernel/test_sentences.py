"""Sentences computed in English and said again in the reader's language: the values a
notification, an incident reminder or a registration entry puts into them (date-times, decimal
numbers, stored values with their labels) keep their English text and read the local way."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, datetime

from django.utils import translation

from governance.kernel.sentences import (
    Moment,
    Number,
    Sentence,
    Term,
    localize,
    sentence_data,
    sentence_from_data,
    shown,
)

DUE = "The Art. 73 report of incident “%(title)s” is due in %(days)s days (%(deadline)s)."


def reminder() -> Sentence:
    return Sentence(
        DUE,
        title="Outage",
        days=Number("2.5"),
        deadline=Moment(datetime(2026, 11, 22, 3, 0, 41, tzinfo=UTC)),
    )


def test_a_date_time_and_a_decimal_number_read_the_local_way():
    english = "The Art. 73 report of incident “Outage” is due in 2.5 days (2026-11-22 03:00)."
    assert reminder() == english and localize(reminder()) == english
    with translation.override("fr"):
        french = localize(reminder())
        assert "2,5 jours" in french and "22/11/2026 03:00" in french, french
        assert shown(reminder(), localized=False) == english
    with translation.override("de"):
        german = localize(reminder())
        assert "2,5 Tagen" in german and "22.11.2026 03:00" in german, german


def test_a_stored_value_is_english_as_stored_and_its_label_elsewhere():
    environment = Term("Production", "prod")
    assert Sentence("Deployed to %(environment)s.", environment=environment) == (
        "Deployed to prod."
    )
    with translation.override("de"):
        assert shown(environment, localized=True) == "Produktion"
        assert shown(environment, localized=False) == "prod"
    # Without a label, the stored value in every language.
    with translation.override("fr"):
        assert localize(Term("", "custom_kind")) == "custom_kind"


def test_kept_as_json_read_back_and_copied_the_same():
    kept = json.loads(json.dumps(sentence_data(reminder())))
    again = sentence_from_data(kept)
    assert again == reminder()
    with translation.override("fr"):
        assert localize(again) == localize(reminder())
        assert localize(copy.deepcopy(reminder())) == localize(reminder())


def test_a_value_json_cannot_hold_is_kept_as_the_text_it_gave():
    key = uuid.UUID("12345678-1234-5678-1234-567812345678")
    sentence = Sentence("Key %(key)s.", key=key)
    again = sentence_from_data(json.loads(json.dumps(sentence_data(sentence))))
    assert again == sentence == f"Key {key}."
