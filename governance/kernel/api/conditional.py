"""Conditional GET for API details: ETag, ``If-None-Match`` and 304 Not Modified."""

from __future__ import annotations

from typing import Any

import orjson
from django.http import HttpResponse, HttpResponseBase
from django.utils.cache import patch_vary_headers
from rest_framework import status
from rest_framework.response import Response

from governance.kernel.api.renderers import FastJSONRenderer


def _matches(header: str, etag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    # Weak comparison (RFC 9110 13.1.2): W/"x" matches "x".
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return etag in tags


def conditional_response(request, data: dict[str, Any], etag: str) -> Response:
    """200 with the body and its ETag, or 304 when the client already holds that ETag.
    Bodies differ per user, so caches must keep them private and apart per credential."""
    if _matches(request.headers.get("If-None-Match", ""), etag):
        response = Response(status=status.HTTP_304_NOT_MODIFIED)
    else:
        response = Response(data)
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ["Authorization", "Cookie"])
    return response


def conditional_body_response(request, body: bytes, etag: str) -> HttpResponseBase:
    """``conditional_response`` for a body already rendered as the API's JSON renderer writes
    it by default: served as it is when that is what the client gets (the usual case), parsed
    back and rendered again when it asked for something else (indentation, the browsable API
    in development)."""
    if _matches(request.headers.get("If-None-Match", ""), etag):
        return conditional_response(request, {}, etag)
    renderer = getattr(request, "accepted_renderer", None)
    media_type = getattr(request, "accepted_media_type", "") or ""
    if type(renderer) is not FastJSONRenderer or "indent" in media_type:
        return conditional_response(request, orjson.loads(body), etag)
    response = HttpResponse(body, content_type=renderer.media_type)
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ["Authorization", "Cookie"])
    return response
