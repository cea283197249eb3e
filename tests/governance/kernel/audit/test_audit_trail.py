"""The audit trail is hash-chained; edits and deletions are detected and, on PostgreSQL, refused."""

import itertools
import threading

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from rest_framework.test import APIClient

from governance.kernel.audit.models import AuditChainHead, AuditEvent
from governance.kernel.audit.services import audit_chain_verify, audit_event_record, event_hash

pytestmark = pytest.mark.django_db


def _record(n: int, actor=None):
    for i in range(n):
        with transaction.atomic():
            audit_event_record(actor=actor, action="test.event", payload={"i": i, "x": [1.5, "é"]})


def _raw(sql: str, params=()):
    """Tamper as an attacker with SQL access would (bypassing the model's guards)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A superuser can switch triggers off; the hash chain must still catch the change.
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = origin")


def test_events_form_a_chain(scientist):
    _record(5, actor=scientist)
    events = list(AuditEvent.objects.order_by("sequence"))
    assert events[0].prev_hash == "0" * 64 or events[0].sequence > 1
    for previous, current in itertools.pairwise(events):
        assert current.prev_hash == previous.hash
        assert current.sequence == previous.sequence + 1
    last = events[-1]
    assert last.actor == scientist and last.actor_role == "data_scientist"
    verdict = audit_chain_verify()
    assert verdict.ok and verdict.checked == AuditEvent.objects.count()


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        audit_event_record(actor=None, action="test.event")


def test_model_refuses_save_and_delete_of_existing_events():
    _record(1)
    event = AuditEvent.objects.last()
    event.action = "forged"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_an_edited_row_is_named(capsys):
    _record(6)
    victim = AuditEvent.objects.order_by("sequence")[3]
    _raw("UPDATE governance_auditevent SET payload = %s WHERE id = %s", ('{"i": 999}', victim.pk))
    verdict = audit_chain_verify()
    assert not verdict.ok
    assert verdict.first_broken_sequence == victim.sequence
    assert verdict.first_broken_id == victim.pk
    assert "altered" in verdict.reason
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit_trail")
    assert exit_info.value.code == 1
    assert f"sequence {victim.sequence}" in capsys.readouterr().err


def test_a_recomputed_hash_still_breaks_the_next_link():
    _record(5)
    rows = list(AuditEvent.objects.order_by("sequence"))
    victim = rows[2]
    fields = {
        f: getattr(victim, f)
        for f in (
            "sequence",
            "created_at",
            "actor_id",
            "actor_username",
            "actor_role",
            "action",
            "target_type",
            "target_id",
            "target_repr",
            "request_id",
            "prev_hash",
        )
    }
    fields["payload"] = {"i": "forged"}
    forged_hash = event_hash(fields)
    _raw(
        "UPDATE governance_auditevent SET payload = %s, hash = %s WHERE id = %s",
        ('{"i": "forged"}', forged_hash, victim.pk),
    )
    verdict = audit_chain_verify()
    assert not verdict.ok
    assert verdict.first_broken_sequence == rows[3].sequence
    assert "prev_hash" in verdict.reason


def test_a_deleted_row_is_named():
    _record(6)
    rows = list(AuditEvent.objects.order_by("sequence"))
    _raw("DELETE FROM governance_auditevent WHERE id = %s", (rows[2].pk,))
    verdict = audit_chain_verify()
    assert not verdict.ok
    assert verdict.first_broken_sequence == rows[3].sequence
    assert "missing" in verdict.reason


def test_a_deleted_tail_is_detected():
    _record(4)
    last = AuditEvent.objects.order_by("sequence").last()
    _raw("DELETE FROM governance_auditevent WHERE id = %s", (last.pk,))
    verdict = audit_chain_verify()
    assert not verdict.ok
    assert "deleted" in verdict.reason


def test_verify_command_succeeds_on_an_intact_chain(capsys):
    _record(3)
    call_command("verify_audit_trail")
    assert "OK" in capsys.readouterr().out


@pytest.mark.postgres
def test_postgres_trigger_refuses_update_and_delete():
    _record(2)
    event = AuditEvent.objects.first()
    for sql in (
        "UPDATE governance_auditevent SET action = 'x' WHERE id = %s",
        "DELETE FROM governance_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, (event.pk,))
    assert AuditEvent.objects.filter(pk=event.pk, action="test.event").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain():
    errors = []

    def writer():
        try:
            _record(10)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert AuditEvent.objects.count() == 40
    assert audit_chain_verify().ok
    assert AuditChainHead.objects.get().last_sequence == 40


@pytest.mark.parametrize("who", ["auditor", "admin"])
def test_auditors_and_admins_read_filter_export_and_verify(users, api, who, scientist):
    _record(3, actor=scientist)
    client = api(users[who])
    listed = client.get("/api/v1/audit-events/", {"action": "test.", "actor": scientist.pk})
    assert listed.status_code == 200
    assert listed.json()["count"] == 3 and listed.json()["count_exact"] is True
    export = client.get("/api/v1/audit-events/export/", {"action": "test."})
    assert export.status_code == 200
    body = b"".join(export.streaming_content).decode()
    assert body.count("test.event") == 3
    assert body.splitlines()[0].startswith("sequence,created_at")
    verify = client.get("/api/v1/audit-events/verify/")
    assert verify.status_code == 200 and verify.json()["ok"] is True
    bad = client.get("/api/v1/audit-events/", {"since": "yesterday"})
    assert bad.status_code == 400


@pytest.mark.parametrize("who", ["compliance_officer", "data_scientist", "outsider"])
def test_other_roles_cannot_read_the_trail(users, api, who):
    client = api(users[who])
    assert client.get("/api/v1/audit-events/").status_code == 403
    assert client.get("/api/v1/audit-events/export/").status_code == 403
    assert client.get("/api/v1/audit-events/verify/").status_code == 403
    assert client.post("/api/v1/audit-events/verify/").status_code == 403
    assert APIClient().get("/api/v1/audit-events/").status_code == 401


def test_csv_export_neutralises_formulas(auditor, api):
    with transaction.atomic():
        audit_event_record(actor=None, action='=HYPERLINK("http://evil")')
    body = b"".join(api(auditor).get("/api/v1/audit-events/export/").streaming_content).decode()
    assert "'=HYPERLINK" in body


def test_verification_in_a_background_job(auditor, api, django_capture_on_commit_callbacks):
    _record(3)
    client = api(auditor)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post("/api/v1/audit-events/verify/")
    assert started.status_code == 202
    job = client.get(f"/api/v1/jobs/{started.json()['id']}/").json()
    assert job["status"] == "succeeded"
    assert job["result"]["ok"] is True


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_verification_finds_the_same_break():
    _record(30)
    assert audit_chain_verify(workers=3, parallel_from=1).ok
    rows = list(AuditEvent.objects.order_by("sequence"))
    victim = rows[17]
    _raw("UPDATE governance_auditevent SET action = 'forged' WHERE id = %s", (victim.pk,))
    parallel = audit_chain_verify(workers=3, parallel_from=1)
    serial = audit_chain_verify(workers=1)
    assert not parallel.ok
    assert parallel.first_broken_sequence == serial.first_broken_sequence == victim.sequence
    _raw("DELETE FROM governance_auditevent WHERE id = %s", (rows[10].pk,))
    assert audit_chain_verify(workers=3, parallel_from=1).first_broken_sequence == rows[11].sequence


def test_the_trail_list_counts_at_most_a_thousand_events(users, api, scientist):
    _record(1005, actor=scientist)
    client = api(users["auditor"])
    first = client.get("/api/v1/audit-events/", {"action": "test.", "limit": 10}).json()
    assert first["count"] == 1000 and first["count_exact"] is False
    assert len(first["results"]) == 10 and first["next"]
    last = client.get("/api/v1/audit-events/", {"action": "test.", "offset": 1000}).json()
    assert last["count"] == 1005 and last["count_exact"] is True and last["next"] is None
