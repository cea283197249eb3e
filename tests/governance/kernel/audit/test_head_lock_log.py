"""AUDIT_HEAD_LOCK_LOG: one line per transaction appending to the trail, written once it
commits: how long it waited for the chain head and how long it held it."""

from __future__ import annotations

import pytest
from django.db import transaction

from governance.kernel.audit.services import audit_event_record

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)
def test_one_line_per_committed_transaction(settings, tmp_path):
    """Real commits: the line is written after each."""
    log = tmp_path / "head.log"
    settings.AUDIT_HEAD_LOCK_LOG = str(log)
    with transaction.atomic():
        audit_event_record(actor=None, action="test.first")
        audit_event_record(actor=None, action="test.second")
    with transaction.atomic():
        audit_event_record(actor=None, action="test.third")
    lines = log.read_text().splitlines()
    assert len(lines) == 2
    for line in lines:
        wait, hold = (float(v) for v in line.split())
        assert wait >= 0 and hold > 0


def test_nothing_is_written_when_unset(settings, tmp_path, django_capture_on_commit_callbacks):
    settings.AUDIT_HEAD_LOCK_LOG = ""
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        audit_event_record(actor=None, action="test.first")
    assert list(tmp_path.iterdir()) == []
