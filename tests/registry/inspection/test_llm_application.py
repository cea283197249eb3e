"""LLM application descriptors: a hosted foundation model registered by reference."""

from __future__ import annotations

import json

import pytest

from audits.checks import ModelLoadError, load_model
from registry.inspection.formats import (
    LLMApplicationError,
    detect_artefact_format,
    parse_llm_application,
)

FM = {
    "provider": "Example AI",
    "model_id": "example-llm",
    "model_version": "2026-01",
    "terms_url": "https://example.com/terms",
    "general_purpose": True,
    "systemic_risk": False,
}


def write(tmp_path, doc) -> str:
    path = tmp_path / "app.json"
    path.write_text(json.dumps(doc))
    return str(path)


def test_descriptor_is_recognised_and_never_loaded(tmp_path):
    path = write(tmp_path, {"llm_application": {"name": "a", "foundation_model": FM}})
    detected = detect_artefact_format(path)
    assert detected.format == "llm_application"
    assert detected.safe is True
    assert "Example AI example-llm 2026-01" in detected.detail
    with pytest.raises(ModelLoadError) as caught:
        load_model(path, artefact_format="llm_application")
    assert caught.value.code == "not_a_predictive_model"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"model_id": None}, "model_id"),
        ({"general_purpose": "yes"}, "general_purpose must be a boolean"),
        ({"general_purpose": False, "systemic_risk": True}, "general-purpose models only"),
        ({"provider": " "}, "provider must be a non-empty text"),
    ],
)
def test_incomplete_reference_is_refused_with_the_reason(tmp_path, change, message):
    fm = {k: v for k, v in {**FM, **change}.items() if v is not None}
    doc = {"llm_application": {"foundation_model": fm}}
    with pytest.raises(LLMApplicationError, match=message):
        parse_llm_application(json.dumps(doc).encode())
    detected = detect_artefact_format(write(tmp_path, doc))
    assert detected.format == "unknown"
    assert message in detected.detail


def test_other_json_is_not_a_descriptor(tmp_path):
    assert detect_artefact_format(write(tmp_path, {"name": "x"})).format == "unknown"
