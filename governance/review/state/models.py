"""The governance state of each model version, kept instead of evaluated on every read.

A row holds what ``governance.review.evaluation`` concludes for one version (tier, every
requirement met or not, the production gate, the approvals) as the detail shows it, and when
it stops being true:

* ``position``: the audit trail's head sequence read *before* the state was computed, so
  every change recorded up to it is in the state;
* ``invalidated_at``: the sequence of the last recorded change that can alter this state,
  written in that change's own transaction (receivers.py). The row is current while
  ``position >= invalidated_at``; a change committed while a state was being computed has a
  higher sequence than the position that state was stored with, so it is never lost;
* ``GovernanceStateEpoch.sequence``: the same for changes that can alter every version's state
  (a policy edit, a person leaving): one row updated instead of every state;
* ``valid_until``: the moment the clock alone changes it (an approval expiring, a
  responsibility starting or ending).
"""

from __future__ import annotations

from django.db import models


class GovernanceState(models.Model):
    model_version = models.OneToOneField(
        "registry.ModelVersion",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="governance_state",
    )
    # The detail's "governance" object without what depends on the reader (``can_decide``).
    body = models.JSONField(null=True, blank=True)
    # Who is accountable and who built the version or its inputs (nobody signs their own
    # work): what ``can_decide`` is computed from for each reader.
    accountable_ids = models.JSONField(default=list, blank=True)
    builder_ids = models.JSONField(default=list, blank=True)
    position = models.BigIntegerField(default=-1)
    invalidated_at = models.BigIntegerField(default=0)
    valid_until = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"governance state of model version {self.model_version_id}"


class GovernanceStateEpoch(models.Model):
    """One row: the sequence of the last recorded change that can alter every state."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    sequence = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"governance states valid from #{self.sequence}"
