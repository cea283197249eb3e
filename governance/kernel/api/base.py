"""What every API view of the project shares: find-or-404 among what the actor may see (so
another team's objects are never confirmed to exist), validation that raises the JSON 400,
lists whose rows come from a selector, and "create, or 409 with the existing id"."""

from __future__ import annotations

from django.db.models import Model, QuerySet

from governance.kernel.api.errors import ApiError


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
