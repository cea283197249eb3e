"""The languages of the browser pages and of the reports, and which one a request gets.

A person's language is, in order: the one set on their profile, the one they picked on the
sign-in page (a cookie), their browser's ``Accept-Language``, English. A report's language is
chosen when it is generated and kept on the report and in its snapshot.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

LANGUAGES = settings.LANGUAGES
DEFAULT_LANGUAGE = "en"
CODES = tuple(code for code, _ in LANGUAGES)


def language_or_default(code: str | None) -> str:
    """``code`` if it is one of ours, else English (reports stored before languages existed
    carry none and were written in English)."""
    return code if code in CODES else DEFAULT_LANGUAGE


# Paths answered in English whatever the client asks: the REST API (ours and the MLflow-shaped
# one). Its messages, refusals included, are part of the contract clients parse and log.
API_PREFIXES = ("/api/",)


class UserLanguageMiddleware:
    """After authentication: a signed-in person's profile language wins over the browser's;
    the API always answers in English.

    Django's ``LocaleMiddleware`` has already chosen from the cookie and ``Accept-Language``
    and sets ``Content-Language`` on the way out from whatever is active then."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(API_PREFIXES):
            translation.activate(DEFAULT_LANGUAGE)
            request.LANGUAGE_CODE = DEFAULT_LANGUAGE
            return self.get_response(request)
        user = getattr(request, "user", None)
        code = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if code in CODES:
            translation.activate(code)
            request.LANGUAGE_CODE = code
        return self.get_response(request)
