"""Classification, review, gate and deployment endpoints: thin views over services.

Each view first finds the object among those the actor may see (404 otherwise, so another
team's objects are never confirmed to exist), then lets the service apply the role rules."""

from __future__ import annotations

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
