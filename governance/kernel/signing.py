"""The server's Ed25519 signing key: what signs the audit trail's checkpoints, approvals and
reports, and how anyone holding the public key checks those signatures.

The private key never enters the database: it is read from ``SIGNING_KEY`` (PEM text) or
``SIGNING_KEY_FILE`` (a PEM file, mode 0600). Outside production a missing key file is created
on first use, so a fresh clone runs with nothing prepared by hand. Someone who can write to the
database but not read that file can change rows, but cannot produce a signature that verifies.

A signature covers the canonical JSON of a record (sorted keys, no spaces, UTF-8) prefixed with
the record's purpose, so a signature made for one purpose cannot be replayed for another.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_lock = threading.Lock()
_cache: dict[str, Any] = {}


@dataclass(frozen=True)
class Signature:
    key_id: str
    value: str  # base64


def signed_bytes(purpose: str, record: dict[str, Any]) -> bytes:
    """What is signed: ``purpose`` + newline + the record's canonical JSON."""
    body = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return f"{purpose}\n{body}".encode()


def public_key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_key_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def signing_key_create(path: Path) -> Ed25519PrivateKey:
    """Write a new private key to ``path`` with mode 0600; refuses to overwrite one."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return key


def _load_private(pem: bytes, where: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"{where} is not an unencrypted PEM private key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"{where} must hold an Ed25519 key")
    return key


def _private_key() -> Ed25519PrivateKey:
    source = settings.SIGNING_KEY or settings.SIGNING_KEY_FILE
    key = _cache.get("private")
    if key is not None and _cache.get("source") == source:
        return key
    with _lock:
        key = None
        if settings.SIGNING_KEY:
            key = _load_private(settings.SIGNING_KEY.encode(), "SIGNING_KEY")
        elif settings.SIGNING_KEY_FILE:
            path = Path(settings.SIGNING_KEY_FILE)
            if not path.exists() and not settings.PRODUCTION:
                try:
                    key = signing_key_create(path)
                except FileExistsError:  # another process created it first
                    key = None
            if key is None:
                if not path.is_file():
                    raise ImproperlyConfigured(f"SIGNING_KEY_FILE {path} does not exist")
                key = _load_private(path.read_bytes(), f"SIGNING_KEY_FILE {path}")
        else:
            raise ImproperlyConfigured("No signing key: set SIGNING_KEY_FILE or SIGNING_KEY")
        _cache.clear()
        _cache.update(private=key, source=source)
    return key


def current_public_key() -> Ed25519PublicKey:
    return _private_key().public_key()


def sign_key_id() -> str:
    """The id of the key that signs now (first 16 hex digits of its public key's SHA-256)."""
    return public_key_id(current_public_key())


def trusted_public_keys() -> dict[str, Ed25519PublicKey]:
    """The current key and every retired one, by key id."""
    retired = tuple(settings.SIGNING_RETIRED_PUBLIC_KEY_FILES)
    cached = _cache.get("retired")
    if cached is not None and cached[0] == retired:
        keys = dict(cached[1])
    else:
        keys = _retired_keys(retired)
        _cache["retired"] = (retired, dict(keys))
    current = current_public_key()
    keys[public_key_id(current)] = current
    return keys


def _retired_keys(files: tuple[str, ...]) -> dict[str, Ed25519PublicKey]:
    keys = {}
    for name in files:
        try:
            key = serialization.load_pem_public_key(Path(name).read_bytes())
        except (OSError, ValueError) as exc:
            raise ImproperlyConfigured(f"retired public key {name} cannot be read") from exc
        if not isinstance(key, Ed25519PublicKey):
            raise ImproperlyConfigured(f"retired public key {name} is not an Ed25519 key")
        keys[public_key_id(key)] = key
    return keys


def trusted_public_keys_pem() -> str:
    """Every trusted public key as concatenated PEM blocks (what auditors verify with)."""
    return "".join(public_key_pem(key) for key in trusted_public_keys().values())


def sign(purpose: str, record: dict[str, Any]) -> Signature:
    key = _private_key()
    value = key.sign(signed_bytes(purpose, record))
    return Signature(public_key_id(key.public_key()), base64.b64encode(value).decode())


def verify(purpose: str, record: dict[str, Any], signature: Signature) -> bool:
    """True when ``signature`` was made by a trusted key over exactly this record."""
    key = trusted_public_keys().get(signature.key_id)
    if key is None:
        return False
    try:
        key.verify(base64.b64decode(signature.value, validate=True), signed_bytes(purpose, record))
    except (InvalidSignature, ValueError):
        return False
    return True
