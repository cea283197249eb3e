"""A reader of the MLflow tracking server's REST API (``MLFLOW_TRACKING_URI``).

Only what an import needs: a registered model's versions, a version, its run (params, metrics,
tags, logged input datasets), an MLflow 3 logged model, and the artifact proxy
(``/api/2.0/mlflow-artifacts/``) for listing a model directory and reading its small files
(MLmodel, environment files). The artefact itself is not read here: it is registered by
``mlflow://`` URI and fetched, hashed and verified by the worker like any referenced artefact.

The server is the one an admin configured. Requests are bounded in time, never follow a
redirect, and read at most ``MAX_JSON_BYTES`` of an answer.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import requests
from django.conf import settings

MAX_JSON_BYTES = 20 * 1024 * 1024
MAX_SMALL_FILE_BYTES = 1024 * 1024
TIMEOUT = (5, 30)


class MlflowError(Exception):
    """The MLflow server could not answer what was asked; ``code`` and a readable message."""

    def __init__(self, code: str, message: str, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


class MlflowServer:
    def __init__(self, base_url: str | None = None):
        base = base_url if base_url is not None else settings.MLFLOW_TRACKING_URI
        if not base:
            raise MlflowError(
                "mlflow_not_configured",
                "No MLflow tracking server is configured (MLFLOW_TRACKING_URI).",
            )
        self.base = base.rstrip("/")
        self.session = requests.Session()

    def _get_bytes(self, path: str, params: dict[str, Any] | None, limit: int) -> bytes:
        url = f"{self.base}{path}"
        try:
            with self.session.get(
                url, params=params, timeout=TIMEOUT, allow_redirects=False, stream=True
            ) as response:
                body = b""
                for chunk in response.iter_content(64 * 1024):
                    body += chunk
                    if len(body) > limit:
                        raise MlflowError(
                            "mlflow_answer_too_large",
                            f"The MLflow server's answer to {path} exceeds {limit} bytes.",
                        )
                status = response.status_code
        except requests.RequestException as exc:
            raise MlflowError(
                "mlflow_unreachable", f"The MLflow server at {self.base} could not be reached."
            ) from exc
        if status == 404 or (status == 400 and b"RESOURCE_DOES_NOT_EXIST" in body):
            raise MlflowError("mlflow_not_found", f"MLflow has no {path} {params or ''}", 404)
        if not 200 <= status < 300:
            raise MlflowError(
                "mlflow_error", f"The MLflow server answered HTTP {status} to {path}.", status
            )
        return body

    def get_json(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        body = self._get_bytes(path, params, MAX_JSON_BYTES)
        try:
            data = json.loads(body or b"{}")
        except ValueError as exc:
            raise MlflowError("mlflow_error", f"The answer to {path} is not JSON.") from exc
        if not isinstance(data, dict):
            raise MlflowError("mlflow_error", f"The answer to {path} is not a JSON object.")
        return data

    # --- the registry ---------------------------------------------------------------------
    def model_version(self, name: str, version: str) -> dict[str, Any]:
        data = self.get_json(
            "/api/2.0/mlflow/model-versions/get", {"name": name, "version": version}
        )
        return data.get("model_version") or {}

    def model_versions(self, name: str) -> list[dict[str, Any]]:
        """Every version of a registered model (all pages)."""
        rows: list[dict[str, Any]] = []
        token = None
        escaped = name.replace("'", "\\'")
        while True:
            params: dict[str, Any] = {"filter": f"name='{escaped}'", "max_results": 200}
            if token:
                params["page_token"] = token
            data = self.get_json("/api/2.0/mlflow/model-versions/search", params)
            rows += data.get("model_versions") or []
            token = data.get("next_page_token")
            if not token:
                return rows

    def run(self, run_id: str) -> dict[str, Any]:
        return self.get_json("/api/2.0/mlflow/runs/get", {"run_id": run_id}).get("run") or {}

    def logged_model(self, model_id: str) -> dict[str, Any]:
        data = self.get_json(f"/api/2.0/mlflow/logged-models/{quote(model_id)}")
        return data.get("model") or {}

    # --- the artifact proxy ----------------------------------------------------------------
    def list_artifacts(self, path: str) -> list[dict[str, Any]]:
        data = self.get_json("/api/2.0/mlflow-artifacts/artifacts", {"path": path})
        return data.get("files") or []

    def read_small_artifact(self, path: str) -> bytes:
        return self._get_bytes(
            f"/api/2.0/mlflow-artifacts/artifacts/{quote(path)}", None, MAX_SMALL_FILE_BYTES
        )
