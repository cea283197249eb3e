import pytest
from django.core.management import call_command

from audits.runs.models.checks import CheckRun
from governance.review.evaluation import gate
from registry.models import ModelVersion, PIIFlag

pytestmark = pytest.mark.django_db


def test_seed_demo_trains_and_registers_a_real_model(capsys):
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    mv = ModelVersion.objects.get(model__name="credit-risk-xgb")
    assert mv.artefact_format == "xgboost_json" and mv.artefact_safe
    assert mv.declared_metrics["roc_auc_holdout"] > 0.6
    dv = mv.upstream_edges.get(kind="trained_on").upstream_dataset_version
    assert dv.row_count == 1000
    sensitive = set(dv.columns.filter(is_sensitive=True).values_list("name", flat=True))
    assert {"sex", "age"} <= sensitive
    assert not PIIFlag.objects.exists()
    assert "model version" in capsys.readouterr().out


def test_demo_evidence_is_the_held_out_test_split(django_capture_on_commit_callbacks):
    """README, "What you will see": the fairness check on the version's own test data finds
    a demographic parity gap by age well above 0.10, and the gate stays closed for it."""
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    mv = ModelVersion.objects.get(model__name="credit-risk-xgb")
    test = mv.upstream_edges.get(kind="tested_on").upstream_dataset_version
    assert test.row_count == 300  # the 30 % the model never saw
    fairness = CheckRun.objects.get(model_version=mv, kind="fairness")
    assert fairness.dataset_version_id == test.pk
    assert fairness.counts_as_evidence is True and fairness.evidence_relation == "tested_on"
    assert fairness.passed is False
    gap = fairness.result["features"]["age"]["metrics"]["demographic_parity_difference"]
    assert gap["value"] == pytest.approx(0.20, abs=0.01) and gap["threshold"] == 0.10
    reasons = {r["code"]: r["message"] for r in gate(mv, environment="prod")["reasons"]}
    assert "check_failed:fairness" in reasons
    assert "2024-01-test, tested_on" in reasons["check_failed:fairness"]
