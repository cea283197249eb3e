"""A permission matrix generated from the URL configuration.

Every /api/v1/ route that addresses an object by id is found by walking the resolver; one
object of each kind is owned by team A (``team_objects``); every method the view implements
is sent by anonymous, by a data scientist of team B and by every role of team A. A route added
later is covered automatically, and fails here until its kind of object is known.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

WRITE_METHODS = ("post", "put", "patch", "delete")
# Kinds of object that belong to no team: everybody may read them, only a role may write.
GLOBAL_KINDS = {"policies"}
# Endpoints reserved to roles the outsider (a data scientist) does not have: 403 is correct.
ROLE_GATED_KINDS = {"users", "sso"}


def _walk(resolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


def object_routes() -> list[tuple[str, type]]:
    """(route, view class) of every /api/v1/ pattern with an <int:pk>."""
    routes = []
    for route, entry in _walk(get_resolver()):
        if not route.startswith("api/v1/") or "<int:pk>" not in route:
            continue
        view = getattr(entry.callback, "cls", None) or getattr(entry.callback, "view_class", None)
        assert view is not None, f"{route}: not a class-based view"
        routes.append((route, view))
    return routes


def methods_of(view) -> list[str]:
    return [
        m
        for m in view.http_method_names
        if m not in {"options", "head", "trace"} and hasattr(view, m)
    ]


def kind_of(route: str) -> str:
    return route.removeprefix("api/v1/").split("/", 1)[0]


def concrete(route: str, objects: dict) -> str:
    kind = kind_of(route)
    assert kind in objects, f"{route}: add an object of kind {kind!r} to team_objects"
    url = "/" + route.replace("<int:pk>", str(objects[kind].pk))
    url = url.replace("<str:framework>", "iso42001")
    return url.replace("<str:name>", objects["column"] if "columns" in route else "chart")


def send(client: APIClient, method: str, url: str):
    if method in {"get", "delete"}:
        return getattr(client, method)(url)
    return getattr(client, method)(url, {}, format="json")


def test_routes_are_found():
    routes = object_routes()
    kinds = {kind_of(r) for r, _ in routes}
    assert len(routes) >= 30, routes
    assert {"systems", "models", "model-versions", "datasets", "dataset-versions"} <= kinds


def test_permission_matrix(users, team_objects, api):
    routes = object_routes()
    clients = {role: api(user) for role, user in users.items()}
    anonymous = APIClient()
    problems: list[str] = []
    cells = 0

    def record(who: str, method: str, url: str, response, ok: bool, expected: str) -> None:
        nonlocal cells
        cells += 1
        if response.status_code >= 500:
            problems.append(f"{who:>18} {method.upper():6} {url} -> {response.status_code} (500)")
        elif not ok:
            problems.append(
                f"{who:>18} {method.upper():6} {url} -> {response.status_code}, expected {expected}"
            )

    # Outsiders first, while every object still exists.
    for route, view in routes:
        url = concrete(route, team_objects)
        kind = kind_of(route)
        for method in methods_of(view):
            response = send(anonymous, method, url)
            record("anonymous", method, url, response, response.status_code == 401, "401")

            response = send(clients["outsider"], method, url)
            code = response.status_code
            if kind in GLOBAL_KINDS:
                ok = method == "get" or code in (403, 404, 405)
                expected = "no write (403)"
            elif kind in ROLE_GATED_KINDS:
                ok = code in (403, 404)
                expected = "403/404"
            else:
                # 403 only where the role itself is refused: a write, or a read that team A's
                # own data scientist is refused too (reports are for auditors and officers).
                role_gated = code == 403 and (
                    method in WRITE_METHODS
                    or send(clients["data_scientist"], method, url).status_code == 403
                )
                ok = code == 404 or role_gated
                expected = "404 (403 where the role is refused)"
            record("team B scientist", method, url, response, ok, expected)

    # Then every role of team A: whatever the answer, never a server error. Deletions last,
    # so that every other cell still finds its object.
    team_roles = [r for r in clients if r != "outsider"]
    for deleting in (False, True):
        for route, view in routes:
            url = concrete(route, team_objects)
            for method in methods_of(view):
                if (method == "delete") != deleting:
                    continue
                for role in team_roles:
                    response = send(clients[role], method, url)
                    record(f"team A {role}", method, url, response, True, "no 500")

    assert cells > 150, cells
    assert not problems, "\n".join(problems)
