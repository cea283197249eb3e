import pytest
from django.core.management import call_command

from registry.models import ModelVersion, PIIFlag

pytestmark = pytest.mark.django_db


def test_seed_demo_trains_and_registers_a_real_model(capsys):
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    mv = ModelVersion.objects.get()
    assert mv.artefact_format == "xgboost_json" and mv.artefact_safe
    assert mv.declared_metrics["roc_auc_holdout"] > 0.6
    dv = mv.upstream_edges.get().upstream_dataset_version
    assert dv.row_count == 1000
    sensitive = set(dv.columns.filter(is_sensitive=True).values_list("name", flat=True))
    assert {"sex", "age"} <= sensitive
    assert not PIIFlag.objects.exists()
    assert "model version" in capsys.readouterr().out
