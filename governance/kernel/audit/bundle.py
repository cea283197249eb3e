"""The offline bundle of the audit trail: everything an auditor needs to check it away from the
server, with ``scripts/verify_trail_bundle.py`` (no Django, no database).

A zip of ``events.jsonl`` (every hashed field and the hash), ``checkpoints.jsonl`` (the signed
checkpoints in the database), ``sink-checkpoints.jsonl`` (this trail's lines in the sink),
``public-keys.pem`` (every key the server trusts), ``manifest.json`` and a README. Built in a
temporary file, one event at a time, so memory stays flat however long the trail is.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from governance.kernel import signing
from governance.kernel.accounts.models import User
from governance.kernel.audit.checkpoints import checkpoint_record, sink_read, trail_id
from governance.kernel.audit.models import AuditChainHead, AuditCheckpoint, AuditEvent
from governance.kernel.audit.services import HASHED_FIELDS, audit_event_record

BUNDLE_FORMAT = "audit-trail-bundle/v1"

README = """Audit trail bundle
==================

events.jsonl            every event: the fields its hash covers, and the hash
checkpoints.jsonl       the server's signatures over the chain, as kept in its database
sink-checkpoints.jsonl  the same signatures as kept in the sink outside the database
public-keys.pem         the public keys the server signs with (current and retired)
manifest.json           counts, the chain head, how often checkpoints are signed

Check it with the standalone script in the project's repository (Python 3 and the
`cryptography` package; neither Django nor a database):

    python scripts/verify_trail_bundle.py audit-trail-bundle.zip \\
        --public-key server-public-key.pem  [--sink your-copy-of-the-sink.jsonl]

Take the public key from somewhere other than this bundle (the deployment's configuration,
a copy kept at the last audit): a key taken from the bundle itself proves only that the bundle
is consistent with itself.
"""


def _event_line(values: dict[str, Any]) -> str:
    created = values["created_at"]
    values["created_at"] = created.isoformat()
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"


def _write_lines(archive: zipfile.ZipFile, name: str, lines) -> int:
    count = 0
    with archive.open(name, "w", force_zip64=True) as handle:
        for line in lines:
            handle.write(line.encode())
            count += 1
    return count


def audit_bundle_build(*, actor: User | None, output: IO[bytes]) -> dict[str, Any]:
    """Write the bundle to ``output``, then record who took it (the bundle shows the trail as
    it stood when asked for; the export's own event is the next one). Returns the manifest."""
    with transaction.atomic():
        head = AuditChainHead.objects.filter(id=1).first()
        last = head.last_sequence if head else 0
        trail = trail_id()
        columns = ("hash", *HASHED_FIELDS)
        events = (
            AuditEvent.objects.filter(sequence__lte=last)
            .order_by("sequence")
            .values(*columns)
            .iterator(chunk_size=5000)
        )
        # Every checkpoint, also those past the head: they are the evidence of a truncation.
        # Only ones whose event exists beyond the head were written during the export.
        later = set(AuditEvent.objects.filter(sequence__gt=last).values_list("sequence", flat=True))
        checkpoints = AuditCheckpoint.objects.exclude(sequence__in=later).order_by("sequence")
        sink = sink_read(trail)
        with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            event_count = _write_lines(archive, "events.jsonl", map(_event_line, events))
            checkpoint_count = _write_lines(
                archive,
                "checkpoints.jsonl",
                (json.dumps(checkpoint_record(c), sort_keys=True) + "\n" for c in checkpoints),
            )
            _write_lines(
                archive,
                "sink-checkpoints.jsonl",
                (
                    json.dumps(r, sort_keys=True) + "\n"
                    for r in sink.records
                    if r["sequence"] not in later
                ),
            )
            archive.writestr("public-keys.pem", signing.trusted_public_keys_pem())
            manifest = {
                "format": BUNDLE_FORMAT,
                "generated_at": timezone.now().isoformat(),
                "trail": trail,
                "events": event_count,
                "checkpoints": checkpoint_count,
                "head": {"sequence": last, "hash": head.last_hash if head else None},
                "checkpoint_every_events": settings.AUDIT_CHECKPOINT_EVERY_EVENTS,
                "hashed_fields": list(HASHED_FIELDS),
                "sink_configured": bool(settings.AUDIT_CHECKPOINT_SINK),
            }
            archive.writestr("manifest.json", json.dumps(manifest, indent=2))
            archive.writestr("README.txt", README)
    with transaction.atomic():
        audit_event_record(
            actor=actor,
            action="audit_trail.bundle_exported",
            payload={"events": manifest["events"], "head": manifest["head"]},
        )
    return manifest


def audit_bundle_tempfile(*, actor: User | None) -> IO[bytes]:
    """The bundle in a temporary file (deleted when closed), rewound for reading."""
    handle = tempfile.TemporaryFile(dir=settings.VAR_DIR / "tmp")  # noqa: SIM115 - the response closes it
    try:
        audit_bundle_build(actor=actor, output=handle)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle
