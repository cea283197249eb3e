"""An insider with write access to the database tries to bend the audit trail: truncating its
tail, rewriting it from row 10 with every later hash recomputed, deleting the checkpoints,
forging a checkpoint with a key of their own. Each is caught by ``verify_audit_trail`` and by
the offline script run on a bundle the auditor downloaded."""

import base64
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from rest_framework.test import APIClient

from governance.kernel import signing
from governance.kernel.audit.checkpoints import PURPOSE, sink_sync
from governance.kernel.audit.models import AuditChainHead, AuditCheckpoint, AuditEvent
from governance.kernel.audit.services import HASHED_FIELDS, audit_chain_verify, event_hash
from tests.governance.kernel.audit.test_audit_trail import _raw, _record

pytestmark = pytest.mark.django_db
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "verify_trail_bundle.py"


@pytest.fixture
def trail(settings, tmp_path):
    """30 events signed every 5, with the sink filled as a running server leaves it."""
    settings.AUDIT_CHECKPOINT_EVERY_EVENTS = 5
    settings.AUDIT_CHECKPOINT_SINK = str(tmp_path / "sink.jsonl")
    _record(30)
    sink_sync()
    assert audit_chain_verify().ok
    return tmp_path


def _verify_command() -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit_trail", stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, err.getvalue()
    return 0, out.getvalue()


def _offline(tmp_path: Path, *extra: str) -> tuple[int, str]:
    """Download the bundle as an auditor would, then run the standalone script on it in a
    process that must never import Django."""
    bundle = tmp_path / "bundle.zip"
    public = tmp_path / "server.pub.pem"
    public.write_text(signing.trusted_public_keys_pem())  # known out of band
    call_command("export_trail_bundle", "--output", str(bundle), stdout=io.StringIO())
    code = (
        "import runpy, sys\n"
        f"sys.argv = ['verify', {str(bundle)!r}, '--public-key', {str(public)!r}, "
        f"*{list(extra)!r}]\n"
        "try:\n"
        f"    runpy.run_path({str(SCRIPT)!r}, run_name='__main__')\n"
        "except SystemExit as exit:\n"
        "    status = exit.code\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'imported Django'\n"
        "sys.exit(status)\n"
    )
    run = subprocess.run(
        [sys.executable, "-I", "-c", code], capture_output=True, text=True, timeout=120
    )
    bundle.unlink()
    return run.returncode, run.stdout + run.stderr


def _set_head(sequence: int, hash_: str) -> None:
    AuditChainHead.objects.filter(id=1).update(last_sequence=sequence, last_hash=hash_)


def test_an_intact_trail_verifies_offline(trail):
    code, out = _offline(trail, "--sink", str(trail / "sink.jsonl"))
    assert code == 0, out
    assert "OK: 30 events" in out
    # Taking the bundle is itself audited, after what it holds.
    assert AuditEvent.objects.order_by("-sequence").first().action == "audit_trail.bundle_exported"


def test_truncating_the_tail_and_moving_the_head_is_detected(trail):
    keep = AuditEvent.objects.get(sequence=22)
    _raw("DELETE FROM governance_auditevent WHERE sequence > %s", (22,))
    _set_head(22, keep.hash)
    verdict = audit_chain_verify()
    assert not verdict.ok
    assert verdict.first_broken_sequence == 23 and "were deleted" in verdict.reason
    code, message = _verify_command()
    assert code == 1 and "BROKEN at sequence 23" in message
    # The offline bundle is exported after the tampering (it holds what the database holds).
    code, out = _offline(trail)
    assert code == 1 and "events were deleted" in out


def test_rewriting_from_row_ten_with_recomputed_hashes_is_detected(trail):
    rows = list(AuditEvent.objects.order_by("sequence").values("id", "hash", *HASHED_FIELDS))
    previous = rows[8]["hash"]
    for row in rows[9:]:
        row["prev_hash"] = previous
        if row["sequence"] == 10:
            row["payload"] = {"i": "forged"}
        row["hash"] = previous = event_hash(row)
        _raw(
            "UPDATE governance_auditevent SET payload = %s, prev_hash = %s, hash = %s "
            "WHERE id = %s",
            (json.dumps(row["payload"]), row["prev_hash"], row["hash"], row["id"]),
        )
    _set_head(rows[-1]["sequence"], previous)
    verdict = audit_chain_verify()
    assert not verdict.ok
    # The chain alone is consistent again; the first checkpoint after row 10 is not.
    assert verdict.first_broken_sequence == 11
    assert "rewritten between #7 and #11" in verdict.reason
    assert _verify_command()[0] == 1
    code, out = _offline(trail)
    assert code == 1 and "rewritten between #7 and #11" in out


def test_deleting_the_checkpoint_table_is_detected(trail):
    _raw("DELETE FROM governance_auditcheckpoint")
    assert not AuditCheckpoint.objects.exists()
    verdict = audit_chain_verify()
    assert not verdict.ok and "in the sink but missing from the database" in verdict.reason
    code, _ = _verify_command()
    assert code == 1
    # Offline, with the auditor's own copy of the sink.
    code, out = _offline(trail, "--sink", str(trail / "sink.jsonl"))
    assert code == 1 and "checkpoints were deleted" in out


def test_deleting_checkpoints_and_sink_still_shows_the_unsigned_tail(trail):
    _raw("DELETE FROM governance_auditcheckpoint")
    (trail / "sink.jsonl").unlink()
    verdict = audit_chain_verify()
    assert not verdict.ok and "carry no signed checkpoint" in verdict.reason
    code, out = _offline(trail)
    assert code == 1 and "carry no checkpoint" in out


def test_a_checkpoint_forged_with_another_key_is_refused(trail):
    forger = Ed25519PrivateKey.generate()
    last = AuditEvent.objects.order_by("-sequence").first()
    record = {
        "trail": AuditEvent.objects.get(sequence=1).hash,
        "sequence": last.sequence + 5,
        "event_hash": "e" * 64,
        "signed_at": "2026-12-01T00:00:00+00:00",
    }
    message = (PURPOSE + "\n" + json.dumps(record, sort_keys=True, separators=(",", ":"))).encode()
    _raw(
        "INSERT INTO governance_auditcheckpoint "
        "(sequence, event_hash, trail, signed_at, key_id, signature) VALUES (%s,%s,%s,%s,%s,%s)",
        (
            record["sequence"],
            record["event_hash"],
            record["trail"],
            record["signed_at"],
            signing.sign_key_id(),  # it claims to be the server's key
            base64.b64encode(forger.sign(message)).decode(),
        ),
    )
    verdict = audit_chain_verify()
    assert not verdict.ok and "does not verify" in verdict.reason
    code, out = _offline(trail)
    assert code == 1 and "signature does not verify" in out


@pytest.mark.postgres
def test_postgres_refuses_to_change_or_delete_checkpoints(trail):
    for sql in (
        "UPDATE governance_auditcheckpoint SET trail = 'x'",
        "DELETE FROM governance_auditcheckpoint",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)


@pytest.mark.parametrize("who", ["auditor", "admin"])
def test_auditors_and_admins_download_the_bundle(users, api, who, trail):
    response = api(users[who]).get("/api/v1/audit-events/bundle/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "no-store"
    assert b"".join(response.streaming_content)[:2] == b"PK"
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event.action == "audit_trail.bundle_exported" and event.actor == users[who]


@pytest.mark.parametrize("who", ["compliance_officer", "data_scientist", "outsider"])
def test_other_roles_cannot_download_the_bundle(users, api, who):
    assert api(users[who]).get("/api/v1/audit-events/bundle/").status_code == 403
    assert APIClient().get("/api/v1/audit-events/bundle/").status_code == 401
