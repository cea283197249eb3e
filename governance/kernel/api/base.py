"""What every API view of the project shares: find-or-404 among what the actor may see (so
another team's objects are never confirmed to exist), validation that raises the JSON 400,
lists whose rows come from a selector, and "create, or 409 with the existing id"."""

from __future__ import annotations

from django.db.models import Model, QuerySet

from governance.kernel.api.errors import ApiError

MAX_ID = 2**63 - 1  # the largest id the databases store


def parse_id(text: str | None) -> int | None:
    """An id typed by a person or a URL, or None. ``str.isdigit`` also accepts "²" and "٣",
    which ``int`` refuses or reads, and ids past MAX_ID make the database fail: both would
    be a 500."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def get_or_404(queryset, pk: int, what: str):
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise ApiError(404, "not_found", f"No {what} {pk}, or you may not see it.")
    return obj


def validated(serializer_class, data, **kwargs) -> dict:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class SelectorRowsMixin:
    """A list view whose rows come from a selector narrowed to the acting user.

    Subclasses set ``model`` and write ``rows()``. The OpenAPI generator calls
    ``get_queryset`` without a signed-in user; it gets an empty queryset of ``model``.
    """

    model: type[Model]

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.rows()

    def rows(self) -> QuerySet:
        raise NotImplementedError
