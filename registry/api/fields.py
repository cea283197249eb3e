"""Serializer fields for multipart uploads, where structured values arrive as JSON text."""

from __future__ import annotations

import json

from rest_framework import serializers


class JSONTextField(serializers.JSONField):
    """Accepts a JSON value, or a string holding JSON (multipart forms carry only strings)."""

    def __init__(self, *args, expect: type | None = None, **kwargs):
        self.expect = expect
        super().__init__(*args, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = (
                    json.loads(data) if data.strip() else (self.expect() if self.expect else None)
                )
            except json.JSONDecodeError as exc:
                raise serializers.ValidationError(f"Not valid JSON: {exc.msg}.") from exc
        data = super().to_internal_value(data)
        if self.expect is not None and not isinstance(data, self.expect):
            raise serializers.ValidationError(f"Expected a JSON {self.expect.__name__}.")
        return data
