"""The ``aigov`` command as a CI job runs it: a separate process against a live server."""

from __future__ import annotations

import json
import stat

import pandas as pd
import pytest
from aigov_client import serialize_model
from django.contrib.auth import get_user_model
from sklearn.linear_model import LogisticRegression

from governance.models import ApiToken
from governance.review.approvals.services import review_decide
from registry.models import AISystem, ModelVersion
from tests.governance.conftest import SPAM_FILTER, classify, satisfy_required_checks
from tests.registry.conftest import german_credit_path

from .conftest import PASSWORDS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def files(tmp_path):
    """A real model trained on a German Credit sample, saved safely, and that sample as CSV."""
    frame = pd.read_csv(german_credit_path())[["credit_amount", "duration", "age", "sex", "risk"]]
    frame = frame.head(300)
    clf = LogisticRegression(max_iter=500).fit(
        frame[["credit_amount", "duration", "age"]], frame["risk"]
    )
    artefact = tmp_path / "model.skops"
    artefact.write_bytes(serialize_model(clf).content)
    data = tmp_path / "train.csv"
    frame.to_csv(data, index=False)
    return artefact, data


def as_json(result) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def as_json_any(result) -> dict:
    """The JSON of a command whose exit code carries the answer (gate)."""
    return json.loads(result.stdout)


def test_login_register_check_gate_report_logout(server, cli, files, tmp_path):
    artefact, data = files
    # login asks for the URL and the user name; the password comes as an option here, since
    # an interactive password prompt reads the terminal, not stdin.
    out = cli("login", "--password", PASSWORDS["scientist"], input=f"{server}\nscientist\n")
    assert out.returncode == 0, out.stderr
    assert "Logged in" in out.stdout and "as scientist" in out.stdout
    assert stat.S_IMODE(cli.config.stat().st_mode) == 0o600
    text = cli.config.read_text()
    assert f'url = "{server}"' in text and 'token = "gov_' in text
    token = ApiToken.objects.get(user__username="scientist", revoked_at__isnull=True)
    assert token.expires_at is not None  # 90 days by default
    assert cli("whoami").stdout.startswith(f"scientist (data_scientist) on {server}")

    dv = as_json(
        cli(
            "upload-data",
            str(data),
            "--dataset",
            "German Credit sample",
            "--role",
            "risk=target",
            "--sensitive",
            "sex",
            "--json",
        )
    )
    assert dv["row_count"] == 300
    register = [
        "register",
        str(artefact),
        "--system",
        "Credit demo",
        "--model",
        "risk-lr",
        "--version",
        "1.0.0",
        "--trained-on",
        str(dv["id"]),
        "--metrics",
        '{"roc_auc": 0.71}',
        "--json",
    ]
    mv = as_json(cli(*register))
    assert mv["artefact"]["format"] == "skops" and mv["declared_metrics"] == {"roc_auc": 0.71}
    assert as_json(cli(*register))["id"] == mv["id"]  # idempotent
    assert ModelVersion.objects.count() == 1

    closed = cli("gate", str(mv["id"]), "--environment", "prod")
    assert closed.returncode == 1, closed.stderr
    lines = closed.stdout.strip().splitlines()
    assert lines[0].startswith(f"closed: model version {mv['id']} may not run in prod")
    assert lines[1].startswith("unclassified: ")

    check = cli(
        "check",
        "run",
        str(mv["id"]),
        "--kind",
        "data_quality",
        "--dataset",
        str(dv["id"]),
        "--wait",
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "data_quality): succeeded, passed" in check.stdout
    # The minimal tier also needs a passing performance check: recorded directly, as the
    # governance tests do, since computing a real one here would add seconds, not coverage.
    satisfy_required_checks(ModelVersion.objects.get(), "minimal", None)

    # A compliance officer classifies the system (minimal risk) and approves the version.
    officer = get_user_model().objects.get(username="compliance")
    classify(AISystem.objects.get(name="Credit demo"), SPAM_FILTER, officer)
    submitted = cli("submit", str(mv["id"]))
    assert submitted.returncode == 0, submitted.stderr
    review_decide(
        actor=officer,
        model_version=ModelVersion.objects.get(),
        decision="approve",
        comment="performance checked",
        password=PASSWORDS["compliance"],
    )
    opened = cli("gate", str(mv["id"]))
    assert opened.returncode == 0, opened.stdout + opened.stderr
    assert opened.stdout.startswith(f"open: model version {mv['id']} may run in prod")
    assert as_json_any(cli("gate", str(mv["id"]), "--json"))["allowed"] is True

    missing = cli("gate", "999999")
    assert missing.returncode == 2 and "not_found" in missing.stderr
    wrong = cli("gate", str(mv["id"]), env={"AIGOV_TOKEN": "gov_deadbeef_nope"})
    assert wrong.returncode == 2 and "HTTP 401" in wrong.stderr and "aigov login" in wrong.stderr

    pdf = tmp_path / "card.pdf"
    compliance = cli(
        "login",
        "--url",
        server,
        "--username",
        "compliance",
        "--password",
        PASSWORDS["compliance"],
        "--expires-in-days",
        "0",
    )
    assert compliance.returncode == 0, compliance.stderr
    report = cli("report", "generate", str(mv["id"]), "--kind", "model_card", "--output", str(pdf))
    assert report.returncode == 0, report.stdout + report.stderr
    assert pdf.read_bytes().startswith(b"%PDF-")

    out = cli("logout")
    assert out.returncode == 0 and "revoked" in out.stdout
    assert not ApiToken.objects.filter(
        user__username="compliance", revoked_at__isnull=True
    ).exists()
    assert 'token = "' not in cli.config.read_text()
    after = cli("whoami")
    assert after.returncode == 2 and "Not logged in" in after.stderr
