"""The kept governance state of each version always equals a fresh evaluation: over random
sequences of recorded evidence changes (checks finishing, PII decisions, classification,
lineage, documentation, responsibilities, policy edits, submissions and decisions), after every
step, every state still marked current is compared with an evaluation made from scratch."""

from __future__ import annotations

import contextlib
import random

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

from audits.checks.common import CheckOutcome
from audits.runs.models.checks import CheckRun
from audits.runs.services.checks import check_run_complete
from governance.kernel.audit.models import AuditEvent
from governance.kernel.errors import ServiceError
from governance.policy.policies.models import Policy
from governance.policy.policies.services import policy_update
from governance.policy.raci.models import Raci, Responsibility
from governance.policy.raci.services import responsibility_assign, responsibility_end
from governance.review.approvals.services import model_version_submit, review_decide
from governance.review.state import receivers
from governance.review.state.models import GovernanceState
from governance.review.state.services import (
    current_states,
    state_derive,
    state_read,
    states_check,
)
from registry.models import ModelVersion, PIIFlag
from registry.services.datasets import pii_flag_decide
from registry.services.systems import system_update
from registry.services.versions import model_version_register
from tests.factories import PASSWORD
from tests.governance.conftest import CREDIT_SCORING, classify, evaluation_data
from tests.registry.conftest import upload

pytestmark = pytest.mark.django_db


def _finish_check(mv, passed: bool) -> None:
    """A required check of the tier runs on the version's test data and finishes (through
    the service a worker calls, which records ``check_run.finished``)."""
    policy = Policy.objects.get(tier="high_risk")
    kind = random.choice(sorted(policy.required_checks))
    data = evaluation_data(mv, mv.created_by)
    run = CheckRun.objects.create(
        model_version=mv,
        kind=kind,
        dataset_version=data,
        column_roles={c.name: c.role for c in data.columns.all()},
        thresholds=(policy.thresholds or {}).get(kind, {}),
        status="running",
        counts_as_evidence=True,
        evidence_relation="tested_on",
    )
    check_run_complete(
        run, CheckOutcome(kind=kind, passed=passed, result={"at": timezone.now().isoformat()})
    )


def _actions(s):
    return {
        "classify": lambda: classify(s["system"], CREDIT_SCORING, s["officer"]),
        "document": lambda: system_update(
            actor=s["scientist"],
            system=s["system"],
            human_oversight=random.choice(["", f"A person reviews ({random.random():.3f})."]),
        ),
        "assign_owner": lambda: responsibility_assign(
            actor=s["admin"], user=s["owner"], role=Raci.ACCOUNTABLE, target=s["system"]
        ),
        "end_owner": lambda: [
            responsibility_end(actor=s["admin"], responsibility=r)
            for r in Responsibility.objects.active().filter(user=s["owner"])
        ],
        "pii_dismiss": lambda: [
            pii_flag_decide(actor=s["officer"], flag=f, status="dismissed", comment="checked")
            for f in PIIFlag.objects.filter(status="suspected")
        ],
        "pii_confirm": lambda: [
            pii_flag_decide(actor=s["officer"], flag=f, status="confirmed", comment="real")
            for f in PIIFlag.objects.all()
        ],
        "policy": lambda: policy_update(
            actor=s["admin"],
            policy=Policy.objects.get(tier="high_risk"),
            approvals_required=random.choice([1, 2]),
        ),
        "check_passes": lambda: _finish_check(random.choice(s["versions"]), True),
        "check_fails": lambda: _finish_check(random.choice(s["versions"]), False),
        "test_data": lambda: evaluation_data(random.choice(s["versions"]), s["scientist"]),
        "submit": lambda: model_version_submit(
            actor=s["scientist"], model_version=random.choice(s["versions"])
        ),
        "approve_officer": lambda: review_decide(
            actor=s["officer"],
            model_version=random.choice(s["versions"]),
            decision="approve",
            comment="ok",
            password=PASSWORD,
        ),
        "approve_owner": lambda: review_decide(
            actor=s["owner"],
            model_version=random.choice(s["versions"]),
            decision="approve",
            comment="ok",
            password=PASSWORD,
        ),
        "reject": lambda: review_decide(
            actor=s["officer"],
            model_version=random.choice(s["versions"]),
            decision="reject",
            comment="no",
        ),
    }


@pytest.fixture
def versions(scientist, model, model_version, xgb_json_bytes, pii_flag):
    second = model_version_register(
        actor=scientist, model=model, version="2.0.0", artefact=upload("m.json", xgb_json_bytes)
    )
    return [model_version, second]


def _read_all(versions) -> None:
    for mv in versions:
        state_read(model_version=ModelVersion.objects.get(pk=mv.pk))


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_the_kept_state_always_equals_a_fresh_evaluation(
    seed, admin_user, officer, scientist, owner, system, versions
):
    random.seed(seed)
    s = {
        "system": system,
        "officer": officer,
        "scientist": scientist,
        "owner": owner,
        "admin": admin_user,
        "versions": versions,
    }
    actions = _actions(s)
    kept_after_change = 0
    for _ in range(14):
        _read_all(versions)
        assert len(current_states([mv.pk for mv in versions])) == len(versions)
        name = random.choice(sorted(actions))
        # Refused in this state (nothing changed): the states must stay right too.
        with contextlib.suppress(ServiceError):
            actions[name]()
        compared, differing = states_check()
        assert differing == [], f"after {name}: states of {differing} differ from a fresh one"
        kept_after_change += compared
    # What is compared is the kept state (not just what each change ended).
    assert kept_after_change > 0
    call_command("check_governance_state", "--quiet")


def test_without_the_receiver_a_change_goes_unseen(officer, system, versions):
    """The property above can fail: with the receiver disconnected, a classification leaves
    the kept states as they were, and the comparison names both versions."""
    _read_all(versions)
    post_save.disconnect(sender=AuditEvent, dispatch_uid="governance.state_invalidate")
    try:
        classify(system, CREDIT_SCORING, officer)
    finally:
        receivers.connect()
    assert states_check()[1] == sorted(mv.pk for mv in versions)


def test_the_clock_alone_ends_a_state(officer, versions, monkeypatch):
    mv = versions[0]
    state = state_read(model_version=mv)
    later = timezone.now() + timezone.timedelta(days=1)
    GovernanceState.objects.filter(pk=mv.pk).update(valid_until=later)
    assert mv.pk in current_states([mv.pk])
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert mv.pk not in current_states([mv.pk])
    assert state.body["tier"] == state_derive(mv).body["tier"]


def test_a_change_committed_while_a_state_is_computed_is_not_lost(officer, system, versions):
    """The state is stored with the trail position read before it was computed; a change
    recorded after that position ends it even if it was stored later."""
    mv = versions[0]
    with transaction.atomic():
        classify(system, CREDIT_SCORING, officer)
        # As if a reader had read the position before this change and stored its state now.
        GovernanceState.objects.filter(pk=mv.pk).update(position=0)
    assert mv.pk not in current_states([mv.pk])
    assert state_read(model_version=mv).body["tier"] == "high_risk"


def test_the_command_reports_a_state_changed_behind_the_services_back(officer, versions, capsys):
    _read_all(versions)
    call_command("check_governance_state", "--quiet")
    GovernanceState.objects.filter(pk=versions[0].pk).update(body={"tier": "minimal"})
    with pytest.raises(SystemExit) as exit_:
        call_command("check_governance_state")
    assert exit_.value.code == 1
    assert f"model version {versions[0].pk}" in capsys.readouterr().out


def test_rebuild_keeps_a_state_for_every_version(versions, capsys):
    GovernanceState.objects.all().delete()
    call_command("check_governance_state", "--rebuild")
    assert len(current_states([mv.pk for mv in versions])) == len(versions)
    assert "0 differ" in capsys.readouterr().out


# Token, the reader's teams, the version (with the visibility check), the trail position (the
# read cache), the lineage walk up and down, the kept state. A version with upstream lineage
# adds its edges and their PII flags.
DETAIL_QUERIES = 7


def test_a_detail_read_runs_a_small_constant_number_of_queries(
    api, scientist, versions, django_assert_max_num_queries
):
    client = api(scientist)
    mv = versions[1]
    # The first read after a change evaluates and keeps the state.
    assert client.get(f"/api/v1/model-versions/{mv.pk}/").status_code == 200
    # Nothing kept in the read cache: what is measured is a cold read of a kept state.
    cache.clear()
    with django_assert_max_num_queries(DETAIL_QUERIES):
        body = client.get(f"/api/v1/model-versions/{mv.pk}/").json()
    assert body["governance"]["tier"] == state_derive(mv).body["tier"]
    assert "can_decide" in body["governance"]
