"""A compliance officer finds a model version in the inventory, reads its lineage and
upstream personal data, and a data scientist confirms a PII flag on the dataset page."""

import pytest
from django.core.management import call_command

from governance.kernel.accounts.models import User
from registry.models import DatasetVersion, ModelVersion, PIIFlag
from registry.services.datasets import dataset_version_register
from registry.services.lineage import lineage_edge_add
from tests.e2e.conftest import login, shot
from tests.registry.conftest import upload
from tests.registry.test_api_datasets import people_csv

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(db):
    call_command("seed_demo")

    scientist = User.objects.get(username="scientist")
    dv = DatasetVersion.objects.get(version="2024-01")
    raw = dataset_version_register(
        actor=scientist,
        dataset=dv.dataset,
        version="raw-2023",
        data_file=upload("customers.csv", people_csv()),
    )
    lineage_edge_add(actor=scientist, kind="derived_from", upstream=raw, downstream=dv)
    return {"mv": ModelVersion.objects.get(model__name="credit-risk-xgb"), "dv": dv, "raw": raw}


def test_inventory_model_version_and_dataset_pages(page, live_server, demo):
    login(page, live_server, "compliance", "compliance-demo-2026")
    shot(page, "dashboard-compliance")
    page.get_by_role("link", name="Inventory").click()
    page.get_by_role("link", name="credit-risk-xgb v1.0.0").click()
    page.get_by_role("tab", name="Lineage").click()
    assert page.get_by_role("heading", name="Lineage").is_visible()
    assert page.locator("svg .node-root").count() == 1
    # The raw data, the prepared training data and the held-out test split (tested_on).
    assert page.locator("svg .node-dataset_version").count() == 3
    assert "Personal data upstream" in page.content()
    assert page.locator("#personal-data").get_by_text("person_name").first.is_visible()
    shot(page, "model-version")
    page.locator("svg a").filter(has_text="German Credit").first.click()
    page.wait_for_url("**/dataset-versions/**")
    shot(page, "dataset-version")
    page.goto(f"{live_server.url}/inventory/?kind=datasets&pii=yes")
    assert page.get_by_text("open flag").first.is_visible()
    shot(page, "inventory-datasets")
    assert not page.console_errors, page.console_errors


def test_scientist_confirms_a_pii_flag_with_htmx(page, live_server, demo):
    login(page, live_server, "scientist", "scientist-demo-2026")
    page.goto(f"{live_server.url}/dataset-versions/{demo['raw'].pk}/")
    flag = PIIFlag.objects.get(column__dataset_version=demo["raw"], column__name="email")
    row = page.locator(f"#pii-flag-{flag.pk}")
    row.get_by_label("Comment").fill("real customer e-mails")
    row.get_by_role("button", name="Confirm").click()
    page.locator(f"#pii-flag-{flag.pk} .badge", has_text="Confirmed").wait_for()
    flag.refresh_from_db()
    assert flag.status == "confirmed" and flag.decision_comment == "real customer e-mails"
    shot(page, "dataset-version-pii-confirmed")
    assert not page.console_errors, page.console_errors


def test_auditor_sees_no_decision_buttons(page, live_server, demo):
    login(page, live_server, "auditor", "auditor-demo-2026")
    page.goto(f"{live_server.url}/dataset-versions/{demo['raw'].pk}/")
    assert page.get_by_role("button", name="Confirm").count() == 0
    assert page.get_by_role("button", name="Mark sensitive").count() == 0
