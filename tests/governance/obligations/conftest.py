"""Fixtures of the AI Act records: the registry's real system and model version."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.registry import conftest as registry_fixtures

german_csv_bytes = registry_fixtures.german_csv_bytes
xgb_json_bytes = registry_fixtures.xgb_json_bytes
system = registry_fixtures.system
model = registry_fixtures.model
dataset = registry_fixtures.dataset
dataset_version = registry_fixtures.dataset_version
model_version = registry_fixtures.model_version

# Who may read, and who may write, each record (outsider: a data scientist of another team).
READERS = ("admin", "compliance_officer", "data_scientist", "auditor")
WRITERS = ("admin", "compliance_officer")
REFUSED_WRITERS = ("data_scientist", "auditor")


@pytest.fixture
def browser_for():
    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
