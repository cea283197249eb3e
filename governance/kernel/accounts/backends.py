"""Password sign-in, which a deployment with single sign-on can switch off for everyone but
its break-glass accounts."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


def password_login_allowed(username: str) -> bool:
    """Whether this account may prove who it is with a local password (sign-in, API token
    exchange, signing an approval)."""
    if settings.LOCAL_PASSWORD_LOGIN:
        return True
    allowed = {name.lower() for name in settings.BREAK_GLASS_USERNAMES}
    return (username or "").lower() in allowed


class LocalPasswordBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or not password_login_allowed(username):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
