"""The API's orjson renderer writes what DRF's own JSON renderer writes."""

from __future__ import annotations

import datetime
import decimal
import json
import uuid

from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from governance.kernel.api.renderers import FastJSONRenderer, plain

UTC = datetime.UTC
SAMPLE = {
    "when": datetime.datetime(2026, 12, 3, 9, 15, 30, 123456, tzinfo=UTC),
    "whole_second": datetime.datetime(2026, 12, 3, 9, 15, 30, tzinfo=UTC),
    "naive": datetime.datetime(2026, 12, 3, 9, 15),
    "day": datetime.date(2026, 12, 3),
    "amount": decimal.Decimal("1.25"),
    "span": datetime.timedelta(minutes=2),
    "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "label": gettext_lazy("Approved"),
    "tags": ("a", "b"),
    "nested": ReturnDict(
        {"rows": ReturnList([1, 2.5, None, True], serializer=None)}, serializer=None
    ),
    "text": "Ünïcødé ✓",
    7: "non-string key",
}


def test_it_writes_what_drf_writes():
    ours = FastJSONRenderer().render(SAMPLE)
    drf = JSONRenderer().render(SAMPLE)
    assert json.loads(ours) == json.loads(drf)
    assert b'"2026-12-03T09:15:30.123456Z"' in ours and b'"2026-12-03T09:15:30Z"' in ours


def test_no_body_is_empty_and_indent_is_honoured():
    assert FastJSONRenderer().render(None) == b""
    indented = FastJSONRenderer().render({"a": 1}, "application/json; indent=4")
    assert indented.startswith(b"{\n")


def test_plain_is_what_a_client_reads_back():
    assert plain({"at": SAMPLE["when"], "t": (1, 2)}) == {
        "at": "2026-12-03T09:15:30.123456Z",
        "t": [1, 2],
    }
