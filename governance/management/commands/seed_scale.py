"""Fill the registry with synthetic volume for benchmarks: N model versions and M audit events.

Rows are written in bulk (with their simple-history rows) rather than through the services,
which would take hours for a million events; the audit events still form a valid hash chain,
so ``verify_audit_trail`` can be timed on them. Never run this on a real registry: it refuses
in production.
"""

from __future__ import annotations

import hashlib
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
from registry.models import AISystem, Blob, Model, ModelVersion, VersionStatus

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

    def handle(self, *args, versions: int, events: int, teams: int, batch: int, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_scale writes synthetic data: not in production")
        started = time.perf_counter()
        owner = self._owner(teams)
        models = self._models(owner, teams)
        self._versions(owner, models, versions, batch)
        self._events(owner, events, batch)
        self.stdout.write(
            f"seeded {versions} versions and {events} events in "
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
