"""Governance fixtures: classified systems, an accountable owner, versions ready for review."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audits.runs.models import CheckRun
from audits.runs.services.evidence import required_sensitive
from audits.runs.services.rules import policy_baseline
from governance.kernel.accounts.models import Role
from governance.policy.classification.services import risk_classification_record
from governance.policy.policies.models import Policy
from governance.policy.raci.models import Raci
from governance.policy.raci.services import responsibility_assign
from registry.models import DatasetVersion, PIIFlag, PIIStatus
from registry.selectors import upstream_pii
from registry.services.datasets import dataset_version_register, pii_flag_decide
from registry.services.lineage import lineage_edge_add
from registry.services.systems import system_update
from tests.factories import UserFactory
from tests.oidc_provider.fixtures import oidc_provider, sso  # noqa: F401  (fixtures)
from tests.registry import conftest as registry_fixtures

# The registry's fixtures (real German Credit data and a real XGBoost model), shared here.
german_csv_bytes = registry_fixtures.german_csv_bytes
xgb_json_bytes = registry_fixtures.xgb_json_bytes
system = registry_fixtures.system
model = registry_fixtures.model
dataset = registry_fixtures.dataset
dataset_version = registry_fixtures.dataset_version
model_version = registry_fixtures.model_version

BASE = {
    "q0-ai-system": "yes",
    "q0-exclusions": ["none"],
    "q1-role": "provider",
    "q2-prohibited-practices": ["none"],
    "q3-annex-i": "no",
    "q4-annex-iii": ["none"],
    "q6-transparency": ["none"],
    "q7-gpai": "no",
}
# Consumer credit scoring profiles applicants: Annex III 5(b), no Art. 6(3) way out.
CREDIT_SCORING = {**BASE, "q4-annex-iii": ["credit-scoring"], "q5-profiling": "yes"}
SPAM_FILTER = dict(BASE)
CHATBOT = {**BASE, "q6-transparency": ["interacts"]}
SOCIAL_SCORING = {**BASE, "q2-prohibited-practices": ["social-scoring"]}


@pytest.fixture
def owner(team):
    """The accountable owner (RACI A) of the credit system: a team member who built nothing."""
    return UserFactory(role=Role.DATA_SCIENTIST, teams=[team], username="owner1")


@pytest.fixture
def officer2(team):
    return UserFactory(role=Role.COMPLIANCE_OFFICER, teams=[team], username="officer2")


def classify(system, answers, actor):
    return risk_classification_record(actor=actor, system=system, answers=answers)


def evaluation_data(model_version, actor):
    """The version's held-out test data (a ``tested_on`` link), registered from its training
    file when it has none yet."""
    edge = model_version.upstream_edges.filter(kind="tested_on").first()
    if edge is not None:
        return edge.upstream_dataset_version
    edge = model_version.upstream_edges.filter(kind="trained_on").first()
    trained = (
        edge.upstream_dataset_version
        if edge is not None
        else DatasetVersion.objects.filter(dataset__team=model_version.model.system.team)
        .exclude(version__endswith="-holdout")
        .earliest("pk")
    )
    holdout = DatasetVersion.objects.filter(
        dataset=trained.dataset, version=f"{trained.version}-holdout"
    ).first() or dataset_version_register(
        actor=actor,
        dataset=trained.dataset,
        version=f"{trained.version}-holdout",
        data_file=SimpleUploadedFile("holdout.csv", trained.blob.path.read_bytes(), "text/csv"),
    )
    lineage_edge_add(actor=actor, kind="tested_on", upstream=holdout, downstream=model_version)
    return holdout


def satisfy_required_checks(model_version, tier: str, admin) -> None:
    """Make the tier's required checks hold for this version: a passing run of each, at the
    policy's strength on the version's own test data (what counts as evidence)."""
    policy = Policy.objects.get(tier=tier)
    kinds = policy.checks_for(model_version.model.task)[0]
    data = evaluation_data(model_version, model_version.created_by) if kinds else None
    for kind in kinds:
        baseline = policy_baseline(kind, policy)
        columns = list(data.columns.order_by("position"))
        CheckRun.objects.create(
            model_version=model_version,
            kind=kind,
            dataset_version=data,
            column_roles={c.name: c.role for c in columns},
            sensitive_columns=required_sensitive(
                kind=kind,
                policy=policy,
                columns=[c.name for c in columns],
                flagged=[c.name for c in columns if c.is_sensitive],
            ),
            thresholds=baseline.thresholds,
            parameters=baseline.parameters,
            thresholds_source=baseline.source,
            status="succeeded",
            passed=True,
            result_sha256="0" * 64,
            finished_at=timezone.now(),
            counts_as_evidence=True,
            evidence_relation="tested_on",
        )


def resolve_pii(model_version, actor) -> list[PIIFlag]:
    """Dismiss every suspected flag upstream (the reviewers looked and found no personal
    data in them); returns the flags dismissed."""

    flags = [
        f for f in upstream_pii(model_version=model_version) if f.status == PIIStatus.SUSPECTED
    ]
    for flag in flags:
        pii_flag_decide(actor=actor, flag=flag, status=PIIStatus.DISMISSED, comment="checked")
    return flags


@pytest.fixture
def pii_flag(model_version, dataset_version):
    """A suspected flag on the training data's ``sex`` column, raised by a reviewer: German
    Credit has no direct identifiers, so the scanner itself flags nothing."""
    column = dataset_version.columns.get(name="sex")
    return PIIFlag.objects.create(
        column=column, category="sex", detector="reviewer", confidence=0.9
    )


@pytest.fixture
def high_risk_version(admin_user, officer, scientist, owner, system, model_version, pii_flag):
    """A high-risk credit-scoring version whose evidence is complete, ready to submit."""
    classify(system, CREDIT_SCORING, officer)
    satisfy_required_checks(model_version, "high_risk", admin_user)
    system_update(
        actor=scientist,
        system=system,
        human_oversight="A credit officer reviews every declined application.",
        post_market_plan="Monthly drift and fairness runs on production decisions.",
    )
    resolve_pii(model_version, officer)
    responsibility_assign(actor=admin_user, user=owner, role=Raci.ACCOUNTABLE, target=system)
    return model_version
