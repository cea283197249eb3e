"""Fault fixtures: the registry's real German Credit data and XGBoost model."""

from tests.registry import conftest as registry_fixtures

german_csv_bytes = registry_fixtures.german_csv_bytes
xgb_json_bytes = registry_fixtures.xgb_json_bytes
