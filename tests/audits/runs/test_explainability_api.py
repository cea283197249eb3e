"""SHAP through the API: exact additivity, TreeExplainer's own numbers, and guarded charts."""

from __future__ import annotations

import numpy as np
import pytest

from audits.runs.models.checks import CheckRun
from tests.audits.conftest import FEATURES

pytestmark = pytest.mark.django_db

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHARTS = {"global_importance", "beeswarm", "waterfall_borderline"}


@pytest.fixture
def explained(api, scientist, labelled, model_version, request_check):
    response = request_check(
        api(scientist),
        model_version.pk,
        kind="explainability",
        dataset_version=labelled.pk,
        parameters={"seed": 7},
    )
    assert response.status_code == 202, response.content
    run = CheckRun.objects.get(pk=response.json()["id"])
    assert run.status == "succeeded", run.error_message
    return run


def test_shap_additivity_and_importances_match_tree_explainer(explained, german_frame):
    import shap  # noqa: PLC0415 - heavy optional library, loaded only where it is used
    import xgboost as xgb  # noqa: PLC0415 - heavy optional library, loaded only where it is used

    result = explained.result
    assert result["explainer"].lower().startswith("tree")
    assert result["additivity"]["max_abs_error"] < 1e-6
    assert explained.seed == 7

    booster = xgb.Booster()
    booster.load_model(bytearray(explained.model_version.artefact.path.read_bytes()))
    values = shap.TreeExplainer(booster).shap_values(german_frame[FEATURES])
    # SHAP returns float32 for XGBoost; the stored means are accumulated in float64.
    direct = np.abs(np.asarray(values, dtype=np.float64)).mean(axis=0)
    assert result["features"] == FEATURES
    for name, value in zip(FEATURES, direct, strict=True):
        assert result["global_importance"][name] == float(value)
    ranking = [FEATURES[i] for i in np.argsort(-direct, kind="stable")]
    assert result["ranking"] == ranking


def test_three_charts_are_pngs_for_readers_only(explained, api, users):
    assert set(explained.charts) >= CHARTS
    for name in CHARTS:
        url = f"/api/v1/checks/{explained.pk}/charts/{name}.png"
        for role in ("data_scientist", "compliance_officer", "auditor", "admin"):
            response = api(users[role]).get(url)
            assert response.status_code == 200, (role, name)
            assert response["Content-Type"] == "image/png"
            assert b"".join(response.streaming_content).startswith(PNG_SIGNATURE)
        assert api(users["outsider"]).get(url).status_code == 404
        assert api(None).get(url).status_code in (401, 403)
    listed = api(users["auditor"]).get(f"/api/v1/checks/{explained.pk}/").json()["charts"]
    assert {c["name"] for c in listed} >= CHARTS
    missing = api(users["auditor"]).get(f"/api/v1/checks/{explained.pk}/charts/nope.png")
    assert missing.status_code == 404
