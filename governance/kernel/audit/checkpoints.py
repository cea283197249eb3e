"""Signed checkpoints of the audit trail, and the sink outside the database that keeps a copy.

The hash chain alone proves that rows fit together, not that they are the rows that were
written: someone with write access to the database can delete the last events and move the
chain head, or rewrite events from any row on and recompute every later hash. Checkpoints close
that gap. Every ``AUDIT_CHECKPOINT_EVERY_EVENTS`` events (and, when anything was written, every
``AUDIT_CHECKPOINT_EVERY_SECONDS``) the server signs the hash of the newest event with its
Ed25519 key, which lives outside the database. A rewrite changes a signed hash; a truncation
removes a signed event; deleting checkpoints leaves their copies in the sink, a file on another
volume (or any mounted store) that the database's users cannot write.

What remains possible, and is stated in docs/SECURITY.md: events written after the newest
checkpoint are protected by the chain only until the next checkpoint is signed.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from governance.kernel import signing
from governance.kernel.audit.models import AuditChainHead, AuditCheckpoint, AuditEvent

logger = logging.getLogger(__name__)

PURPOSE = "audit-trail-checkpoint/v1"
SIGNED_FIELDS = ("trail", "sequence", "event_hash", "signed_at")


def checkpoint_record(checkpoint: AuditCheckpoint) -> dict[str, Any]:
    """The checkpoint as exported, written to the sink and signed (minus the signature)."""
    signed_at = checkpoint.signed_at
    return {
        "trail": checkpoint.trail,
        "sequence": checkpoint.sequence,
        "event_hash": checkpoint.event_hash,
        "signed_at": signed_at.isoformat() if isinstance(signed_at, datetime) else signed_at,
        "key_id": checkpoint.key_id,
        "signature": checkpoint.signature,
    }


def _signed_part(record: dict[str, Any]) -> dict[str, Any]:
    return {name: record[name] for name in SIGNED_FIELDS}


def trail_id() -> str | None:
    """A trail is named by the hash of its first event."""
    return AuditEvent.objects.filter(sequence=1).values_list("hash", flat=True).first()


def checkpoint_due(head: AuditChainHead, now: datetime) -> bool:
    unsigned = head.last_sequence - head.checkpoint_sequence
    if unsigned <= 0:
        return False
    if unsigned >= settings.AUDIT_CHECKPOINT_EVERY_EVENTS:
        return True
    since = head.checkpoint_at
    return since is None or now - since >= timedelta(
        seconds=settings.AUDIT_CHECKPOINT_EVERY_SECONDS
    )


def checkpoint_sign_head(head: AuditChainHead, *, trail: str | None = None) -> AuditCheckpoint:
    """Sign the chain up to the head. The caller holds the head's row lock in its transaction;
    the copy goes to the sink once that transaction commits."""
    now = timezone.now()
    checkpoint = AuditCheckpoint(
        trail=trail or trail_id() or head.last_hash,
        sequence=head.last_sequence,
        event_hash=head.last_hash,
        signed_at=now,
    )
    record = checkpoint_record(checkpoint)
    signature = signing.sign(PURPOSE, _signed_part(record))
    checkpoint.key_id = signature.key_id
    checkpoint.signature = signature.value
    checkpoint.save()
    head.checkpoint_sequence = checkpoint.sequence
    head.checkpoint_at = now
    head.save(update_fields=["checkpoint_sequence", "checkpoint_at"])
    record = checkpoint_record(checkpoint)
    transaction.on_commit(lambda: sink_append([record]))
    return checkpoint


def audit_checkpoint_write() -> AuditCheckpoint | None:
    """Sign the head now if anything was written since the last checkpoint (the beat's job, so
    a quiet trail is signed too), then bring the sink up to date. Returns the new checkpoint."""
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(id=1).first()
        checkpoint = None
        if head is not None and head.last_sequence > head.checkpoint_sequence:
            checkpoint = checkpoint_sign_head(head)
    sink_sync()
    return checkpoint


# --- the sink ---------------------------------------------------------------------------------


def _sink_path() -> Path | None:
    name = settings.AUDIT_CHECKPOINT_SINK
    return Path(name) if name else None


def sink_append(records: list[dict[str, Any]]) -> bool:
    """Append checkpoints to the sink, one JSON line each, under an exclusive lock and flushed
    to disk. A failure is logged, not raised: the checkpoint is in the database and the next
    :func:`sink_sync` copies it."""
    path = _sink_path()
    if path is None or not records:
        return True
    lines = "".join(json.dumps(r, sort_keys=True, separators=(",", ":")) + "\n" for r in records)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, lines.encode())
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        logger.exception("audit checkpoint sink %s could not be written", path)
        return False
    return True


@dataclass
class SinkContents:
    records: list[dict[str, Any]] = field(default_factory=list)
    unreadable_lines: list[int] = field(default_factory=list)
    exists: bool = False


def sink_read(trail: str | None) -> SinkContents:
    """The sink's checkpoints of this trail (a sink may be shared by several databases)."""
    path = _sink_path()
    out = SinkContents()
    if path is None or trail is None or not path.exists():
        return out
    out.exists = True
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                valid = isinstance(record, dict) and all(
                    name in record for name in (*SIGNED_FIELDS, "key_id", "signature")
                )
            except ValueError:
                valid = False
            if not valid:
                out.unreadable_lines.append(number)
            elif record["trail"] == trail:
                out.records.append(record)
    return out


def sink_sync() -> int:
    """Copy checkpoints the sink lacks (a failed write, a sink configured later). Signed rows
    only: copying cannot launder anything, since the verifier checks every signature."""
    trail = trail_id()
    if trail is None or _sink_path() is None:
        return 0
    present = {r["sequence"] for r in sink_read(trail).records}
    missing = [
        checkpoint_record(c)
        for c in AuditCheckpoint.objects.filter(trail=trail).exclude(sequence__in=present)
    ]
    if missing and sink_append(missing):
        return len(missing)
    return 0


# --- verification -----------------------------------------------------------------------------


@dataclass
class CheckpointVerdict:
    ok: bool = True
    broken_sequence: int | None = None
    reason: str = ""
    checkpoints: int = 0
    last_checkpoint_sequence: int | None = None
    last_checkpoint_at: str | None = None
    unsigned_tail: int = 0
    sink: str = ""
    warnings: list[str] = field(default_factory=list)

    def fail(self, sequence: int | None, reason: str) -> CheckpointVerdict:
        if self.ok:
            self.ok, self.broken_sequence, self.reason = False, sequence, reason
        return self


def _valid(record: dict[str, Any]) -> bool:
    return signing.verify(
        PURPOSE,
        _signed_part(record),
        signing.Signature(record["key_id"], record["signature"]),
    )


def checkpoints_verify(*, last_sequence: int) -> CheckpointVerdict:
    """Hold the chain (already found internally consistent up to ``last_sequence``) against
    the signed checkpoints in the database and in the sink."""
    verdict = CheckpointVerdict(sink=str(_sink_path() or ""))
    trail = trail_id()
    table = [checkpoint_record(c) for c in AuditCheckpoint.objects.order_by("sequence")]
    sink = sink_read(trail)
    if sink.unreadable_lines:
        verdict.warnings.append(
            f"the sink has {len(sink.unreadable_lines)} unreadable line(s), first at line "
            f"{sink.unreadable_lines[0]}"
        )
    foreign = [r for r in table if r["trail"] != trail]
    if foreign:
        return verdict.fail(
            1,
            f"{len(foreign)} checkpoint(s) were signed for a trail whose first event had hash "
            f"{foreign[0]['trail'][:12]}…, not this one: the trail was rewritten from its first "
            "event",
        )
    for source, records in (("database", table), ("sink", sink.records)):
        for record in records:
            if not _valid(record):
                return verdict.fail(
                    record["sequence"],
                    f"checkpoint #{record['sequence']} in the {source} has a signature that does "
                    "not verify with the server's public key: it was forged or altered",
                )
    in_table = {r["sequence"]: r for r in table}
    in_sink = {r["sequence"]: r for r in sink.records}
    for sequence, record in sorted(in_sink.items()):
        if sequence not in in_table and not _committed_since(record):
            return verdict.fail(
                sequence,
                f"checkpoint #{sequence} signed at {record['signed_at']} is in the sink but "
                "missing from the database: checkpoints were deleted",
            )
    not_in_sink = [s for s in in_table if s not in in_sink]
    if verdict.sink and not_in_sink:
        verdict.warnings.append(
            f"{len(not_in_sink)} checkpoint(s) not yet copied to the sink (from #"
            f"{min(not_in_sink)}); the next scheduled checkpoint copies them"
        )
    # Writers keep appending while this runs: a checkpoint past the end of the walk whose event
    # exists now was written meanwhile; one whose event is gone marks a truncation.
    beyond = [s for s in in_table if s > last_sequence]
    written_since = set(
        AuditEvent.objects.filter(sequence__in=beyond).values_list("sequence", flat=True)
    )
    records = sorted(
        (r for s, r in in_table.items() if s not in written_since), key=lambda r: r["sequence"]
    )
    verdict.checkpoints = len(records)
    hashes = _event_hashes([r["sequence"] for r in records if r["sequence"] <= last_sequence])
    previous = 0
    for record in records:
        sequence = record["sequence"]
        if sequence > last_sequence:
            return verdict.fail(
                last_sequence + 1,
                f"the trail ends at #{last_sequence} but checkpoint #{sequence}, signed at "
                f"{record['signed_at']}, vouches for events up to #{sequence}: events "
                f"#{last_sequence + 1} to #{sequence} or more were deleted",
            )
        if hashes.get(sequence) != record["event_hash"]:
            return verdict.fail(
                sequence,
                f"event #{sequence} no longer has the hash signed at {record['signed_at']}: "
                f"the trail was rewritten between #{previous + 1} and #{sequence}",
            )
        previous = sequence
    if records:
        verdict.last_checkpoint_sequence = records[-1]["sequence"]
        verdict.last_checkpoint_at = records[-1]["signed_at"]
    verdict.unsigned_tail = last_sequence - previous
    every = settings.AUDIT_CHECKPOINT_EVERY_EVENTS
    if verdict.unsigned_tail > every:
        return verdict.fail(
            previous + 1,
            f"events #{previous + 1} to #{last_sequence} carry no signed checkpoint although one "
            f"is signed every {every} events: checkpoints were deleted",
        )
    return verdict


def _committed_since(record: dict[str, Any]) -> bool:
    """A sink line whose checkpoint reached the database after the table was read."""
    return AuditCheckpoint.objects.filter(
        sequence=record["sequence"], signature=record["signature"]
    ).exists()


def _event_hashes(sequences: list[int], chunk: int = 2000) -> dict[int, str]:
    out: dict[int, str] = {}
    for start in range(0, len(sequences), chunk):
        part = sequences[start : start + chunk]
        out.update(AuditEvent.objects.filter(sequence__in=part).values_list("sequence", "hash"))
    return out
