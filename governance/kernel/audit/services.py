"""Writing and verifying the audit trail.

Every service that changes state calls :func:`audit_event_record` inside its own transaction,
so the event exists if and only if the change does.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, transaction
from django.utils import timezone

from governance.kernel.accounts.models import User
from governance.kernel.audit.checkpoints import (
    checkpoint_due,
    checkpoint_sign_head,
    checkpoints_verify,
)
from governance.kernel.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from governance.kernel.audit.verify_child import verify_range
from governance.kernel.jobs.models import BackgroundJob
from governance.kernel.jobs.services import job_enqueue
from governance.kernel.middleware import current_request_id

HASHED_FIELDS = (
    "sequence",
    "created_at",
    "actor_id",
    "actor_username",
    "actor_role",
    "action",
    "target_type",
    "target_id",
    "target_repr",
    "payload",
    "request_id",
    "prev_hash",
)


def canonical_json(value: Any) -> str:
    """One spelling for one value: sorted keys, no spaces, dates and decimals as strings."""
    return json.dumps(
        value, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def normalise_payload(payload: dict[str, Any] | None) -> dict[str, Any]:
    # Round-trip through JSON so what we hash is exactly what the JSON column gives back.
    return json.loads(canonical_json(payload or {}))


def event_hash(fields: dict[str, Any]) -> str:
    material = {name: fields[name] for name in HASHED_FIELDS}
    created = material["created_at"]
    material["created_at"] = created.isoformat() if hasattr(created, "isoformat") else created
    return hashlib.sha256(canonical_json(material).encode()).hexdigest()


def _target_fields(target: models.Model | None) -> dict[str, str]:
    if target is None:
        return {"target_type": "", "target_id": "", "target_repr": ""}
    meta = target._meta
    return {
        "target_type": f"{meta.app_label}.{meta.model_name}",
        "target_id": str(target.pk),
        "target_repr": str(target)[:300],
    }


def _head_lock_released(asked: float, locked: float) -> None:
    released = time.perf_counter()
    with open(settings.AUDIT_HEAD_LOCK_LOG, "a") as log:
        log.write(f"{(locked - asked) * 1000:.3f} {(released - locked) * 1000:.3f}\n")


def _time_head_lock(asked: float, locked: float) -> None:
    """Append "<ms waited for the chain head> <ms held>" to AUDIT_HEAD_LOCK_LOG once the
    transaction holding it commits (the lock is held until then): how long the head
    serialises writers. Only the first append of a transaction takes the lock."""
    connection = transaction.get_connection()
    if any(
        getattr(func, "__wrapped_head_lock__", False) for _, func, _ in connection.run_on_commit
    ):
        return

    def released() -> None:
        _head_lock_released(asked, locked)

    released.__wrapped_head_lock__ = True
    transaction.on_commit(released)


def audit_event_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain.

    Invariants: must run inside the caller's transaction (so the event and the change commit
    together); appends are totally ordered by locking the single chain-head row, so concurrent
    writers on many machines still form one unbroken chain.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_event_record must be called inside transaction.atomic()")
    # Everything that does not depend on the chain's position is prepared before the head is
    # locked: from the lock on, other writers wait until this transaction commits.
    is_user = actor is not None and getattr(actor, "pk", None) is not None
    prepared: dict[str, Any] = {
        "actor_id": actor.pk if is_user else None,
        "actor_username": actor.get_username() if is_user else "system",
        "actor_role": getattr(actor, "role", "") if is_user else "system",
        "action": action,
        **_target_fields(target),
        "payload": normalise_payload(payload),
        "request_id": current_request_id(),
    }
    asked = time.perf_counter()
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
    if settings.AUDIT_HEAD_LOCK_LOG:
        _time_head_lock(asked, time.perf_counter())
    fields: dict[str, Any] = {
        "sequence": head.last_sequence + 1,
        # Microseconds are kept by both SQLite and PostgreSQL, so the value reads back equal.
        # Taken under the lock, so times never go back along the chain.
        "created_at": timezone.now(),
        **prepared,
        "prev_hash": head.last_hash,
    }
    fields["hash"] = event_hash(fields)
    event = AuditEvent(**fields)
    event.save()
    head.last_sequence = event.sequence
    head.last_hash = event.hash
    head.save(update_fields=["last_sequence", "last_hash"])
    if checkpoint_due(head, fields["created_at"]):
        checkpoint_sign_head(head, trail=event.hash if event.sequence == 1 else None)
    return event


@dataclass(frozen=True)
class ChainVerification:
    ok: bool
    checked: int
    first_broken_sequence: int | None = None
    first_broken_id: int | None = None
    reason: str = ""
    # What the signed checkpoints add (see checkpoints.py).
    checkpoints: int = 0
    last_checkpoint_sequence: int | None = None
    last_checkpoint_at: str | None = None
    unsigned_tail: int = 0
    sink: str = ""
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "first_broken_sequence": self.first_broken_sequence,
            "first_broken_id": self.first_broken_id,
            "reason": self.reason,
            "checkpoints": self.checkpoints,
            "last_checkpoint_sequence": self.last_checkpoint_sequence,
            "last_checkpoint_at": self.last_checkpoint_at,
            "unsigned_tail": self.unsigned_tail,
            "sink": self.sink,
            "warnings": list(self.warnings),
        }


_COLUMNS = ("id", "hash", *HASHED_FIELDS)


def _verify_range(first: int, last: int, chunk_size: int, progress=None, total: int = 0):
    """Check events with ``first <= sequence <= last``.

    Returns (verdict or None, prev_hash of the first row, hash of the last row, rows checked).
    The caller checks that consecutive ranges link up.
    """
    rows = (
        AuditEvent.objects.filter(sequence__gte=first, sequence__lte=last)
        .order_by("sequence")
        .values_list(*_COLUMNS)
        .iterator(chunk_size)
    )
    expected_sequence = first
    expected_prev: str | None = None
    first_prev: str | None = None
    checked = 0
    for values in rows:
        row = dict(zip(_COLUMNS, values, strict=True))
        if first_prev is None:
            # The linkage to the previous range is checked by the caller, at this row.
            first_prev = (row["prev_hash"], row["sequence"], row["id"])
        if row["sequence"] != expected_sequence:
            return (
                ChainVerification(
                    False,
                    checked,
                    row["sequence"],
                    row["id"],
                    f"sequence jumps from {expected_sequence - 1} to {row['sequence']}: "
                    f"{row['sequence'] - expected_sequence} event(s) missing before this row",
                ),
                first_prev,
                expected_prev,
                checked,
            )
        if expected_prev is not None and row["prev_hash"] != expected_prev:
            return (
                ChainVerification(
                    False,
                    checked,
                    row["sequence"],
                    row["id"],
                    "prev_hash does not match the hash of the previous event",
                ),
                first_prev,
                expected_prev,
                checked,
            )
        if event_hash(row) != row["hash"]:
            return (
                ChainVerification(
                    False,
                    checked,
                    row["sequence"],
                    row["id"],
                    "content does not match its hash: the row was altered",
                ),
                first_prev,
                expected_prev,
                checked,
            )
        expected_prev = row["hash"]
        expected_sequence += 1
        checked += 1
        if progress and checked % 50000 == 0:
            progress(checked / max(total, 1), f"{checked} of {total} events checked")
    if expected_sequence != last + 1:
        return (
            ChainVerification(
                False,
                checked,
                expected_sequence,
                None,
                f"events #{expected_sequence} to #{last} were deleted: the chain head records "
                "more events than the table holds",
            ),
            first_prev,
            expected_prev,
            checked,
        )
    return None, first_prev, expected_prev, checked


def _ranges(last_sequence: int, parts: int) -> list[tuple[int, int]]:
    size = -(-last_sequence // parts)
    return [
        (start, min(start + size - 1, last_sequence)) for start in range(1, last_sequence + 1, size)
    ]


def audit_chain_verify(
    *,
    chunk_size: int = 5000,
    progress=None,
    workers: int | None = None,
    parallel_from: int = 200_000,
) -> ChainVerification:
    """Walk the whole chain in order and name the first row that does not fit.

    A row whose content changed no longer matches its hash; a deleted row leaves a gap in the
    sequence and a ``prev_hash`` that points at nothing; a deleted tail is caught by the chain
    head, which remembers the last sequence and hash written. Long chains are split into
    ranges checked by parallel processes (one per core); the ranges must link up.
    """

    head = AuditChainHead.objects.filter(id=1).first()
    last = max(
        head.last_sequence if head else 0,
        AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0,
    )
    if workers is None:
        workers = os.cpu_count() or 1
    # Celery's prefork children are daemons and may not fork; small chains are not worth it.
    if multiprocessing.current_process().daemon or last < parallel_from:
        workers = 1
    ranges = _ranges(last, workers) if last else []
    if workers > 1 and len(ranges) > 1:
        database = connections["default"].settings_dict["NAME"]
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(len(ranges)) as pool:
            results = pool.map(verify_range, [(database, a, b, chunk_size) for a, b in ranges])
    else:
        total = last if progress else 0
        results = [_verify_range(a, b, chunk_size, progress, total) for a, b in ranges]
    checked = 0
    expected_prev = GENESIS_HASH
    for verdict, first_row, last_hash, count in results:
        if first_row is not None:
            prev_hash, sequence, row_id = first_row
            at_first_row = verdict is not None and verdict.first_broken_sequence == sequence
            if prev_hash != expected_prev and not at_first_row:
                return ChainVerification(
                    False,
                    checked,
                    sequence,
                    row_id,
                    "prev_hash does not match the hash of the previous event",
                )
        if verdict is not None:
            return ChainVerification(
                False,
                checked + verdict.checked,
                verdict.first_broken_sequence,
                verdict.first_broken_id,
                verdict.reason,
            )
        checked += count
        expected_prev = last_hash if last_hash is not None else expected_prev
    if head is not None and (head.last_sequence != checked or head.last_hash != expected_prev):
        return ChainVerification(
            False,
            checked,
            checked + 1,
            None,
            f"chain ends at #{checked} but #{head.last_sequence} was written: "
            "the last events were deleted",
        )
    signed = checkpoints_verify(last_sequence=checked)
    broken_id = None
    if not signed.ok and signed.broken_sequence is not None:
        broken_id = (
            AuditEvent.objects.filter(sequence=signed.broken_sequence)
            .values_list("id", flat=True)
            .first()
        )
    return ChainVerification(
        signed.ok,
        checked,
        signed.broken_sequence,
        broken_id,
        signed.reason,
        checkpoints=signed.checkpoints,
        last_checkpoint_sequence=signed.last_checkpoint_sequence,
        last_checkpoint_at=signed.last_checkpoint_at,
        unsigned_tail=signed.unsigned_tail,
        sink=signed.sink,
        warnings=signed.warnings,
    )


@transaction.atomic
def audit_chain_verification_start(*, actor: User):
    """Queue a full verification of the chain in a worker; returns the BackgroundJob row."""

    job = BackgroundJob.objects.create(kind="audit_chain_verify", requested_by=actor)
    audit_event_record(actor=actor, action="audit_trail.verification_requested", target=job)
    job_enqueue(job)
    return job
