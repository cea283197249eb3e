"""The client: one object per server and token, one method per thing a training script or a
CI job needs to do."""

from __future__ import annotations

import hashlib
import math
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

from aigov_client import config
from aigov_client.errors import ConfigurationError, Conflict, NotFound, WaitTimeout
from aigov_client.provenance import environment_lock as _environment_lock
from aigov_client.provenance import git_commit as _git_commit
from aigov_client.resources import (
    CheckRun,
    Dataset,
    DatasetVersion,
    GateResult,
    Model,
    ModelVersion,
    Report,
    System,
    Token,
    User,
)
from aigov_client.serialize import SerializedModel, serialize_model
from aigov_client.transport import FilePart, RetryPolicy, Transport, dumps_compact

__all__ = ["Client"]

Environment = Literal["dev", "test", "prod"]
NodeRef = tuple[str, int] | DatasetVersion | ModelVersion
# A training-data argument: a DataFrame, a CSV/Parquet path, raw bytes, or an existing
# dataset version (its id or the object).
TrainingData = Any

_CHUNK = 1024 * 1024
_LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}\Z")


def _id(obj: int | str | Any) -> int:
    """Accept either an id or one of the resource objects."""
    if isinstance(obj, bool):
        raise TypeError("expected an id, got a bool")
    if isinstance(obj, int):
        return obj
    if isinstance(obj, str) and obj.isdigit():
        return int(obj)
    value = getattr(obj, "id", None)
    if isinstance(value, int):
        return value
    raise TypeError(f"expected an id or a resource object, got {obj!r}")


def sha256_file(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _dataframe_bytes(frame: Any) -> bytes:
    """CSV, because its bytes depend only on the values: Parquet embeds the writer's version,
    so the same frame would hash differently on two machines and idempotency would break."""
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _is_dataframe(obj: Any) -> bool:
    return any(
        cls.__name__ == "DataFrame" and cls.__module__.startswith("pandas")
        for cls in type(obj).__mro__
    )


def _json_safe(params: Mapping[str, Any]) -> dict[str, Any]:
    """The hyperparameters worth recording: scalars only (estimator objects, callables and
    arrays in ``get_params()`` would not survive JSON)."""
    return {
        str(k): v
        for k, v in params.items()
        if v is None
        or isinstance(v, (bool, int, str))
        # NaN (XGBoost's default ``missing``) is not JSON.
        or (isinstance(v, float) and math.isfinite(v))
    }


class _Blob:
    """Bytes to upload, from memory or from a file streamed at send time, with their
    SHA-256 computed once."""

    def __init__(self, *, content: bytes | None = None, path: Path | None = None, filename: str):
        self.content = content
        self.path = path
        self.filename = filename
        self.sha256 = (
            hashlib.sha256(content).hexdigest() if content is not None else sha256_file(path)  # type: ignore[arg-type]
        )

    def part(self, field: str) -> FilePart:
        return FilePart(field=field, filename=self.filename, path=self.path, content=self.content)


class Client:
    """A connection to the registry's API as one user.

    Args:
        url: the server, e.g. ``https://governance.example.org``. Default: ``$AIGOV_URL``, then
            the config file written by ``aigov login``.
        token: an API token (``gov_…``). Default: ``$AIGOV_TOKEN``, then the config file.
        timeout: seconds to wait for each HTTP answer.
        retries: how many times a request is retried after a connection error, 429, 502, 503
            or 504 (never after another 4xx).
        backoff: first wait between retries in seconds; it doubles each time.

    Raises:
        ConfigurationError: no URL anywhere.
    """

    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        *,
        timeout: float = 60.0,
        retries: int = 4,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
    ):
        settings = config.resolve(url, token)
        if not settings.url:
            raise ConfigurationError(
                f"No server URL: pass url=, set {config.ENV_URL}, or run `aigov login`."
            )
        self.url = settings.url.rstrip("/")
        self.token = settings.token
        self.token_id = settings.token_id
        self._http = Transport(
            self.url,
            self.token,
            timeout=timeout,
            retry=RetryPolicy(retries=retries, backoff=backoff, max_backoff=max_backoff),
        )
        self._me: User | None = None

    # --- authentication -------------------------------------------------------------------
    @classmethod
    def login(
        cls,
        url: str,
        username: str,
        password: str,
        *,
        token_name: str = "aigov-client",  # noqa: S107 - a label for the token, not a secret
        expires_in_days: int | None = None,
        **kwargs: Any,
    ) -> Client:
        """Exchange a user name and password for a new token and return a client using it.

        The token endpoint issues tokens without an expiry; with ``expires_in_days`` the fresh
        token is used once to create one that expires, and is revoked straight away.
        """
        anonymous = Transport(url, None, timeout=kwargs.get("timeout", 60.0))
        body = {"username": username, "password": password, "name": token_name}
        issued = Token.from_api(anonymous.request("POST", "auth/token/", json_body=body))
        client = cls(url, issued.value, **kwargs)
        if expires_in_days:
            first = issued
            issued = client.create_token(token_name, expires_in_days=expires_in_days)
            client.revoke_token(first.id)
            client = cls(url, issued.value, **kwargs)
        client.token_id = issued.id
        client.issued_token = issued
        return client

    def whoami(self) -> User:
        """The user this client's token belongs to (cached after the first call)."""
        if self._me is None:
            self._me = User.from_api(self._get("me/"))
        return self._me

    def tokens(self) -> list[dict[str, Any]]:
        """Your own API tokens (never their values)."""
        return list(self._get("tokens/"))

    def create_token(self, name: str, *, expires_in_days: int | None = None) -> Token:
        """Issue one more token for yourself; its value is in the result, once."""
        body: dict[str, Any] = {"name": name}
        if expires_in_days:
            body["expires_in_days"] = expires_in_days
        return Token.from_api(self._http.request("POST", "tokens/", json_body=body))

    def revoke_token(self, token_id: int | None = None) -> None:
        """Revoke one of your tokens; without an id, the one this client uses."""
        if token_id is None:
            token_id = self.token_id or self._current_token_id()
        self._http.request("DELETE", f"tokens/{token_id}/")

    def _current_token_id(self) -> int:
        # Tokens look like gov_<lookup>_<secret>; the server lists the lookup part as prefix.
        parts = (self.token or "").split("_")
        if len(parts) < 3:
            raise ConfigurationError("No token in use, or not one issued by this server.")
        for row in self.tokens():
            if row["prefix"] == parts[1] and row.get("is_active", True):
                return int(row["id"])
        raise NotFound("The token in use is not among your tokens.", status=404, code="not_found")

    # --- low level ------------------------------------------------------------------------
    def _get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self._http.request("GET", path, params=params)

    def _post(self, path: str, body: Any = None) -> Any:
        return self._http.request("POST", path, json_body=body if body is not None else {})

    def _paginate(self, path: str, params: Mapping[str, Any] | None = None) -> Iterator[dict]:
        """Every row of a paginated list, following ``next`` until it is null."""
        page = self._get(path, {**(params or {}), "limit": 100})
        while True:
            if isinstance(page, list):
                yield from page
                return
            yield from page["results"]
            if not page.get("next"):
                return
            page = self._get(page["next"])

    def _team(self, team: str | None) -> str:
        if team:
            return team
        teams = self.whoami().teams
        if len(teams) == 1:
            return teams[0]
        if not teams:
            raise ConfigurationError(f"User {self.whoami().username} belongs to no team.")
        raise ConfigurationError(f"You belong to several teams ({', '.join(teams)}): pass team=.")

    # --- systems and models ---------------------------------------------------------------
    def system(self, system_id: int) -> System:
        return System.from_api(self._get(f"systems/{system_id}/"))

    def find_system(self, name: str, *, team: str | None = None) -> System | None:
        """The system of that exact name in the team, or None."""
        team = self._team(team)
        for row in self._paginate("systems/", {"search": name, "team__slug": team}):
            if row["name"] == name:
                return System.from_api(row)
        return None

    def ensure_system(self, name: str, *, team: str | None = None, **fields: str) -> System:
        """Get the team's system called ``name``, creating it (with ``fields`` such as
        ``intended_purpose``) if there is none. Existing systems are not modified."""
        team = self._team(team)
        found = self.find_system(name, team=team)
        if found is not None:
            return found
        try:
            row = self._post("systems/", {"team": team, "name": name, **fields})
        except Conflict as exc:  # created meanwhile by a concurrent job
            if exc.existing_id is None:
                raise
            return self.system(exc.existing_id)
        return System.from_api(row)

    def model(self, model_id: int) -> Model:
        return Model.from_api(self._get(f"models/{model_id}/"))

    def find_model(self, system: int | System, name: str) -> Model | None:
        for row in self._paginate("models/", {"system": _id(system), "search": name}):
            if row["name"] == name:
                return Model.from_api(row)
        return None

    def ensure_model(
        self,
        system: int | System,
        name: str,
        *,
        task: str | None = None,
        description: str | None = None,
    ) -> Model:
        """Get the system's model called ``name``, creating it if there is none."""
        found = self.find_model(system, name)
        if found is not None:
            return found
        body: dict[str, Any] = {"system": _id(system), "name": name}
        if task:
            body["task"] = task
        if description:
            body["description"] = description
        try:
            return Model.from_api(self._post("models/", body))
        except Conflict as exc:
            if exc.existing_id is None:
                raise
            return self.model(exc.existing_id)

    # --- datasets -------------------------------------------------------------------------
    def dataset(self, dataset_id: int) -> Dataset:
        return Dataset.from_api(self._get(f"datasets/{dataset_id}/"))

    def find_dataset(self, name: str, *, team: str | None = None) -> Dataset | None:
        team = self._team(team)
        for row in self._paginate("datasets/", {"search": name, "team__slug": team}):
            if row["name"] == name:
                return Dataset.from_api(row)
        return None

    def ensure_dataset(self, name: str, *, team: str | None = None, **fields: str) -> Dataset:
        """Get the team's dataset called ``name``, creating it (with ``fields`` such as
        ``licence`` or ``origin``) if there is none."""
        team = self._team(team)
        found = self.find_dataset(name, team=team)
        if found is not None:
            return found
        try:
            return Dataset.from_api(self._post("datasets/", {"team": team, "name": name, **fields}))
        except Conflict as exc:
            if exc.existing_id is None:
                raise
            return self.dataset(exc.existing_id)

    def dataset_version(self, dataset_version_id: int | DatasetVersion) -> DatasetVersion:
        """A dataset version with its columns, profile statistics and PII flags."""
        return DatasetVersion.from_api(self._get(f"dataset-versions/{_id(dataset_version_id)}/"))

    def dataset_versions(
        self, dataset: int | Dataset, *, sha256: str | None = None, version: str | None = None
    ) -> list[DatasetVersion]:
        """Versions of a dataset, optionally only those with this content or label."""
        params: dict[str, Any] = {"dataset": _id(dataset)}
        if sha256:
            params["blob__sha256"] = sha256
        if version:
            params["search"] = version
        rows = self._paginate("dataset-versions/", params)
        return [
            DatasetVersion.from_api(r) for r in rows if version is None or r["version"] == version
        ]

    def upload_dataset_version(
        self,
        dataset: int | Dataset | str,
        data: Any,
        *,
        version: str | None = None,
        description: str = "",
        column_roles: Mapping[str, str] | None = None,
        sensitive_columns: Iterable[str] | None = None,
        filename: str | None = None,
        team: str | None = None,
    ) -> DatasetVersion:
        """Register a dataset version, or return the one that already holds these bytes.

        Args:
            dataset: the dataset (id, object, or name: created in ``team`` if missing).
            data: a pandas DataFrame (sent as CSV), a path to a CSV or Parquet file (streamed
                from disk), or bytes.
            version: the label. Default ``data-<first 12 hex digits of the SHA-256>``; without
                a label, any version with the same content is reused.
            column_roles: e.g. ``{"default": "target", "id": "identifier"}``.
            sensitive_columns: protected attributes; omit to accept the server's suggestions.

        Raises:
            Conflict: the label exists with different content.
        """
        if isinstance(dataset, str) and not dataset.isdigit():
            dataset = self.ensure_dataset(dataset, team=team)
        dataset_id = _id(dataset)
        blob = self._blob(data, filename or "data.csv")
        if version is not None and not _LABEL.match(version):
            raise ValueError(f"Invalid version label {version!r}: letters, digits and ._+-")
        if version is None:
            same = self.dataset_versions(dataset_id, sha256=blob.sha256)
            if same:
                return self.dataset_version(same[0].id)
            version = f"data-{blob.sha256[:12]}"
        existing = self.dataset_versions(dataset_id, version=version)
        if existing:
            return self._same_dataset_version(existing[0].id, blob.sha256, version)
        form: dict[str, str] = {"version": version, "description": description}
        if column_roles:
            form["column_roles"] = dumps_compact(dict(column_roles))
        if sensitive_columns is not None:
            form["sensitive_columns"] = dumps_compact(list(sensitive_columns))
        try:
            row = self._http.request(
                "POST", f"datasets/{dataset_id}/versions/", form=form, files=[blob.part("file")]
            )
        except Conflict as exc:
            if exc.code != "duplicate_version" or exc.existing_id is None:
                raise
            # Registered by a concurrent run, or by the attempt whose answer was lost.
            return self._same_dataset_version(exc.existing_id, blob.sha256, version)
        return DatasetVersion.from_api(row)

    def _same_dataset_version(self, existing_id: int, sha256: str, label: str) -> DatasetVersion:
        existing = self.dataset_version(existing_id)
        if existing.sha256 != sha256:
            raise Conflict(
                f"Dataset version {label!r} exists (id {existing_id}) with different content "
                f"(server SHA-256 {existing.sha256}, local {sha256}); labels are immutable, "
                "register the new data under a new label.",
                status=409,
                code="duplicate_version",
                details={"existing_id": existing_id},
            )
        return existing

    def _blob(self, data: Any, filename: str) -> _Blob:
        if _is_dataframe(data):
            return _Blob(content=_dataframe_bytes(data), filename=_with_suffix(filename, ".csv"))
        if isinstance(data, (bytes, bytearray, memoryview)):
            return _Blob(content=bytes(data), filename=filename)
        if isinstance(data, (str, os.PathLike)):
            path = Path(data)
            if not path.is_file():
                raise FileNotFoundError(f"No such file: {path}")
            return _Blob(path=path, filename=path.name)
        raise TypeError(
            f"Expected a DataFrame, a file path or bytes for the data, got {type(data).__name__}"
        )

    # --- model versions -------------------------------------------------------------------
    def model_version(self, model_version_id: int | ModelVersion) -> ModelVersion:
        """A model version with its lineage summary, inherited personal data and governance
        state (tier, requirements, approvals)."""
        return ModelVersion.from_api(self._get(f"model-versions/{_id(model_version_id)}/"))

    def model_versions(
        self, model: int | Model, *, version: str | None = None, sha256: str | None = None
    ) -> list[ModelVersion]:
        """Versions of a model, optionally only those with this label or artefact."""
        params: dict[str, Any] = {"model": _id(model)}
        if version:
            params["search"] = version
        if sha256:
            params["artefact__sha256"] = sha256
        rows = self._paginate("model-versions/", params)
        return [
            ModelVersion.from_api(r) for r in rows if version is None or r["version"] == version
        ]

    def register_model_version(
        self,
        model: int | Model,
        version: str,
        artefact: str | os.PathLike[str] | bytes | SerializedModel,
        *,
        filename: str | None = None,
        description: str = "",
        hyperparameters: Mapping[str, Any] | None = None,
        metrics: Mapping[str, Any] | None = None,
        code_commit: str = "",
        environment_lock: str = "",
        lineage: Iterable[Mapping[str, Any]] = (),
    ) -> ModelVersion:
        """Register an artefact as a version of ``model``; idempotent per label.

        If the label exists with the same artefact (same SHA-256) that version is returned and
        nothing is uploaded. If it exists with a different artefact, :class:`Conflict` is
        raised: versions are immutable.

        Args:
            artefact: a file path (streamed from disk), bytes, or a :class:`SerializedModel`.
            lineage: links such as ``{"kind": "trained_on", "dataset_version": 12}``.
        """
        if not _LABEL.match(version):
            raise ValueError(f"Invalid version label {version!r}: letters, digits and ._+-")
        if isinstance(artefact, SerializedModel):
            blob = _Blob(content=artefact.content, filename=filename or artefact.filename)
        else:
            blob = self._blob(artefact, filename or "model.bin")
            if filename and blob.path is not None:
                blob.filename = filename
        existing = self.model_versions(model, version=version)
        if existing:
            return self._same_model_version(existing[0].id, blob.sha256, version)
        form = {
            "version": version,
            "description": description,
            "hyperparameters": dumps_compact(dict(hyperparameters or {})),
            "declared_metrics": dumps_compact(dict(metrics or {})),
            "code_commit": code_commit or "",
            "environment_lock": environment_lock or "",
            "lineage": dumps_compact([dict(link) for link in lineage]),
        }
        try:
            row = self._http.request(
                "POST", f"models/{_id(model)}/versions/", form=form, files=[blob.part("artefact")]
            )
        except Conflict as exc:
            if exc.code != "duplicate_version" or exc.existing_id is None:
                raise
            return self._same_model_version(exc.existing_id, blob.sha256, version)
        return self.model_version(row["id"])

    def register_model_version_by_uri(
        self,
        model: int | Model,
        version: str,
        uri: str,
        *,
        sha256: str | None = None,
        description: str = "",
        hyperparameters: Mapping[str, Any] | None = None,
        metrics: Mapping[str, Any] | None = None,
        code_commit: str = "",
        environment_lock: str = "",
        lineage: Iterable[Mapping[str, Any]] = (),
        wait: float | None = None,
    ) -> ModelVersion:
        """Register a version whose artefact the server fetches from ``uri`` (``https://``,
        ``s3://bucket/key``, ``mlflow://path``, or ``file://`` where the server allows it).

        The version is "pending verification" until a worker has fetched and hashed the file;
        with ``sha256`` a different file ends it "failed verification". ``wait``: seconds to
        wait for the outcome (see :meth:`wait_for_verification`). A label that exists with
        the same URI is returned as it is; with another URI, :class:`Conflict` is raised.
        """
        if not _LABEL.match(version):
            raise ValueError(f"Invalid version label {version!r}: letters, digits and ._+-")
        body: dict[str, Any] = {
            "version": version,
            "artefact_uri": uri,
            "description": description,
            "hyperparameters": dict(hyperparameters or {}),
            "declared_metrics": dict(metrics or {}),
            "code_commit": code_commit or "",
            "environment_lock": environment_lock or "",
            "lineage": [dict(link) for link in lineage],
        }
        if sha256:
            body["artefact_sha256"] = sha256.lower()
        try:
            row = self._post(f"models/{_id(model)}/versions/", body)
        except Conflict as exc:
            if exc.code != "duplicate_version" or exc.existing_id is None:
                raise
            row = {"id": exc.existing_id}
            existing = self.model_version(exc.existing_id)
            if existing.artefact.uri != uri:
                raise Conflict(
                    f"Version {version!r} is already registered (id {exc.existing_id}) with "
                    "another artefact; versions are immutable, use a new label.",
                    status=409,
                    code="duplicate_version",
                    details={"existing_id": exc.existing_id},
                ) from exc
        if wait:
            return self.wait_for_verification(row["id"], timeout=wait)
        return self.model_version(row["id"])

    def wait_for_verification(
        self, model_version: int | ModelVersion, *, timeout: float = 300.0, interval: float = 1.0
    ) -> ModelVersion:
        """Poll until a version registered by URI is verified or failed verification."""
        deadline = time.monotonic() + timeout
        while True:
            mv = self.model_version(model_version)
            if mv.artefact.verification != "pending" or time.monotonic() >= deadline:
                return mv
            time.sleep(interval)

    def register_external_service(
        self,
        model: int | Model,
        version: str,
        *,
        provider: str,
        model_id: str,
        service_version: str = "",
        terms_url: str = "",
        description: str = "",
        metrics: Mapping[str, Any] | None = None,
        lineage: Iterable[Mapping[str, Any]] = (),
    ) -> ModelVersion:
        """Register a vendor's hosted model (no artefact): provider, model id, the vendor's
        version and the URL of its terms. A label that already exists is returned as it is
        when it names the same service."""
        if not _LABEL.match(version):
            raise ValueError(f"Invalid version label {version!r}: letters, digits and ._+-")
        service = {
            "provider": provider,
            "model_id": model_id,
            "version": service_version,
            "terms_url": terms_url,
        }
        body = {
            "version": version,
            "external_service": service,
            "description": description,
            "declared_metrics": dict(metrics or {}),
            "lineage": [dict(link) for link in lineage],
        }
        try:
            row = self._post(f"models/{_id(model)}/versions/", body)
        except Conflict as exc:
            if exc.code != "duplicate_version" or exc.existing_id is None:
                raise
            existing = self.model_version(exc.existing_id)
            if existing.external_service != service:
                raise
            return existing
        return self.model_version(row["id"])

    def import_from_mlflow(
        self,
        model: int | Model,
        registered_model: str,
        version: int | str,
        *,
        label: str | None = None,
        wait: float | None = None,
    ) -> ModelVersion:
        """Import version ``version`` of the MLflow registered model ``registered_model``
        (from the server's configured MLflow tracking server) as a version of ``model``.

        Idempotent: importing the same MLflow version again returns the version imported
        before. ``label`` defaults to the MLflow version number. The artefact is fetched and
        verified afterwards; ``wait`` polls for that (see :meth:`wait_for_verification`).
        """
        body: dict[str, Any] = {"registered_model": registered_model, "version": str(version)}
        if label:
            body["label"] = label
        row = self._post(f"models/{_id(model)}/mlflow-imports/", body)
        if wait:
            return self.wait_for_verification(row["id"], timeout=wait)
        return self.model_version(row["id"])

    def follow_mlflow_model(self, model: int | Model, registered_model: str) -> dict[str, Any]:
        """Follow an MLflow registered model: its new versions are imported into ``model``
        periodically (MLFLOW_SYNC_INTERVAL_SECONDS on the server)."""
        return self._post(
            f"models/{_id(model)}/mlflow-links/", {"registered_model": registered_model}
        )

    def _same_model_version(self, existing_id: int, sha256: str, label: str) -> ModelVersion:
        existing = self.model_version(existing_id)
        if existing.artefact.sha256 != sha256:
            raise Conflict(
                f"Version {label!r} is already registered (id {existing_id}) with a different "
                f"artefact (server SHA-256 {existing.artefact.sha256}, local {sha256}); "
                "versions are immutable, register the new model under a new label.",
                status=409,
                code="duplicate_version",
                details={"existing_id": existing_id},
            )
        return existing

    def register_model(
        self,
        *,
        system: str | int | System,
        model: str | int | Model,
        version: str,
        estimator: Any = None,
        artefact: str | os.PathLike[str] | bytes | None = None,
        training_data: TrainingData = None,
        dataset: str | None = None,
        dataset_version: str | None = None,
        column_roles: Mapping[str, str] | None = None,
        sensitive_columns: Iterable[str] | None = None,
        hyperparameters: Mapping[str, Any] | None = None,
        metrics: Mapping[str, Any] | None = None,
        description: str = "",
        code_commit: str | None = None,
        environment_lock: str | None = None,
        lineage: Iterable[Mapping[str, Any]] = (),
        team: str | None = None,
        task: str | None = None,
        intended_purpose: str | None = None,
    ) -> ModelVersion:
        """Register a trained model with its training data and provenance, in one call.

        Safe to run twice: the system, model, dataset and dataset version are looked up
        before being created, and a model version whose label exists with the same artefact
        is returned as it is.

        Args:
            system: name of the AI system (created in ``team`` if missing), or its id.
            model: name of the model within the system (created if missing), or its id.
            version: the model version's label, e.g. ``"1.4.0"``.
            estimator: the trained object; serialised safely (skops for scikit-learn, native
                JSON for XGBoost, text for LightGBM, ONNX protobuf), never pickled.
            artefact: instead of ``estimator``, a file already saved in a safe format.
            training_data: a DataFrame, a CSV/Parquet path or bytes (uploaded once, see
                :meth:`upload_dataset_version`), or the id of an existing dataset version.
                It is linked as ``trained_on``.
            dataset: name of the dataset that uploaded training data belongs to. Default:
                ``"<model> training data"``.
            dataset_version: label of the uploaded data. Default: derived from its SHA-256.
            hyperparameters: recorded as given; by default the JSON-friendly part of the
                estimator's ``get_params()``.
            metrics: declared metrics, e.g. ``{"roc_auc": 0.81}``.
            code_commit: default ``git rev-parse HEAD`` of the working directory ("" outside a
                repository); pass ``""`` to record none.
            environment_lock: default: every installed distribution as ``name==version``.
            lineage: further links, e.g. ``{"kind": "validated_on", "dataset_version": 7}``.

        Raises:
            TypeError: the estimator has no safe serialisation.
            Conflict: the label is taken by a different artefact.
        """
        if (estimator is None) == (artefact is None):
            raise TypeError("Pass exactly one of estimator= or artefact=.")
        payload: SerializedModel | str | os.PathLike[str] | bytes
        payload = serialize_model(estimator) if estimator is not None else artefact  # type: ignore[assignment]
        if hyperparameters is None and hasattr(estimator, "get_params"):
            try:
                hyperparameters = _json_safe(estimator.get_params(deep=False))
            except TypeError:
                hyperparameters = {}
        if isinstance(system, (System, int)) or (isinstance(system, str) and system.isdigit()):
            system_obj = self.system(_id(system))
        else:
            extra = {"intended_purpose": intended_purpose} if intended_purpose else {}
            system_obj = self.ensure_system(system, team=team, **extra)
        if isinstance(model, (Model, int)) or (isinstance(model, str) and model.isdigit()):
            model_obj = self.model(_id(model))
        else:
            model_obj = self.ensure_model(system_obj, model, task=task)
        links = [dict(link) for link in lineage]
        if training_data is not None:
            dv_id = self._training_data(
                training_data,
                dataset=dataset or f"{model_obj.name} training data",
                version=dataset_version,
                column_roles=column_roles,
                sensitive_columns=sensitive_columns,
                team=system_obj.team,
            )
            links.insert(0, {"kind": "trained_on", "dataset_version": dv_id})
        return self.register_model_version(
            model_obj,
            version,
            payload,
            description=description,
            hyperparameters=hyperparameters,
            metrics=metrics,
            code_commit=_git_commit() if code_commit is None else code_commit,
            environment_lock=_environment_lock() if environment_lock is None else environment_lock,
            lineage=links,
        )

    def _training_data(self, data: Any, **kwargs: Any) -> int:
        if isinstance(data, DatasetVersion):
            return data.id
        if isinstance(data, int) and not isinstance(data, bool):
            return data
        dataset = self.ensure_dataset(kwargs.pop("dataset"), team=kwargs.pop("team"))
        return self.upload_dataset_version(dataset, data, **kwargs).id

    # --- lineage --------------------------------------------------------------------------
    def add_lineage(self, kind: str, upstream: NodeRef, downstream: NodeRef) -> dict[str, Any]:
        """Record an edge, e.g. ``add_lineage("validated_on", dv, mv)``. Nodes are
        ``("dataset_version", id)`` / ``("model_version", id)`` or the resource objects."""
        body = {"kind": kind, "upstream": _node(upstream), "downstream": _node(downstream)}
        return self._post("lineage/", body)

    def lineage(self, model_version: int | ModelVersion) -> dict[str, Any]:
        """The lineage graph around a model version: ``root``, ``nodes`` and ``edges``."""
        return self._get(f"model-versions/{_id(model_version)}/lineage/")

    # --- checks ---------------------------------------------------------------------------
    def run_check(
        self,
        model_version: int | ModelVersion,
        kind: str,
        dataset_version: int | DatasetVersion,
        *,
        reference_dataset_version: int | DatasetVersion | None = None,
        sensitive_columns: Iterable[str] | None = None,
        parameters: Mapping[str, Any] | None = None,
        thresholds: Mapping[str, Any] | None = None,
    ) -> CheckRun:
        """Ask for a check (fairness, explainability, data_quality, performance, drift) of a
        model version on a dataset version. The server queues it; see
        :meth:`wait_for_check`."""
        body: dict[str, Any] = {
            "kind": kind,
            "dataset_version": _id(dataset_version),
            "parameters": dict(parameters or {}),
            "thresholds": dict(thresholds or {}),
        }
        if reference_dataset_version is not None:
            body["reference_dataset_version"] = _id(reference_dataset_version)
        if sensitive_columns is not None:
            body["sensitive_columns"] = list(sensitive_columns)
        accepted = self._post(f"model-versions/{_id(model_version)}/checks/", body)
        return self.check(accepted["id"])

    def check(self, check_id: int | CheckRun) -> CheckRun:
        """A check run with its result and findings."""
        return CheckRun.from_api(self._get(f"checks/{_id(check_id)}/"))

    def checks(
        self, model_version: int | ModelVersion, *, kind: str | None = None
    ) -> list[CheckRun]:
        params = {"kind": kind} if kind else None
        rows = self._paginate(f"model-versions/{_id(model_version)}/checks/", params)
        return [CheckRun.from_api(r) for r in rows]

    def wait_for_check(
        self,
        check: int | CheckRun,
        *,
        timeout: float = 1800.0,
        poll_interval: float = 2.0,
        on_progress: Callable[[CheckRun], None] | None = None,
    ) -> CheckRun:
        """Poll until the check has succeeded or failed; ``on_progress`` sees every poll.

        Raises:
            WaitTimeout: still running after ``timeout`` seconds (the check goes on).
        """
        return self._wait(lambda: self.check(check), timeout, poll_interval, on_progress)

    # --- review and gate ------------------------------------------------------------------
    def submit(self, model_version: int | ModelVersion) -> dict[str, Any]:
        """Submit a version for review. A refusal is a :class:`ValidationError` whose
        ``details["reasons"]`` lists every blocking reason."""
        return self._post(f"model-versions/{_id(model_version)}/submit/")

    def gate(
        self, model_version: int | ModelVersion, environment: Environment = "prod"
    ) -> GateResult:
        """May this version run in ``environment``? For CI/CD before a deploy."""
        return GateResult.from_api(
            self._get(f"model-versions/{_id(model_version)}/gate/", {"environment": environment})
        )

    # --- reports --------------------------------------------------------------------------
    def generate_report(
        self,
        kind: str = "model_card",
        *,
        model_version: int | ModelVersion | None = None,
        audit_run: int | None = None,
    ) -> Report:
        """Queue a report: ``model_card`` or ``annex_iv`` of a model version, ``inventory``,
        or ``audit`` of an audit run. Auditors, compliance officers and admins only."""
        if model_version is not None:
            row = self._post(f"model-versions/{_id(model_version)}/reports/", {"kind": kind})
        else:
            body: dict[str, Any] = {"kind": kind}
            if audit_run is not None:
                body["audit_run"] = audit_run
            row = self._post("reports/", body)
        return Report.from_api(row)

    def report(self, report_id: int | Report) -> Report:
        return Report.from_api(self._get(f"reports/{_id(report_id)}/"))

    def wait_for_report(
        self,
        report: int | Report,
        *,
        timeout: float = 600.0,
        poll_interval: float = 1.0,
        on_progress: Callable[[Report], None] | None = None,
    ) -> Report:
        """Poll until the report is rendered or has failed."""
        return self._wait(lambda: self.report(report), timeout, poll_interval, on_progress)

    def download_report(
        self, report: int | Report, path: str | os.PathLike[str], *, evidence_pack: bool = False
    ) -> Path:
        """Save the PDF (or, with ``evidence_pack``, the zip of PDF, snapshot and manifest)
        to ``path``, checking the SHA-256 the server announces."""
        what = "evidence-pack" if evidence_pack else "download"
        response = self._http.request(
            "GET", f"reports/{_id(report)}/{what}/", stream=True, expect_json=False
        )
        target = Path(path)
        partial = target.with_name(target.name + ".part")
        digest = hashlib.sha256()
        with response, partial.open("wb") as fh:
            for chunk in response.iter_content(_CHUNK):
                digest.update(chunk)
                fh.write(chunk)
        expected = response.headers.get("X-Content-SHA256")
        if expected and expected != digest.hexdigest():
            partial.unlink()
            raise OSError(
                f"Report {_id(report)} arrived damaged: SHA-256 {digest.hexdigest()}, "
                f"server says {expected}."
            )
        os.replace(partial, target)
        return target

    # --- helpers --------------------------------------------------------------------------
    def _wait(self, fetch, timeout, poll_interval, on_progress):
        deadline = time.monotonic() + timeout
        while True:
            current = fetch()
            if on_progress is not None:
                on_progress(current)
            if current.done:
                return current
            if time.monotonic() >= deadline:
                raise WaitTimeout(
                    f"{type(current).__name__} {current.id} still {current.status} after "
                    f"{timeout:.0f} s."
                )
            time.sleep(poll_interval)

    def close(self) -> None:
        self._http.session.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Client(url={self.url!r})"


def _node(ref: NodeRef) -> dict[str, Any]:
    if isinstance(ref, DatasetVersion):
        return {"type": "dataset_version", "id": ref.id}
    if isinstance(ref, ModelVersion):
        return {"type": "model_version", "id": ref.id}
    kind, ident = ref
    if kind not in ("dataset_version", "model_version"):
        raise ValueError(f"node type must be dataset_version or model_version, not {kind!r}")
    return {"type": kind, "id": int(ident)}


def _with_suffix(filename: str, suffix: str) -> str:
    return filename if filename.endswith(suffix) else Path(filename).stem + suffix
