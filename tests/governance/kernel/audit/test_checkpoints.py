"""Signed checkpoints: written every N events and every M minutes, copied to the sink, signed by
a key outside the database, and what verification reports from them."""

import json
import os
import stat
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from governance.kernel import signing
from governance.kernel.audit.checkpoints import (
    PURPOSE,
    audit_checkpoint_write,
    checkpoint_record,
    sink_read,
    sink_sync,
    trail_id,
)
from governance.kernel.audit.models import AuditChainHead, AuditCheckpoint, AuditEvent
from governance.kernel.audit.services import audit_chain_verify, audit_event_record
from tests.governance.kernel.audit.test_audit_trail import _record

pytestmark = pytest.mark.django_db
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__)))))


@pytest.fixture
def sink(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_EVERY_EVENTS = 5
    settings.AUDIT_CHECKPOINT_SINK = str(tmp_path / "sink" / "checkpoints.jsonl")
    return tmp_path / "sink" / "checkpoints.jsonl"


def test_a_checkpoint_every_n_events_signed_by_the_server_key(sink):
    _record(12)
    sequences = list(AuditCheckpoint.objects.values_list("sequence", flat=True))
    # The first event is signed at once (no checkpoint yet), then every 5 events.
    assert sequences == [1, 6, 11]
    for checkpoint in AuditCheckpoint.objects.all():
        event = AuditEvent.objects.get(sequence=checkpoint.sequence)
        assert checkpoint.event_hash == event.hash
        assert checkpoint.trail == AuditEvent.objects.get(sequence=1).hash
        record = checkpoint_record(checkpoint)
        signed = {k: record[k] for k in ("trail", "sequence", "event_hash", "signed_at")}
        assert signing.verify(
            PURPOSE, signed, signing.Signature(record["key_id"], record["signature"])
        )
        signed["event_hash"] = "f" * 64
        assert not signing.verify(
            PURPOSE, signed, signing.Signature(record["key_id"], record["signature"])
        )
    verdict = audit_chain_verify()
    assert verdict.ok, verdict.reason
    assert verdict.checkpoints == 3 and verdict.last_checkpoint_sequence == 11
    assert verdict.unsigned_tail == 1


def test_a_quiet_trail_is_signed_after_m_minutes_and_by_the_beat(sink, settings):
    settings.AUDIT_CHECKPOINT_EVERY_EVENTS = 1000
    _record(3)
    assert list(AuditCheckpoint.objects.values_list("sequence", flat=True)) == [1]
    # Minutes later, the next write signs the head.
    AuditChainHead.objects.filter(id=1).update(
        checkpoint_at=timezone.now() - timedelta(seconds=settings.AUDIT_CHECKPOINT_EVERY_SECONDS)
    )
    _record(1)
    assert AuditCheckpoint.objects.last().sequence == 4
    # With nothing written, the beat's task signs nothing; after a write it signs the head.
    assert audit_checkpoint_write() is None
    _record(2)
    assert audit_checkpoint_write().sequence == 6


def test_the_sink_receives_each_checkpoint_once_committed(sink, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _record(7)
    lines = [json.loads(line) for line in sink.read_text().splitlines()]
    assert [line["sequence"] for line in lines] == [1, 6]
    assert lines[0] == checkpoint_record(AuditCheckpoint.objects.get(sequence=1))
    # A rolled-back transaction leaves nothing in the sink.
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ZeroDivisionError),
        transaction.atomic(),
    ):
        for _ in range(5):
            audit_event_record(actor=None, action="test.rolled_back")
        raise ZeroDivisionError
    assert len(sink.read_text().splitlines()) == 2


def test_a_sink_that_missed_checkpoints_is_filled_in(sink):
    _record(12)  # on_commit callbacks do not run here: the sink missed all three
    verdict = audit_chain_verify()
    assert verdict.ok and any("not yet copied to the sink" in w for w in verdict.warnings)
    assert sink_sync() == 3
    assert [r["sequence"] for r in sink_read(trail_id()).records] == [1, 6, 11]
    assert sink_sync() == 0
    assert audit_chain_verify().warnings == []


def test_a_shared_sink_keeps_other_trails_apart(sink):
    sink.parent.mkdir(parents=True)
    foreign = {
        "trail": "a" * 64,
        "sequence": 1,
        "event_hash": "b" * 64,
        "signed_at": "2026-01-01T00:00:00+00:00",
        "key_id": "x",
        "signature": "y",
    }
    sink.write_text(json.dumps(foreign) + "\n{torn line\n")
    _record(3)
    verdict = audit_chain_verify()
    assert verdict.ok, verdict.reason
    assert any("unreadable line" in w for w in verdict.warnings)


def test_the_command_names_the_signed_state(sink, capsys):
    _record(7)
    call_command("verify_audit_trail")
    out = capsys.readouterr().out
    assert "OK: 7 events verified" in out and "signed up to #6" in out and "1 events since" in out


def test_the_development_key_is_created_owner_only(settings, tmp_path):
    settings.SIGNING_KEY = ""
    settings.SIGNING_KEY_FILE = str(tmp_path / "keys" / "signing.pem")
    signature = signing.sign("test/v1", {"a": 1})
    mode = stat.S_IMODE(os.stat(settings.SIGNING_KEY_FILE).st_mode)
    assert mode == 0o600
    assert signing.verify("test/v1", {"a": 1}, signature)
    assert not signing.verify("other/v1", {"a": 1}, signature)


def test_a_retired_key_still_verifies_what_it_signed(settings, tmp_path):
    settings.SIGNING_KEY = ""
    settings.SIGNING_KEY_FILE = str(tmp_path / "old.pem")
    old_signature = signing.sign("test/v1", {"a": 1})
    public = tmp_path / "old.pub.pem"
    public.write_text(signing.trusted_public_keys_pem())
    settings.SIGNING_KEY_FILE = str(tmp_path / "new.pem")
    assert not signing.verify("test/v1", {"a": 1}, old_signature)
    settings.SIGNING_RETIRED_PUBLIC_KEY_FILES = [str(public)]
    assert signing.verify("test/v1", {"a": 1}, old_signature)
    assert signing.sign("test/v1", {"a": 1}).key_id != old_signature.key_id


def test_create_signing_key_writes_0600_and_never_overwrites(tmp_path, capsys):
    path = tmp_path / "server.pem"
    call_command("create_signing_key", "--file", str(path))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert "BEGIN PUBLIC KEY" in capsys.readouterr().out
    with pytest.raises(Exception, match="never overwritten"):
        call_command("create_signing_key", "--file", str(path))


def test_production_refuses_to_start_without_a_signing_key(tmp_path):
    env = {
        **os.environ,
        "GOVERNANCE_ENV": "production",
        "SECRET_KEY": "p" * 20 + "q" * 20 + "rstuvwxyz0123",
        "ALLOWED_HOSTS": "registry.example",
        "DEBUG": "false",
        "GOVERNANCE_VAR_DIR": str(tmp_path),
    }
    env.pop("SIGNING_KEY", None)
    env.pop("SIGNING_KEY_FILE", None)
    run = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert run.returncode != 0 and "SIGNING_KEY_FILE" in run.stderr
    env["SIGNING_KEY_FILE"] = str(tmp_path / "absent.pem")
    run = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert run.returncode != 0 and "does not exist" in run.stderr
