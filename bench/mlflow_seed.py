"""Seed an MLflow model registry: M registered models holding N versions each.

Run with the MLflow benchmark virtualenv's Python (MLflow is not a dependency of this project):

    var/mlflow-venv/bin/python bench/mlflow_seed.py URI MODELS VERSIONS

The registered models go through MLflow's own store; the versions are inserted in bulk with
MLflow's own ORM class, as ``seed_scale`` bulk-inserts ours: going through the API one
version at a time would take minutes and measure the seeding rather than the server.
"""

from __future__ import annotations

import sys
import time

from mlflow.store.model_registry.dbmodels.models import SqlModelVersion
from mlflow.store.model_registry.sqlalchemy_store import SqlAlchemyStore


def main() -> None:
    uri, models, versions = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    store = SqlAlchemyStore(uri)
    now = int(time.time() * 1000)
    for m in range(models):
        name = f"bench-model-{m}"
        store.create_registered_model(name)
        with store.ManagedSessionMaker(read_only=False) as session:
            session.add_all(
                SqlModelVersion(
                    name=name,
                    version=v,
                    # Distinct, increasing times, as versions registered one after the other.
                    creation_time=now - (versions - v) * 60_000,
                    last_updated_time=now - (versions - v) * 60_000,
                    description=f"synthetic version {v}",
                    current_stage="None",
                    source=f"s3://bench-artefacts/{name}/{v}/model.skops",
                    status="READY",
                )
                for v in range(1, versions + 1)
            )
    print(f"seeded {models} registered models x {versions} versions")


if __name__ == "__main__":
    main()
