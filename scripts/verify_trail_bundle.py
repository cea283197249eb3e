#!/usr/bin/env python3
"""Verify an audit trail bundle offline: no Django, no database, no code of the server.

    python verify_trail_bundle.py BUNDLE.zip --public-key KEY.pem [--sink SINK.jsonl]

Needs Python 3.10+ and the ``cryptography`` package. It is written independently of the
server's own verifier on purpose: an auditor should not have to trust the code that wrote the
trail. The rules, each reported with the first event it concerns:

1. The events run from #1 without a gap; each one's ``prev_hash`` is the previous one's hash
   (the first one's is 64 zeros); each hash is SHA-256 over the canonical JSON of its fields.
2. Every checkpoint carries a valid Ed25519 signature by one of the public keys given.
3. Every checkpoint found in the sink (the bundle's copy and, better, your own) is also among
   the database's checkpoints: missing ones were deleted.
4. Every checkpoint's event still exists and still has the signed hash: otherwise the trail
   was truncated or rewritten.
5. No more than ``checkpoint_every_events`` events follow the newest checkpoint.

Exit status: 0 intact, 1 broken (the reason is printed), 2 the bundle cannot be read.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import sys
import zipfile
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

GENESIS = "0" * 64
PURPOSE = "audit-trail-checkpoint/v1"
HASHED = (
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
SIGNED = ("trail", "sequence", "event_hash", "signed_at")


class Broken(Exception):
    def __init__(self, sequence: int | None, reason: str):
        super().__init__(reason)
        self.sequence = sequence
        self.reason = reason


@dataclass
class Summary:
    events: int
    checkpoints: int
    last_checkpoint: int | None
    unsigned_tail: int


def canonical(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def load_keys(pem: bytes) -> dict[str, Ed25519PublicKey]:
    keys = {}
    for block in pem.split(b"-----END PUBLIC KEY-----"):
        if b"-----BEGIN PUBLIC KEY-----" not in block:
            continue
        key = serialization.load_pem_public_key(block + b"-----END PUBLIC KEY-----\n")
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("only Ed25519 public keys are used to sign the trail")
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        keys[hashlib.sha256(raw).hexdigest()[:16]] = key
    return keys


def signature_ok(record: dict, keys: dict[str, Ed25519PublicKey]) -> bool:
    key = keys.get(record.get("key_id", ""))
    if key is None:
        return False
    message = (PURPOSE + "\n" + canonical({k: record[k] for k in SIGNED})).encode()
    try:
        key.verify(base64.b64decode(record["signature"], validate=True), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def read_jsonl(archive: zipfile.ZipFile, name: str):
    if name not in archive.namelist():
        return
    with archive.open(name) as handle:
        for line in io.TextIOWrapper(handle, encoding="utf-8"):
            if line.strip():
                yield json.loads(line)


def check_events(events) -> tuple[int, dict[int, str], str | None]:
    """Rule 1; returns (count, {sequence: hash}, hash of the first event)."""
    expected, previous, first, hashes = 1, GENESIS, None, {}
    for event in events:
        sequence = event["sequence"]
        if sequence != expected:
            raise Broken(expected, f"sequence jumps from #{expected - 1} to #{sequence}")
        if event["prev_hash"] != previous:
            raise Broken(sequence, "prev_hash is not the previous event's hash")
        digest = hashlib.sha256(canonical({k: event[k] for k in HASHED}).encode()).hexdigest()
        if digest != event["hash"]:
            raise Broken(sequence, "the event's content does not match its hash")
        hashes[sequence] = previous = event["hash"]
        first = first or event["hash"]
        expected += 1
    return expected - 1, hashes, first


def check_checkpoints(
    *, database: list, sinks: list, hashes: dict, last: int, trail: str | None, keys, every: int
) -> Summary:
    foreign = [c for c in database if c["trail"] != trail]
    if foreign:
        raise Broken(1, "checkpoints were signed for another first event: rewritten from #1")
    sink_records = [c for c in sinks if c.get("trail") == trail]
    for source, records in (("database", database), ("sink", sink_records)):
        for record in records:
            if not signature_ok(record, keys):
                raise Broken(
                    record["sequence"],
                    f"checkpoint #{record['sequence']} ({source}): signature does not verify",
                )
    signed = {c["sequence"]: c for c in database}
    for record in sorted(sink_records, key=lambda c: c["sequence"]):
        if record["sequence"] not in signed:
            raise Broken(
                record["sequence"],
                f"checkpoint #{record['sequence']} is in the sink but not in the database: "
                "checkpoints were deleted",
            )
    previous = 0
    for sequence in sorted(signed):
        record = signed[sequence]
        if sequence > last:
            raise Broken(
                last + 1,
                f"the trail ends at #{last} but checkpoint #{sequence} signed at "
                f"{record['signed_at']} covers it: events were deleted",
            )
        if hashes.get(sequence) != record["event_hash"]:
            raise Broken(
                sequence,
                f"event #{sequence} is not the one signed at {record['signed_at']}: "
                f"rewritten between #{previous + 1} and #{sequence}",
            )
        previous = sequence
    if last - previous > every:
        raise Broken(
            previous + 1,
            f"events #{previous + 1} to #{last} carry no checkpoint although one is signed "
            f"every {every} events: checkpoints were deleted",
        )
    return Summary(last, len(signed), previous or None, last - previous)


def verify(bundle: str, public_key: str | None, sink: str | None, every: int | None) -> Summary:
    with zipfile.ZipFile(bundle) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        if manifest.get("format") != "audit-trail-bundle/v1":
            raise ValueError(f"unknown bundle format {manifest.get('format')!r}")
        if public_key:
            with open(public_key, "rb") as handle:
                key_pem = handle.read()
        else:
            key_pem = archive.read("public-keys.pem")
        keys = load_keys(key_pem)
        if not keys:
            raise ValueError("no Ed25519 public key found")
        last, hashes, trail = check_events(read_jsonl(archive, "events.jsonl"))
        head = manifest.get("head") or {}
        if head.get("sequence") not in (None, last):
            raise Broken(
                last + 1, f"the manifest's head is #{head['sequence']}, events end #{last}"
            )
        database = list(read_jsonl(archive, "checkpoints.jsonl"))
        sinks = list(read_jsonl(archive, "sink-checkpoints.jsonl"))
    if sink:
        with open(sink, encoding="utf-8") as handle:
            for line in handle:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue  # a torn line from a crash; the others still count
                if isinstance(record, dict) and "sequence" in record:
                    sinks.append(record)
    return check_checkpoints(
        database=database,
        sinks=sinks,
        hashes=hashes,
        last=last,
        trail=trail,
        keys=keys,
        every=every or int(manifest.get("checkpoint_every_events") or 100),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bundle")
    parser.add_argument("--public-key", help="PEM file of the server's public key(s)")
    parser.add_argument("--sink", help="your own copy of the checkpoint sink (JSON lines)")
    parser.add_argument("--every", type=int, help="checkpoint interval, if not the manifest's")
    args = parser.parse_args(argv)
    if not args.public_key:
        print(
            "warning: no --public-key given; using the key inside the bundle, which only shows "
            "that the bundle agrees with itself",
            file=sys.stderr,
        )
    try:
        summary = verify(args.bundle, args.public_key, args.sink, args.every)
    except Broken as broken:
        print(f"BROKEN at #{broken.sequence}: {broken.reason}")
        return 1
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        print(f"cannot read the bundle: {exc}", file=sys.stderr)
        return 2
    print(
        f"OK: {summary.events} events; {summary.checkpoints} signed checkpoints, the newest "
        f"covering #{summary.last_checkpoint}; {summary.unsigned_tail} events after it"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
