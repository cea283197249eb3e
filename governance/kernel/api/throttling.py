"""DRF throttles keyed on the client address decided by ``governance.kernel.clients``.

DRF's own ``get_ident`` keys on the whole ``X-Forwarded-For`` header unless ``NUM_PROXIES`` is
set, so a client could pick a fresh key for every request by sending a new header.

Counting: DRF keeps, per client, the list of the times of its requests in the window, read,
trimmed and written back whole on every request (up to 3 000 entries at the default user
rate, pickled both ways). These throttles count instead: one counter per client and window,
added to in one cache round trip, and the previous window's count weighted by how much of it
still lies within the last ``duration`` seconds (the usual sliding-window estimate). Refused
requests count too, so a client that keeps sending past its rate stays refused.
"""

from __future__ import annotations

from rest_framework import throttling

from governance.kernel.cache import count_hit
from governance.kernel.clients import client_address


class _ClientAddressMixin:
    def get_ident(self, request) -> str:
        return client_address(request)


class _CountingRateThrottle(throttling.SimpleRateThrottle):
    """Placed after DRF's throttle in each class below, so that DRF's own ``allow_request``
    (the scoped throttle picks its rate there) still runs first and calls this one."""

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        count, previous = count_hit(
            f"{self.key}:w{window}", f"{self.key}:w{window - 1}", 2 * self.duration
        )
        into = (now % self.duration) / self.duration
        estimate = previous * (1 - into) + count
        if estimate <= self.num_requests:
            return True
        # Until the estimate is back under the rate, assuming no further requests: the previous
        # window's share shrinks over this one; this window's count leaves at its end.
        remaining = self.duration - now % self.duration
        excess = estimate - self.num_requests
        self._wait = remaining
        if previous and excess <= previous * remaining / self.duration:
            self._wait = excess * self.duration / previous
        return False

    def wait(self) -> float | None:
        return max(1.0, getattr(self, "_wait", self.duration))


class AnonRateThrottle(_ClientAddressMixin, throttling.AnonRateThrottle, _CountingRateThrottle):
    pass


class UserRateThrottle(_ClientAddressMixin, throttling.UserRateThrottle, _CountingRateThrottle):
    pass


class ScopedRateThrottle(_ClientAddressMixin, throttling.ScopedRateThrottle, _CountingRateThrottle):
    pass
