"""The append-only, hash-chained audit trail.

Each event's hash covers its own fields and the previous event's hash, so changing or deleting
any row breaks the chain at that row, which ``verify_audit_trail`` reports. On PostgreSQL a
trigger also refuses UPDATE and DELETE on the table (migration 0002).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

GENESIS_HASH = "0" * 64


class AuditEvent(models.Model):
    sequence = models.BigIntegerField(unique=True, editable=False)
    created_at = models.DateTimeField(editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    actor_username = models.CharField(max_length=150, blank=True, editable=False)
    actor_role = models.CharField(max_length=32, blank=True, editable=False)
    action = models.CharField(max_length=100, db_index=True, editable=False)
    target_type = models.CharField(max_length=100, blank=True, editable=False)
    target_id = models.CharField(max_length=64, blank=True, editable=False)
    target_repr = models.CharField(max_length=300, blank=True, editable=False)
    payload = models.JSONField(default=dict, editable=False)
    request_id = models.CharField(max_length=64, blank=True, editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)

    class Meta:
        ordering = ["sequence"]
        indexes = [
            models.Index(fields=["target_type", "target_id", "sequence"]),
            models.Index(fields=["actor", "sequence"]),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.target_type}:{self.target_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Audit events are append-only")


class AuditChainHead(models.Model):
    """One row that writers lock to append to the chain in a single, total order."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    last_sequence = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    # Where the last signed checkpoint stands, so writers know when the next one is due.
    checkpoint_sequence = models.BigIntegerField(default=0)
    checkpoint_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"head #{self.last_sequence}"


class AuditCheckpoint(models.Model):
    """The server key's signature over the chain up to ``sequence``.

    Because every event's hash covers the one before it, signing the hash of event N vouches
    for events 1..N. The trail is identified by the hash of its first event, so checkpoints
    of another database (a test run, a restored copy) are never mistaken for this one's.
    Append-only like the events; each row is also appended to the sink outside the database.
    """

    sequence = models.BigIntegerField(unique=True, editable=False)
    event_hash = models.CharField(max_length=64, editable=False)
    trail = models.CharField(max_length=64, editable=False)
    signed_at = models.DateTimeField(editable=False)
    key_id = models.CharField(max_length=32, editable=False)
    signature = models.CharField(max_length=128, editable=False)

    class Meta:
        ordering = ["sequence"]

    def __str__(self) -> str:
        return f"checkpoint #{self.sequence}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Audit checkpoints are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Audit checkpoints are append-only")
