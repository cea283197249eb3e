"""Browser sessions end after SESSION_IDLE_TIMEOUT without a request and SESSION_ABSOLUTE_TIMEOUT
after sign-in, whatever happens. API tokens are not sessions: they have their own expiry."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import auth
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect, resolve_url

from governance.kernel.audit.services import audit_event_record

SESSION_STARTED = "auth_started_at"
SESSION_SEEN = "auth_seen_at"
# Writing the session on every request would make every read a write; a minute is enough
# resolution for a timeout counted in minutes.
SEEN_RESOLUTION = 60


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_STARTED) is not None:
            now = time.time()
            started, seen = session[SESSION_STARTED], session.get(SESSION_SEEN, now)
            reason = ""
            if now - seen > settings.SESSION_IDLE_TIMEOUT:
                reason = "idle"
            elif now - started > settings.SESSION_ABSOLUTE_TIMEOUT:
                reason = "absolute"
            if reason and request.user.is_authenticated:
                return self._expire(request, reason)
            if now - seen >= SEEN_RESOLUTION:
                session[SESSION_SEEN] = now
        return self.get_response(request)

    def _expire(self, request, reason: str):
        user = request.user
        with transaction.atomic():
            audit_event_record(
                actor=user, action="auth.session_expired", target=user, payload={"reason": reason}
            )
        auth.logout(request)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"error": {"code": "session_expired", "message": "Your session ended."}},
                status=401,
            )
        return redirect(
            f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path()})}"
        )
