"""Typed views of the API's JSON answers.

Each keeps the full answer in ``raw``: the API grows fields faster than this package, and a
script should not have to wait for a client release to read one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TERMINAL = frozenset({"succeeded", "failed"})


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str
    teams: list[str]
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> User:
        return cls(data["id"], data["username"], data["role"], list(data.get("teams", [])), data)


@dataclass(frozen=True)
class Token:
    """A token just issued: ``value`` is shown once by the server and never again."""

    id: int
    name: str
    prefix: str
    value: str
    username: str
    role: str

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> Token:
        return cls(
            data["id"], data["name"], data["prefix"], data["token"], data["username"], data["role"]
        )


@dataclass(frozen=True)
class System:
    id: int
    name: str
    team: str
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> System:
        return cls(data["id"], data["name"], data["team"], data)


@dataclass(frozen=True)
class Model:
    id: int
    name: str
    system: int
    task: str
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> Model:
        return cls(data["id"], data["name"], data["system"], data.get("task", ""), data)


@dataclass(frozen=True)
class Dataset:
    id: int
    name: str
    team: str
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> Dataset:
        return cls(data["id"], data["name"], data["team"], data)


@dataclass(frozen=True)
class DatasetVersion:
    id: int
    dataset: int
    version: str
    sha256: str
    size: int
    data_format: str
    profile_status: str
    columns: list[dict[str, Any]]
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> DatasetVersion:
        return cls(
            data["id"],
            data["dataset"],
            data["version"],
            data["sha256"],
            data["size"],
            data.get("data_format", ""),
            data.get("profile_status", ""),
            list(data.get("columns") or []),
            data,
        )

    def pii(self) -> dict[str, list[str]]:
        """Column name -> categories of personal data the scan flagged in it."""
        return {c["name"]: [f["category"] for f in c.get("pii_flags", [])] for c in self.columns}


@dataclass(frozen=True)
class Artefact:
    """The stored artefact. ``sha256`` and ``size`` are None while an artefact registered by
    URI awaits its fetch (``verification`` "pending"), after a failed fetch ("failed", the
    reason in ``verification_error``) and for an external service ("not_applicable")."""

    sha256: str | None
    size: int | None
    format: str
    framework: str
    safe: bool
    filename: str
    source: str = "upload"
    uri: str = ""
    verification: str = "verified"
    verification_error: str = ""

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> Artefact:
        return cls(
            data["sha256"],
            data["size"],
            data["format"],
            data.get("framework", ""),
            bool(data.get("safe")),
            data.get("filename", ""),
            data.get("source", "upload"),
            data.get("uri", ""),
            data.get("verification", "verified"),
            data.get("verification_error", ""),
        )


@dataclass(frozen=True)
class ModelVersion:
    """A model version. From the detail endpoint, ``raw`` also has ``lineage``,
    ``personal_data`` and ``governance``."""

    id: int
    model: int
    version: str
    status: str
    artefact: Artefact
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> ModelVersion:
        return cls(
            data["id"],
            data["model"],
            data["version"],
            data["status"],
            Artefact.from_api(data["artefact"]),
            data,
        )

    @property
    def external_service(self) -> dict[str, str] | None:
        """Provider, model id, version and terms URL of a vendor's hosted model, else None."""
        return self.raw.get("external_service")

    @property
    def personal_data(self) -> dict[str, Any]:
        """Personal data inherited through lineage (detail answers only)."""
        return self.raw.get("personal_data") or {}

    @property
    def trained_on(self) -> list[int]:
        """Ids of the dataset versions this version was directly trained on."""
        upstream = (self.raw.get("lineage") or {}).get("upstream", [])
        return [
            u["id"]
            for u in upstream
            if u.get("depth_1") and u["kind"] == "trained_on" and u["type"] == "dataset_version"
        ]


@dataclass(frozen=True)
class CheckRun:
    id: int
    kind: str
    status: str
    progress: float  # 0.0 to 1.0
    progress_message: str
    passed: bool | None
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> CheckRun:
        return cls(
            data["id"],
            data["kind"],
            data["status"],
            float(data.get("progress") or 0.0),
            data.get("progress_message") or "",
            data.get("passed"),
            data,
        )

    @property
    def done(self) -> bool:
        return self.status in TERMINAL

    @property
    def findings(self) -> list[dict[str, Any]]:
        return list(self.raw.get("findings") or [])


@dataclass(frozen=True)
class GateReason:
    code: str
    message: str


@dataclass(frozen=True)
class GateResult:
    """The deployment gate's verdict: ``allowed`` or the ``reasons`` it is not."""

    allowed: bool
    environment: str
    model_version: int
    tier: str
    reasons: list[GateReason]
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> GateResult:
        return cls(
            bool(data["allowed"]),
            data["environment"],
            data["model_version"],
            data.get("tier", ""),
            [GateReason(r["code"], r["message"]) for r in data.get("reasons", [])],
            data,
        )


@dataclass(frozen=True)
class Report:
    id: int
    kind: str
    status: str
    progress: float  # 0.0 to 1.0
    progress_message: str
    sha256: str
    model_version: int | None
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> Report:
        return cls(
            data["id"],
            data["kind"],
            data["status"],
            float(data.get("progress") or 0.0),
            data.get("progress_message") or "",
            data.get("sha256") or "",
            data.get("model_version"),
            data,
        )

    @property
    def done(self) -> bool:
        return self.status in TERMINAL
