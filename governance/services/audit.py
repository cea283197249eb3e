"""Writing and verifying the audit trail.

Every service that changes state calls :func:`audit_event_record` inside its own transaction,
so the event exists if and only if the change does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from governance.middleware import current_request_id
from governance.models import GENESIS_HASH, AuditChainHead, AuditEvent, User

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
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
    is_user = actor is not None and getattr(actor, "pk", None) is not None
    fields: dict[str, Any] = {
        "sequence": head.last_sequence + 1,
        # Microseconds are kept by both SQLite and PostgreSQL, so the value reads back equal.
        "created_at": timezone.now(),
        "actor_id": actor.pk if is_user else None,
        "actor_username": actor.get_username() if is_user else "system",
        "actor_role": getattr(actor, "role", "") if is_user else "system",
        "action": action,
        **_target_fields(target),
        "payload": normalise_payload(payload),
        "request_id": current_request_id(),
        "prev_hash": head.last_hash,
    }
    fields["hash"] = event_hash(fields)
    event = AuditEvent(**fields)
    event.save()
    head.last_sequence = event.sequence
    head.last_hash = event.hash
    head.save(update_fields=["last_sequence", "last_hash"])
    return event


@dataclass(frozen=True)
class ChainVerification:
    ok: bool
    checked: int
    first_broken_sequence: int | None = None
    first_broken_id: int | None = None
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "first_broken_sequence": self.first_broken_sequence,
            "first_broken_id": self.first_broken_id,
            "reason": self.reason,
        }


def _rows(chunk_size: int) -> Iterator[dict[str, Any]]:
    columns = ("id", "hash", *HASHED_FIELDS)
    yield from AuditEvent.objects.order_by("sequence").values(*columns).iterator(chunk_size)


def audit_chain_verify(*, chunk_size: int = 5000, progress=None) -> ChainVerification:
    """Walk the whole chain in order and name the first row that does not fit.

    A row whose content changed no longer matches its hash; a deleted row leaves a gap in the
    sequence and a ``prev_hash`` that points at nothing; a deleted tail is caught by the chain
    head, which remembers the last sequence and hash written.
    """
    expected_prev = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    total = AuditEvent.objects.count() if progress else 0
    for row in _rows(chunk_size):
        if row["sequence"] != expected_sequence:
            return ChainVerification(
                False,
                checked,
                row["sequence"],
                row["id"],
                f"sequence jumps from {expected_sequence - 1} to {row['sequence']}: "
                f"{row['sequence'] - expected_sequence} event(s) missing before this row",
            )
        if row["prev_hash"] != expected_prev:
            return ChainVerification(
                False,
                checked,
                row["sequence"],
                row["id"],
                "prev_hash does not match the hash of the previous event",
            )
        if event_hash(row) != row["hash"]:
            return ChainVerification(
                False,
                checked,
                row["sequence"],
                row["id"],
                "content does not match its hash: the row was altered",
            )
        expected_prev = row["hash"]
        expected_sequence += 1
        checked += 1
        if progress and checked % 50000 == 0:
            progress(checked / max(total, 1), f"{checked} of {total} events checked")
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and (
        head.last_sequence != expected_sequence - 1 or head.last_hash != expected_prev
    ):
        return ChainVerification(
            False,
            checked,
            expected_sequence,
            None,
            f"chain ends at #{expected_sequence - 1} but #{head.last_sequence} was written: "
            "the last events were deleted",
        )
    return ChainVerification(True, checked)


@transaction.atomic
def audit_chain_verification_start(*, actor: User):
    """Queue a full verification of the chain in a worker; returns the BackgroundJob row."""
    from governance.models import BackgroundJob
    from governance.tasks import audit_chain_verify_task, enqueue_on_commit

    job = BackgroundJob.objects.create(kind="audit_chain_verify", requested_by=actor)
    audit_event_record(actor=actor, action="audit_trail.verification_requested", target=job)
    enqueue_on_commit(audit_chain_verify_task, job.pk)
    return job
