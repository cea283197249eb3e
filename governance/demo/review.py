"""Demo governance, step 2 (after the demo checks ran): submit the demo version for review.

The demo does not approve on anyone's behalf: approving needs the reviewer's password as a
signature, which is what the browser journey shows. The version waits in the review queue.
"""

from __future__ import annotations

from governance.kernel.errors import ServiceError
from governance.review.approvals.models import Review
from governance.review.approvals.services import model_version_submit
from registry.models import ModelVersion, VersionStatus


def seed(*, team, users, stdout) -> None:
    mv = ModelVersion.objects.filter(
        model__system__team=team, model__name="credit-risk-xgb", version="1.0.0"
    ).first()
    if mv is None or Review.objects.filter(model_version=mv).exists():
        return
    if mv.status != VersionStatus.DRAFT:
        return
    try:
        model_version_submit(actor=users["scientist"], model_version=mv)
    except ServiceError as exc:
        stdout.write(f"Demo version not submitted: {exc.message}")
        return
    stdout.write(f"Demo version {mv} submitted for review.")
