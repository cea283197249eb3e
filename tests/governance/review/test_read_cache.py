"""A version's detail is kept per user until the audit trail moves: over random sequences of
recorded changes, the kept body always equals a fresh computation; the clock alone (an
approval expiring) ends an entry; ETags give 304; nobody reads another user's entry."""

from __future__ import annotations

import contextlib
import random
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from governance.kernel import readcache
from governance.kernel.accounts.services import user_update
from governance.kernel.errors import ServiceError
from governance.policy.policies.models import Policy
from governance.policy.policies.services import policy_update
from governance.policy.raci.models import Raci, Responsibility
from governance.policy.raci.services import responsibility_assign, responsibility_end
from governance.review.approvals.models import Review
from governance.review.approvals.services import model_version_submit, review_decide
from governance.review.state.models import GovernanceState
from registry.models import PIIFlag
from registry.services.datasets import pii_flag_decide
from registry.services.systems import system_update
from registry.services.versions import model_version_register, model_version_update
from tests.factories import PASSWORD
from tests.governance.conftest import CREDIT_SCORING, classify
from tests.registry.conftest import upload

pytestmark = pytest.mark.django_db


def _detail(client, mv, **headers):
    return client.get(f"/api/v1/model-versions/{mv.pk}/", **headers)


def _fresh(client, mv, settings):
    settings.READ_CACHE_SECONDS = 0
    try:
        return _detail(client, mv).json()
    finally:
        settings.READ_CACHE_SECONDS = 300


def _actions(ctx):
    s = ctx
    return {
        "classify": lambda: classify(s["system"], CREDIT_SCORING, s["officer"]),
        "document": lambda: system_update(
            actor=s["scientist"],
            system=s["system"],
            human_oversight=f"Reviewed by a person ({random.random():.3f}).",
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
        "submit": lambda: model_version_submit(actor=s["scientist"], model_version=s["mv"]),
        "approve_officer": lambda: review_decide(
            actor=s["officer"],
            model_version=s["mv"],
            decision="approve",
            comment="ok",
            password=PASSWORD,
        ),
        "approve_owner": lambda: review_decide(
            actor=s["owner"],
            model_version=s["mv"],
            decision="approve",
            comment="ok",
            password=PASSWORD,
        ),
        "reject": lambda: review_decide(
            actor=s["officer"], model_version=s["mv"], decision="reject", comment="no"
        ),
    }


@pytest.fixture
def recorded_changes(admin_user, officer, scientist, owner, system, model_version):
    """The changes the property tests draw from, by name."""
    return _actions(
        {
            "system": system,
            "officer": officer,
            "scientist": scientist,
            "owner": owner,
            "admin": admin_user,
            "mv": model_version,
        }
    )


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_kept_detail_always_equals_a_fresh_one(
    seed, settings, api, officer, scientist, owner, model_version, pii_flag, recorded_changes
):
    rng = random.Random(seed)
    actions = dict(recorded_changes)
    readers = [api(officer), api(scientist), api(owner)]
    for _ in range(12):
        for client in readers:
            kept = _detail(client, model_version)
            assert kept.status_code == 200
            assert kept.json() == _fresh(client, model_version, settings)
        name = rng.choice(sorted(actions))
        # Refused in this state: nothing changed, and the entry must stay right too.
        with contextlib.suppress(ServiceError):
            actions[name]()
    call_command("check_read_cache", "--quiet")


def test_an_expiring_approval_ends_the_entry(
    settings, api, admin_user, officer, owner, high_risk_version, monkeypatch
):
    model_version_submit(actor=high_risk_version.created_by, model_version=high_risk_version)
    for person in (officer, owner):
        review_decide(
            actor=person,
            model_version=high_risk_version,
            decision="approve",
            comment="ok",
            password=PASSWORD,
        )
    client = api(officer)
    body = _detail(client, high_risk_version).json()
    assert body["governance"]["gate"]["allowed"] is True
    review = Review.objects.get(model_version=high_risk_version, status="approved")
    # The approval runs out in an hour; nothing is written when it does.
    expires = timezone.now() + timedelta(hours=1)
    Review.objects.filter(pk=review.pk).update(expires_at=expires)
    # That update wrote no audit event: forget what was kept, as a recorded change would.
    cache.clear()
    GovernanceState.objects.all().delete()
    assert _detail(client, high_risk_version).json()["governance"]["valid_until"]
    later = expires + timedelta(seconds=1)
    monkeypatch.setattr(readcache.timezone, "now", lambda: later)
    monkeypatch.setattr("governance.review.evaluation.timezone.now", lambda: later)
    monkeypatch.setattr("governance.review.approvals.models.timezone.now", lambda: later)
    after = _detail(client, high_risk_version).json()
    assert after["governance"]["gate"]["allowed"] is False
    assert "approval_expired" in {r["code"] for r in after["governance"]["gate"]["reasons"]}


def test_etag_gives_304_until_something_changes(api, scientist, system, model_version):
    client = api(scientist)
    first = _detail(client, model_version)
    etag = first["ETag"]
    assert first["Cache-Control"] == "private, no-cache"
    assert "Authorization" in first["Vary"] and "Cookie" in first["Vary"]
    again = _detail(client, model_version, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    # A recorded change that leaves the body as it was keeps the ETag (it names content).
    system_update(actor=scientist, system=system, human_oversight="A person reviews each case.")
    assert _detail(client, model_version, HTTP_IF_NONE_MATCH=etag).status_code == 304
    model_version_update(actor=scientist, model_version=model_version, description="Retrained.")
    changed = _detail(client, model_version, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_an_entry_is_never_served_to_someone_who_may_not_see_the_version(
    api, scientist, users, model_version
):
    assert _detail(api(scientist), model_version).status_code == 200
    outsider = api(users["outsider"])
    assert _detail(outsider, model_version).status_code == 404
    etag = _detail(api(scientist), model_version)["ETag"]
    assert _detail(outsider, model_version, HTTP_IF_NONE_MATCH=etag).status_code == 404


def test_the_check_command_finds_a_change_made_behind_the_services_back(
    api, officer, system, model_version, capsys
):
    _detail(api(officer), model_version)
    call_command("check_read_cache", "--quiet")
    # A change that writes no audit event (which the services never do) is what it reports.
    type(system).objects.filter(pk=system.pk).update(name="Renamed quietly")
    model_version.model.__class__.objects.filter(pk=model_version.model_id).update(
        name="renamed-quietly"
    )
    with pytest.raises(SystemExit) as exit_:
        call_command("check_read_cache")
    assert exit_.value.code == 1
    assert f"model-version {model_version.pk}" in capsys.readouterr().out


def _list_urls(mv):
    return [
        f"/api/v1/models/{mv.model_id}/versions/?limit=2",
        "/api/v1/model-versions/?limit=25&status=draft",
        f"/api/v1/model-versions/?limit=25&search={mv.model.name}",
    ]


def _fresh_list(client, url, settings):
    settings.READ_CACHE_SECONDS = 0
    try:
        return client.get(url).json()
    finally:
        settings.READ_CACHE_SECONDS = 300


@pytest.mark.parametrize("seed", [5])
def test_a_kept_list_page_always_equals_a_fresh_one(
    seed,
    settings,
    api,
    admin_user,
    officer,
    scientist,
    owner,
    users,
    team,
    system,
    model_version,
    pii_flag,
    xgb_json_bytes,
    recorded_changes,
):
    """List pages are kept like details (per user, per URL, until the trail moves): after each
    recorded change, registrations, edits and team membership included, each reader's kept page
    equals a fresh one; refused readers are refused whatever is kept."""
    rng = random.Random(seed)
    actions = dict(recorded_changes)
    counter = iter(range(1000))
    outsider = users["outsider"]
    actions["register"] = lambda: model_version_register(
        actor=scientist,
        model=model_version.model,
        version=f"9.{next(counter)}",
        artefact=upload("model.json", xgb_json_bytes),
        lineage=[],
    )
    actions["describe"] = lambda: model_version_update(
        actor=scientist, model_version=model_version, description=f"v{rng.random():.4f}"
    )
    own_team = outsider.teams.first()
    actions["outsider_joins"] = lambda: user_update(
        actor=admin_user, user=outsider, teams=[own_team, team]
    )
    actions["outsider_leaves"] = lambda: user_update(
        actor=admin_user, user=outsider, teams=[own_team]
    )
    readers = [api(officer), api(scientist), api(outsider)]
    seen_changes, previous = 0, None
    for _ in range(10):
        pages = {}
        for n, client in enumerate(readers):
            for url in _list_urls(model_version):
                kept = client.get(url)
                fresh = _fresh_list(client, url, settings)
                assert kept.status_code in (200, 404), (url, kept.status_code)
                pages[n, url] = kept.status_code, kept.content
                if kept.status_code == 200:
                    assert kept.json() == fresh, url
                    again = client.get(url, HTTP_IF_NONE_MATCH=kept["ETag"])
                    assert again.status_code == 304
        seen_changes += int(previous is not None and pages != previous)
        previous = pages
        name = rng.choice(sorted(actions))
        with contextlib.suppress(ServiceError):
            actions[name]()
    assert seen_changes, "no action changed what a list shows: the test proves nothing"
