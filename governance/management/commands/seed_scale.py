"""Fill the registry with synthetic volume for benchmarks: N model versions, M audit events and,
on request, a lineage graph of K nodes (dataset versions and model versions).

Rows are written in bulk (with their simple-history rows) rather than through the services,
which would take hours for a million events; the audit events still form a valid hash chain,
so ``verify_audit_trail`` can be timed on them. Never run this on a real registry: it refuses
in production.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from governance.kernel.accounts.models import Role, User
from governance.kernel.accounts.services import team_get_or_create
from governance.kernel.audit.checkpoints import checkpoint_sign_head
from governance.kernel.audit.models import AuditChainHead, AuditEvent
from governance.kernel.audit.services import event_hash, normalise_payload
from registry.models import (
    AISystem,
    Blob,
    Dataset,
    DatasetVersion,
    EdgeKind,
    LineageEdge,
    Model,
    ModelVersion,
    VersionStatus,
)

STATUSES = [
    VersionStatus.DRAFT,
    VersionStatus.IN_REVIEW,
    VersionStatus.APPROVED,
    VersionStatus.DEPLOYED,
    VersionStatus.REJECTED,
    VersionStatus.RETIRED,
]


class Command(BaseCommand):
    help = "Create synthetic model versions and audit events for scale benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--versions", type=int, default=100_000)
        parser.add_argument("--events", type=int, default=1_000_000)
        parser.add_argument("--teams", type=int, default=10)
        parser.add_argument("--batch", type=int, default=5000)
        parser.add_argument(
            "--lineage-nodes",
            type=int,
            default=0,
            help="grow a lineage graph over this many nodes (a third dataset versions, the rest "
            "of the synthetic model versions) with realistic fan-in and fan-out",
        )

    def handle(
        self,
        *args,
        versions: int,
        events: int,
        teams: int,
        batch: int,
        lineage_nodes: int,
        **options,
    ):
        if settings.PRODUCTION:
            raise CommandError("seed_scale writes synthetic data: not in production")
        started = time.perf_counter()
        owner = self._owner(teams)
        models = self._models(owner, teams)
        self._versions(owner, models, versions, batch)
        self._events(owner, events, batch)
        if lineage_nodes:
            self._lineage(owner, models, lineage_nodes, batch)
        self.stdout.write(
            f"seeded {versions} versions, {events} events, {lineage_nodes} lineage nodes in "
            f"{time.perf_counter() - started:.1f} s"
        )

    def _owner(self, teams: int) -> User:
        team_objs = [team_get_or_create(name=f"Scale team {i}") for i in range(teams)]
        user = User.objects.filter(username="scale-scientist").first()
        if user is None:
            user = User.objects.create(username="scale-scientist", role=Role.DATA_SCIENTIST)
            user.set_password("scale-scientist-pass")
            user.save()
        user.teams.add(*team_objs)
        return user

    def _models(self, owner: User, teams: int) -> list[Model]:
        out = []
        for i, team in enumerate(owner.teams.order_by("id")[:teams]):
            system, _ = AISystem.objects.get_or_create(
                team=team, name=f"Scale system {i}", defaults={"created_by": owner}
            )
            for j in range(10):
                model, _ = Model.objects.get_or_create(
                    system=system, name=f"scale-model-{i}-{j}", defaults={"created_by": owner}
                )
                out.append(model)
        return out

    def _versions(self, owner, models, total, batch) -> None:
        existing = ModelVersion.objects.filter(model__in=models).count()
        now = timezone.now()
        made = existing
        while made < total:
            rows = []
            blobs = []
            for k in range(made, min(total, made + batch)):
                sha = hashlib.sha256(f"scale-artefact-{k}".encode()).hexdigest()
                blobs.append(Blob(sha256=sha, size=1000 + k, detected_format="onnx"))
            Blob.objects.bulk_create(blobs, ignore_conflicts=True)
            by_sha = dict(
                Blob.objects.filter(sha256__in=[b.sha256 for b in blobs]).values_list(
                    "sha256", "id"
                )
            )
            for offset, blob in enumerate(blobs):
                k = made + offset
                rows.append(
                    ModelVersion(
                        model=models[k % len(models)],
                        version=f"{k // len(models)}.{k % 7}.{k}",
                        status=STATUSES[k % len(STATUSES)],
                        artefact_id=by_sha[blob.sha256],
                        artefact_format="onnx",
                        framework="onnx",
                        artefact_safe=True,
                        created_by=owner,
                        description=f"synthetic version {k}",
                    )
                )
            created = bulk_create_with_history(rows, ModelVersion, batch_size=batch)
            ModelVersion.objects.filter(pk__in=[r.pk for r in created if r.pk]).update(
                created_at=now - timedelta(minutes=made)
            )
            made += len(rows)
            self.stdout.write(f"  model versions: {made}/{total}")

    def _events(self, owner, total, batch) -> None:
        with transaction.atomic():
            head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
            sequence, prev = head.last_sequence, head.last_hash
            target = max(total - AuditEvent.objects.count(), 0)
            base = timezone.now()
            written = 0
            while written < target:
                rows = []
                for _ in range(min(batch, target - written)):
                    sequence += 1
                    fields = {
                        "sequence": sequence,
                        "created_at": base + timedelta(microseconds=sequence),
                        "actor_id": owner.pk,
                        "actor_username": owner.username,
                        "actor_role": owner.role,
                        "action": "scale.synthetic",
                        "target_type": "registry.modelversion",
                        "target_id": str(sequence % 1000),
                        "target_repr": f"synthetic {sequence}",
                        "payload": normalise_payload({"n": sequence}),
                        "request_id": "",
                        "prev_hash": prev,
                    }
                    fields["hash"] = prev = event_hash(fields)
                    rows.append(AuditEvent(**fields))
                # bulk_create skips AuditEvent.save(), which only guards against updates.
                AuditEvent.objects.bulk_create(rows, batch_size=batch)
                # Signed like any trail, so verification holds it against checkpoints too.
                head.last_sequence, head.last_hash = sequence, prev
                head.save(update_fields=["last_sequence", "last_hash"])
                checkpoint_sign_head(head)
                written += len(rows)
                if written % (batch * 20) == 0 or written == target:
                    self.stdout.write(f"  audit events: {written}/{target}")

    def _lineage(self, owner, models, nodes: int, batch: int) -> None:
        """A graph shaped like a busy registry's. Data versions come in families of ten (each
        derived from the one before; one in ten also merges in a version of another of the
        team's families); each model version is trained on one or two recent versions of a
        family and tested on another, and one in five is fine-tuned from one of the last twenty
        versions of its model. Fan-in and fan-out at every level, ancestries a few dozen edges
        deep, and impact sets that grow with how early the data is."""
        if LineageEdge.objects.filter(created_by=owner).exists():
            self.stdout.write("  lineage: already seeded")
            return
        rng = random.Random(42)
        family_size = 10
        n_data = nodes // 3
        n_models = nodes - n_data
        teams = list(owner.teams.order_by("id"))
        datasets = [
            Dataset.objects.get_or_create(
                team=team, name=f"scale-data-{i}", defaults={"created_by": owner}
            )[0]
            for i, team in enumerate(teams)
        ]
        blobs = [
            Blob(sha256=hashlib.sha256(f"scale-data-{k}".encode()).hexdigest(), size=k + 1)
            for k in range(n_data)
        ]
        for start in range(0, n_data, batch):
            Blob.objects.bulk_create(blobs[start : start + batch], ignore_conflicts=True)
        blob_ids = dict(
            Blob.objects.filter(sha256__in=[b.sha256 for b in blobs]).values_list("sha256", "id")
        )
        rows = [
            DatasetVersion(
                dataset=datasets[k % len(datasets)],
                version=f"v{k}",
                blob_id=blob_ids[blobs[k].sha256],
                data_format="csv",
                profile_status="ready",
                created_by=owner,
            )
            for k in range(n_data)
        ]
        for start in range(0, n_data, batch):
            DatasetVersion.objects.bulk_create(rows[start : start + batch], ignore_conflicts=True)
        families: dict[int, list[list[int]]] = {}
        for pk, team_id in (
            DatasetVersion.objects.filter(dataset__in=datasets)
            .order_by("pk")
            .values_list("pk", "dataset__team_id")
        ):
            team_families = families.setdefault(team_id, [[]])
            if len(team_families[-1]) == family_size:
                team_families.append([])
            team_families[-1].append(pk)
        edges: list[LineageEdge] = []

        def edge(kind, *, up_d=None, up_m=None, down_d=None, down_m=None):
            edges.append(
                LineageEdge(
                    kind=kind,
                    upstream_dataset_version_id=up_d,
                    upstream_model_version_id=up_m,
                    downstream_dataset_version_id=down_d,
                    downstream_model_version_id=down_m,
                    created_by=owner,
                )
            )

        for team_families in families.values():
            for f, family in enumerate(team_families):
                for previous, pk in itertools.pairwise(family):
                    edge(EdgeKind.DERIVED_FROM, up_d=previous, down_d=pk)
                    if f and rng.random() < 0.1:
                        other = team_families[rng.randrange(f)]
                        edge(EdgeKind.DERIVED_FROM, up_d=rng.choice(other), down_d=pk)
        versions = list(
            ModelVersion.objects.filter(model__in=models)
            .order_by("pk")
            .values_list("pk", "model_id", "model__system__team_id")[:n_models]
        )
        by_model: dict[int, list[int]] = {}
        for pk, model_id, team_id in versions:
            team_families = families.get(team_id) or next(iter(families.values()))
            family = team_families[-1 - min(len(team_families) - 1, int(rng.expovariate(0.3)))]
            trained = rng.sample(family[-3:], min(len(family[-3:]), rng.choice((1, 2))))
            for parent in trained:
                edge(EdgeKind.TRAINED_ON, up_d=parent, down_m=pk)
            tested = rng.choice(family)
            if tested not in trained:
                edge(EdgeKind.TESTED_ON, up_d=tested, down_m=pk)
            earlier = by_model.setdefault(model_id, [])
            if earlier and rng.random() < 0.2:
                edge(EdgeKind.FINE_TUNED_FROM, up_m=rng.choice(earlier[-20:]), down_m=pk)
            earlier.append(pk)
        for start in range(0, len(edges), batch):
            LineageEdge.objects.bulk_create(edges[start : start + batch])
        self.stdout.write(
            f"  lineage: {n_data} data versions, {len(versions)} model versions, {len(edges)} edges"
        )
