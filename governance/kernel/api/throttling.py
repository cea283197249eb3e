"""DRF throttles keyed on the client address decided by ``governance.kernel.clients``.

DRF's own ``get_ident`` keys on the whole ``X-Forwarded-For`` header unless ``NUM_PROXIES`` is
set, so a client could pick a fresh key for every request by sending a new header."""

from __future__ import annotations

from rest_framework import throttling

from governance.kernel.clients import client_address


class _ClientAddressMixin:
    def get_ident(self, request) -> str:
        return client_address(request)


class AnonRateThrottle(_ClientAddressMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_ClientAddressMixin, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(_ClientAddressMixin, throttling.ScopedRateThrottle):
    pass
