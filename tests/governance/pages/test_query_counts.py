"""List endpoints run a fixed number of queries whatever the number of rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from governance.policy.deployments.models import Deployment
from governance.policy.notifications.models import Notification
from governance.policy.raci.models import Raci, Responsibility
from governance.review.approvals.models import Decision, Review
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


def make_rows(n, *, admin_user, officer, scientist, system, model_version):
    review, _ = Review.objects.get_or_create(
        model_version=model_version, round=1, defaults={"tier": "minimal"}
    )
    start = Responsibility.objects.count()
    for i in range(start, n):
        user = UserFactory(username=f"p{i}")
        Responsibility.objects.create(
            user=user, role=Raci.INFORMED, system=system, assigned_by=admin_user
        )
        Notification.objects.create(recipient=officer, event="decision", message=f"m{i}")
        Deployment.objects.create(
            model_version=model_version,
            model=model_version.model,
            environment="dev",
            deployed_by=scientist,
            deployed_at=timezone.now(),
        )
        reviewer = UserFactory(username=f"r{i}", role="compliance_officer")
        Decision.objects.create(
            review=review,
            model_version=model_version,
            decision="reject",
            reviewer=reviewer,
            reviewer_role=reviewer.role,
            evidence={},
            signature=f"{i:064d}",
            decided_at=timezone.now(),
        )


def test_list_endpoints_do_not_grow_with_rows(
    api, admin_user, officer, scientist, system, model_version
):
    mv = model_version
    urls = [
        "/api/v1/responsibilities/",
        "/api/v1/notifications/",
        f"/api/v1/deployments/?model={mv.model_id}",
        f"/api/v1/model-versions/{mv.pk}/deployments/",
        f"/api/v1/model-versions/{mv.pk}/decisions/",
        "/api/v1/policies/",
        "/api/v1/classification-questionnaire/",
        f"/api/v1/systems/{system.pk}/classifications/",
    ]
    client = api(officer)
    client.get("/api/v1/me/")  # the token's first use records last_used_at: not our query
    kwargs = {
        "admin_user": admin_user,
        "officer": officer,
        "scientist": scientist,
        "system": system,
        "model_version": mv,
    }
    make_rows(1, **kwargs)
    one = {url: queries(client, url) for url in urls}
    make_rows(20, **kwargs)
    assert Notification.objects.filter(recipient=officer).count() == 20
    twenty = {url: queries(client, url) for url in urls}
    assert twenty == one
