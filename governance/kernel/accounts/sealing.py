"""Secrets kept in the database (TOTP seeds, refresh tokens) are sealed with a key derived
from SECRET_KEY, so a copy of the database alone does not give them away. Keys listed in
SECRET_KEY_FALLBACKS still open what they sealed, so SECRET_KEY can be rotated."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _fernet(secret: str) -> Fernet:
    digest = hashlib.sha256(f"governance.sealing:{secret}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _box() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(key) for key in keys])


def seal(value: str) -> str:
    return _box().encrypt(value.encode()).decode() if value else ""


def unseal(sealed: str) -> str:
    """The sealed value, or "" when it cannot be opened (a SECRET_KEY no longer listed)."""
    if not sealed:
        return ""
    try:
        return _box().decrypt(sealed.encode()).decode()
    except InvalidToken:
        return ""
