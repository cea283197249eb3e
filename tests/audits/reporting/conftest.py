"""Reuse the registry and governance fixtures (real German Credit data, a real model)."""

from tests.governance import conftest as governance_fixtures

german_csv_bytes = governance_fixtures.german_csv_bytes
xgb_json_bytes = governance_fixtures.xgb_json_bytes
system = governance_fixtures.system
model = governance_fixtures.model
dataset = governance_fixtures.dataset
dataset_version = governance_fixtures.dataset_version
model_version = governance_fixtures.model_version
owner = governance_fixtures.owner
pii_flag = governance_fixtures.pii_flag
