"""The version page of an external service, of a version whose referenced artefact failed
verification, and the page of a dataset version held elsewhere (a reference)."""

import pytest
from django.core.management import call_command

from governance.kernel.accounts.models import User
from registry.models import ModelVersion
from registry.services.datasets import dataset_version_reference_ensure
from registry.services.versions import (
    LineageLink,
    model_version_register_external,
    model_version_register_reference,
)
from tests.e2e.conftest import login, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def versions(db, settings):
    call_command("seed_demo")
    settings.ARTEFACT_LOCAL_ROOTS = ["/tmp"]
    scientist = User.objects.get(username="scientist")
    model = ModelVersion.objects.get(version="1.0.0").model
    data = dataset_version_reference_ensure(
        actor=scientist,
        team=model.system.team,
        name="support-tickets",
        digest="9c1e77ab",
        source_uri="s3://data-lake/support/tickets-2026-05.parquet",
        source_type="s3",
    )
    service = model_version_register_external(
        actor=scientist,
        model=model,
        version="hosted-2026-05",
        provider="Example AI",
        model_id="example-large",
        service_version="2026-05-01",
        terms_url="https://example.org/terms",
        lineage=[LineageLink("validated_on", dataset_version=data)],
    )
    failed = model_version_register_reference(
        actor=scientist,
        model=model,
        version="2.0.0",
        artefact_uri="file:///tmp/no-such-dir/credit-risk-2.0.0.json",
        declared_sha256="0" * 64,
    )
    # The fetch runs when the registration commits: the file is not there, so it fails.
    return {"service": service, "failed": failed, "data": data}


def test_external_service_failed_verification_and_reference_pages(page, live_server, versions):
    login(page, live_server, "compliance", "compliance-demo-2026")
    page.goto(f"{live_server.url}/model-versions/{versions['service'].pk}/")
    assert page.get_by_role("heading", name="External service").is_visible()
    assert page.get_by_text("example-large").is_visible()
    shot(page, "model-version-external-service")
    page.goto(f"{live_server.url}/model-versions/{versions['failed'].pk}/")
    assert page.get_by_text("failed verification").first.is_visible()
    assert page.get_by_text("could not be fetched").first.is_visible()
    shot(page, "model-version-failed-verification")
    page.goto(f"{live_server.url}/dataset-versions/{versions['data'].pk}/")
    assert page.get_by_text("reference only, no data held").is_visible()
    shot(page, "dataset-version-reference")
    assert not page.console_errors, page.console_errors
