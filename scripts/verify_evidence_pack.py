#!/usr/bin/env python3
"""Verify a report's evidence pack offline: no Django, no database, no code of the server.

    python verify_evidence_pack.py PACK.zip --public-key KEY.pem

Needs Python 3.10+ and the ``cryptography`` package. Checks that the PDF and the snapshot are
the files the manifest names (SHA-256), that the server's Ed25519 signature over the report
record verifies and names that PDF and that input hash, and that every approval shown carries a
valid server signature over its decision record. Exit status: 0 all valid, 1 something does not
verify (each failure is printed), 2 the pack cannot be read.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
import zipfile

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def load_keys(pem: bytes) -> dict[str, Ed25519PublicKey]:
    keys = {}
    for block in pem.split(b"-----END PUBLIC KEY-----"):
        if b"-----BEGIN PUBLIC KEY-----" in block:
            key = serialization.load_pem_public_key(block + b"-----END PUBLIC KEY-----\n")
            if isinstance(key, Ed25519PublicKey):
                raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
                keys[hashlib.sha256(raw).hexdigest()[:16]] = key
    return keys


def signed_ok(entry: dict, keys: dict[str, Ed25519PublicKey]) -> bool:
    key = keys.get(entry.get("key_id") or "")
    if key is None or not entry.get("signature"):
        return False
    body = json.dumps(entry["record"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    try:
        key.verify(
            base64.b64decode(entry["signature"], validate=True),
            f"{entry['purpose']}\n{body}".encode(),
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def verify(pack: str, public_key: str | None) -> list[str]:
    problems = []
    with zipfile.ZipFile(pack) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        signature = json.loads(archive.read("signature.json"))
        snapshot = json.loads(archive.read("snapshot.json"))
        if public_key:
            with open(public_key, "rb") as handle:
                keys = load_keys(handle.read())
        else:
            keys = load_keys(archive.read("public-keys.pem"))
        for name, expected in manifest["files"].items():
            actual = hashlib.sha256(archive.read(name)).hexdigest()
            if actual != expected:
                problems.append(f"{name}: SHA-256 {actual[:16]}… is not the manifest's")
    if not signed_ok(signature, keys):
        problems.append("the report's signature does not verify with the public key")
    record = signature.get("record", {})
    report = manifest.get("report", {})
    if record.get("pdf_sha256") != report.get("sha256"):
        problems.append("the signed record names another PDF than the manifest")
    if record.get("input_hash") != report.get("input_hash"):
        problems.append("the signed record names other inputs than the manifest")
    for approval in snapshot.get("approvals", []):
        entry = approval.get("server_signature")
        who = approval.get("reviewer", "?")
        if not entry or not signed_ok(entry, keys):
            problems.append(f"the approval by {who} has no valid server signature")
        elif entry["record"].get("digest") != approval.get("signature"):
            problems.append(f"the approval by {who} shows another digest than the one signed")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pack")
    parser.add_argument("--public-key", help="PEM file of the server's public key(s)")
    args = parser.parse_args(argv)
    if not args.public_key:
        print("warning: no --public-key given; trusting the key inside the pack", file=sys.stderr)
    try:
        problems = verify(args.pack, args.public_key)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        print(f"cannot read the evidence pack: {exc}", file=sys.stderr)
        return 2
    for problem in problems:
        print(f"INVALID: {problem}")
    if problems:
        return 1
    print("OK: files match the manifest; the report and its approvals carry valid signatures")
    return 0


if __name__ == "__main__":
    sys.exit(main())
