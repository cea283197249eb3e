"""The login lockout shared by the login page and the token endpoint.

Failures count per client address *and* per user name, the user name normalised exactly as
logging in normalises it: the login form strips blanks and applies NFKC (``ｖictim`` is
``victim``), and user names are unique regardless of case. Keying on the raw text let
``" victim"`` or ``ｖictim`` try again after ``victim`` was locked out.
"""

from __future__ import annotations

import hashlib
import unicodedata

from django.conf import settings
from django.core.cache import cache

from governance.kernel.clients import client_address


def normalise_username(username: str | None) -> str:
    text = unicodedata.normalize("NFKC", str(username or "")).strip()
    return text.casefold()[:150]


def _key(request, username: str | None) -> str:
    # Hashed: a cache key must be short and ASCII whatever the user typed.
    name = hashlib.sha256(normalise_username(username).encode()).hexdigest()[:32]
    return f"login-fail:{client_address(request)}:{name}"


def login_locked(request, username: str | None) -> bool:
    return cache.get(_key(request, username), 0) >= settings.LOGIN_ATTEMPTS


def login_failed(request, username: str | None) -> None:
    key = _key(request, username)
    cache.add(key, 0, settings.LOGIN_WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, settings.LOGIN_WINDOW_SECONDS)
