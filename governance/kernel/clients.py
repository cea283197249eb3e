"""Who is asking: the one place that decides a request's client address.

``X-Forwarded-For`` is written by whoever sends the request, so it counts only for the hops our
own proxies appended: with ``TRUSTED_PROXY_COUNT = n`` the client is the n-th address from the
right (each trusted proxy appends the address it received the connection from). With 0, the
socket address is the client and the header is ignored. Every throttle and the login lockout
key on this.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_address(request) -> str:
    meta = getattr(request, "META", request)
    remote = meta.get("REMOTE_ADDR") or "unknown"
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return remote
    hops = [hop for hop in (meta.get("HTTP_X_FORWARDED_FOR") or "").split(",") if hop.strip()]
    if not hops:
        return remote
    # Fewer hops than proxies: the request bypassed a proxy; the leftmost hop is all we have,
    # and it was still appended by one of ours, not chosen by the client.
    chosen = hops[-min(trusted, len(hops))]
    return _valid(chosen) or remote
