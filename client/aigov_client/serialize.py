"""Turn a trained model object into artefact bytes in a format that loads without running code.

Pickle (and joblib, cloudpickle) is never used: loading a pickle executes whatever it contains,
so the registry marks such artefacts unsafe and its workers refuse them. Each supported family
has a native or safe format instead; anything else is refused with a ``TypeError``.

The bytes are also made reproducible: the registry identifies an artefact by its SHA-256, and
idempotent registration compares it, so the same trained model must give the same bytes in two
runs of a script.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass
from typing import Any

SUPPORTED = (
    "scikit-learn estimators and pipelines (skops), XGBoost Booster or XGBModel (JSON), "
    "LightGBM Booster or LGBMModel (text), onnx.ModelProto (ONNX)"
)


@dataclass(frozen=True)
class SerializedModel:
    content: bytes
    filename: str
    format: str  # the registry's name for it: skops, xgboost_json, lightgbm_text, onnx
    framework: str


def _families(obj: Any) -> list[str]:
    """Top-level package of each class in the MRO, most specific first.

    Checked by module name rather than ``isinstance`` so that no framework is imported just to
    find out it is not the one; the order matters because XGBoost's and LightGBM's scikit-learn
    wrappers also derive from scikit-learn's ``BaseEstimator``.
    """
    return [cls.__module__.split(".", 1)[0] for cls in type(obj).__mro__]


def serialize_model(obj: Any) -> SerializedModel:
    """Serialise a trained model safely; raise ``TypeError`` for anything unsupported."""
    for family in _families(obj):
        if family == "xgboost":
            return _xgboost(obj)
        if family == "lightgbm":
            return _lightgbm(obj)
        if family == "onnx":
            return _onnx(obj)
        if family == "sklearn":
            return _skops(obj)
    raise TypeError(
        f"Cannot serialise {type(obj).__module__}.{type(obj).__qualname__} safely. Supported: "
        f"{SUPPORTED}. Pickle is never used because loading it runs arbitrary code; save the "
        "model in a safe format yourself and pass the file as artefact=PATH instead."
    )


def _xgboost(obj: Any) -> SerializedModel:
    import xgboost  # noqa: PLC0415 - optional: imported only for its own objects

    if isinstance(obj, xgboost.XGBModel):
        # save_model keeps the scikit-learn wrapper's own attributes (classes, objective) so the
        # file loads back into the same estimator class; the raw booster would lose them.
        fd, path = tempfile.mkstemp(suffix=".json")
        os.close(fd)
        try:
            obj.save_model(path)
            with open(path, "rb") as fh:
                content = fh.read()
        finally:
            os.unlink(path)
    elif isinstance(obj, xgboost.Booster):
        content = bytes(obj.save_raw(raw_format="json"))
    else:
        raise TypeError(f"Unsupported XGBoost object {type(obj).__qualname__}; {SUPPORTED}.")
    return SerializedModel(content, "model.json", "xgboost_json", "xgboost")


def _lightgbm(obj: Any) -> SerializedModel:
    import lightgbm  # noqa: PLC0415 - optional: imported only for its own objects

    if isinstance(obj, lightgbm.LGBMModel):
        booster = obj.booster_  # raises if the estimator was never fitted
    elif isinstance(obj, lightgbm.Booster):
        booster = obj
    else:
        raise TypeError(f"Unsupported LightGBM object {type(obj).__qualname__}; {SUPPORTED}.")
    return SerializedModel(
        booster.model_to_string().encode("utf-8"), "model.txt", "lightgbm_text", "lightgbm"
    )


def _onnx(obj: Any) -> SerializedModel:
    import onnx  # noqa: PLC0415 - optional: imported only for its own objects

    if not isinstance(obj, onnx.ModelProto):
        raise TypeError(f"Unsupported ONNX object {type(obj).__qualname__}; pass a ModelProto.")
    return SerializedModel(obj.SerializeToString(), "model.onnx", "onnx", "onnx")


def _skops(obj: Any) -> SerializedModel:
    try:
        import skops.io  # noqa: PLC0415 - optional: needed for scikit-learn models only
    except ImportError as exc:
        raise TypeError(
            "Serialising a scikit-learn model needs the skops package (pip install skops); "
            "pickle is never used."
        ) from exc
    return SerializedModel(
        canonical_skops(skops.io.dumps(obj)), "model.skops", "skops", "scikit-learn"
    )


_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def canonical_skops(raw: bytes) -> bytes:
    """The same skops file with reproducible bytes.

    skops names array files and node references after ``id()`` of the objects (memory
    addresses) and stamps zip entries with the current time, so the same model saved twice
    never has the same SHA-256. Renumbering the ids in document order and fixing the
    timestamps changes neither the structure nor the values; ``skops.io.loads`` reads the
    result as it reads the original.
    """
    with zipfile.ZipFile(io.BytesIO(raw)) as src:
        schema = json.loads(src.read("schema.json"))
        ids: dict[int, int] = {}

        def renumber(node: Any) -> Any:
            if isinstance(node, dict):
                out = {}
                for key, value in node.items():
                    if key == "__id__" and isinstance(value, int):
                        out[key] = ids.setdefault(value, len(ids) + 1)
                    else:
                        out[key] = renumber(value)
                return out
            if isinstance(node, list):
                return [renumber(v) for v in node]
            return node

        schema = renumber(schema)
        renamed: dict[str, str] = {}

        def rename_files(node: Any) -> None:
            if isinstance(node, dict):
                name = node.get("file")
                if isinstance(name, str) and name in src.namelist():
                    stem, _, ext = name.rpartition(".")
                    new = f"{ids.get(int(stem), stem) if stem.isdigit() else stem}.{ext}"
                    renamed[name] = new
                    node["file"] = new
                for value in node.values():
                    rename_files(value)
            elif isinstance(node, list):
                for value in node:
                    rename_files(value)

        rename_files(schema)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as dst:
            dst.writestr(
                zipfile.ZipInfo("schema.json", _FIXED_TIME),
                json.dumps(schema, indent=2, sort_keys=False).encode("utf-8"),
            )
            others = sorted(n for n in src.namelist() if n != "schema.json")
            for name in sorted(others, key=lambda n: renamed.get(n, n)):
                dst.writestr(zipfile.ZipInfo(renamed.get(name, name), _FIXED_TIME), src.read(name))
    return out.getvalue()
