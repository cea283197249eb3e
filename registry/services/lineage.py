"""Declaring lineage edges, refusing cycles."""

from __future__ import annotations

import zlib

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from governance.kernel.accounts.models import User
from governance.kernel.audit.services import audit_event_record
from governance.kernel.errors import Conflict, ServiceError, vocabulary_term
from registry.lineage import would_create_cycle
from registry.models import ALLOWED_ENDPOINTS, DatasetVersion, EdgeKind, LineageEdge, ModelVersion
from registry.services.common import require_change
from registry.signals import lineage_edge_added

Endpoint = DatasetVersion | ModelVersion

# An edge kind refused between two kinds of node ("d" dataset, "m" model version), one
# sentence per pair.
ENDPOINTS_REFUSED = {
    ("d", "d"): gettext_noop(
        "A %(kind)s edge cannot go from a dataset version to a dataset version."
    ),
    ("d", "m"): gettext_noop(
        "A %(kind)s edge cannot go from a dataset version to a model version."
    ),
    ("m", "d"): gettext_noop(
        "A %(kind)s edge cannot go from a model version to a dataset version."
    ),
    ("m", "m"): gettext_noop("A %(kind)s edge cannot go from a model version to a model version."),
}


def _node(obj: Endpoint) -> tuple[str, int]:
    return ("d", obj.pk) if isinstance(obj, DatasetVersion) else ("m", obj.pk)


def _lock_lineage() -> None:
    # Two concurrent inserts could each pass the cycle check and together close a cycle;
    # one transaction-scoped lock serialises lineage writes on PostgreSQL (SQLite already
    # serialises all writers).
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(b"lineage")])


def lineage_edge_add(
    *, actor: User, kind: str, upstream: Endpoint, downstream: Endpoint, check_access: bool = True
) -> LineageEdge:
    """Add ``downstream --kind--> upstream``.

    Invariants: the kind allows these endpoint types; the actor may change the downstream node
    (the claim is about how it was made); the graph stays acyclic; the edge is unique.
    """
    if kind not in EdgeKind.values:
        raise ServiceError(
            "invalid_kind",
            _("Unknown edge kind %(kind)s; use one of %(kinds)s.")
            % {"kind": repr(kind), "kinds": ", ".join(EdgeKind.values)},
        )
    up, down = _node(upstream), _node(downstream)
    if (up[0], down[0]) not in ALLOWED_ENDPOINTS[kind]:
        raise ServiceError(
            "invalid_endpoints",
            _(ENDPOINTS_REFUSED[up[0], down[0]])
            % {"kind": vocabulary_term(kind, EdgeKind(kind).label)},
        )
    if check_access:
        require_change(actor, downstream)
    with transaction.atomic():
        _lock_lineage()
        if would_create_cycle(up, down):
            raise Conflict(
                "lineage_cycle",
                _(
                    "%(downstream)s cannot be %(kind)s %(upstream)s: the lineage would contain a "
                    "cycle."
                )
                % {
                    "downstream": downstream,
                    "kind": vocabulary_term(kind, EdgeKind(kind).label),
                    "upstream": upstream,
                },
            )
        fields = {
            "upstream_dataset_version": upstream if up[0] == "d" else None,
            "upstream_model_version": upstream if up[0] == "m" else None,
            "downstream_dataset_version": downstream if down[0] == "d" else None,
            "downstream_model_version": downstream if down[0] == "m" else None,
        }
        # The unique constraint treats NULLs as equal only on PostgreSQL 15+; under the lock
        # this check covers SQLite too.
        if LineageEdge.objects.filter(kind=kind, **fields).exists():
            raise Conflict("duplicate_edge", _("This lineage edge exists already."))
        try:
            with transaction.atomic():
                edge = LineageEdge.objects.create(kind=kind, created_by=actor, **fields)
        except IntegrityError as exc:
            raise Conflict("duplicate_edge", _("This lineage edge exists already.")) from exc
        audit_event_record(
            actor=actor,
            action="lineage.edge_added",
            target=edge,
            payload={"kind": kind, "upstream": list(up), "downstream": list(down)},
        )

        lineage_edge_added.send(sender=LineageEdge, edge=edge, actor=actor)
    return edge
