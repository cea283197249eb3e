"""Policy thresholds edited as one field per metric: what the form shows, what it saves, that
saving the form untouched changes nothing, and that the API refuses the same bad values."""

from __future__ import annotations

import pytest
from django.test import Client

from governance.kernel.audit.models import AuditEvent
from governance.policy.policies.forms import PolicyForm
from governance.policy.policies.models import Policy

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(policy: Policy, **override) -> dict:
    """What the browser posts when the form is saved as shown."""
    data = {}
    for name, value in PolicyForm.initial_from(policy).items():
        if value is True:
            data[name] = "on"
        elif value is False or value is None:
            continue
        else:
            data[name] = value
    data.update(override)
    return data


def test_the_form_shows_one_field_per_metric_with_the_policys_values(admin_user):
    html = as_user(admin_user).get("/policies/high_risk/").content.decode()
    # Seeded as demographic_parity_difference_max / disparate_impact_ratio_min.
    assert 'name="t__fairness__demographic_parity_difference"' in html
    assert 'name="t__fairness__demographic_parity_difference" value="0.1"' in html
    assert 'name="t__fairness__disparate_impact_ratio" value="0.8"' in html
    assert "disparate impact ratio (at least)" in html
    assert 'name="t__drift__psi"' in html and 'placeholder="default 0.2"' in html
    assert 'placeholder="derived"' in html  # explainability additivity tolerance
    assert "<textarea" in html and 'name="thresholds"' not in html  # no raw JSON any more


def test_saving_the_form_untouched_changes_nothing(admin_user):
    client = as_user(admin_user)
    for policy in Policy.objects.all():
        response = client.post(f"/policies/{policy.tier}/", form_data(policy))
        assert response.status_code == 302, (policy.tier, response.content[:2000])
        after = Policy.objects.get(pk=policy.pk)
        assert after.version == policy.version and after.thresholds == policy.thresholds
    assert not AuditEvent.objects.filter(action="policy.updated").exists()


def test_a_metric_is_saved_under_the_policys_spelling_and_none_means_not_gated(admin_user):
    policy = Policy.objects.get(tier="high_risk")
    response = as_user(admin_user).post(
        "/policies/high_risk/",
        form_data(
            policy,
            t__fairness__demographic_parity_difference="0.05",
            t__fairness__equalized_odds_difference="none",
            t__drift__psi="0.15",
            t__fairness__min_group_size="40",
            performance_limits="min_accuracy = 0.75\nmax_log_loss = 0,6",
        ),
    )
    assert response.status_code == 302
    policy.refresh_from_db()
    fairness = policy.thresholds["fairness"]
    assert fairness["demographic_parity_difference_max"] == 0.05
    assert "demographic_parity_difference" not in fairness
    assert fairness["equalized_odds_difference_max"] is None
    assert fairness["min_group_size"] == 40
    assert policy.thresholds["drift"] == {"psi": 0.15}
    assert policy.thresholds["performance"] == {"min_accuracy": 0.75, "max_log_loss": 0.6}
    event = AuditEvent.objects.get(action="policy.updated")
    assert set(event.payload["changes"]) == {"thresholds"}
    # The form shows them back.
    html = as_user(admin_user).get("/policies/high_risk/").content.decode()
    assert 'name="t__fairness__equalized_odds_difference" value="none"' in html
    assert "min_accuracy = 0.75" in html


def test_emptying_a_field_falls_back_to_the_checks_default(admin_user):
    policy = Policy.objects.get(tier="high_risk")
    as_user(admin_user).post(
        "/policies/high_risk/", form_data(policy, t__fairness__disparate_impact_ratio="")
    )
    policy.refresh_from_db()
    assert "disparate_impact_ratio_min" not in policy.thresholds["fairness"]


@pytest.mark.parametrize(
    "thresholds, message",
    [
        ({"fairness": {"demographic_parity_difference_max": "low"}}, "must be a number"),
        ({"drift": {"psi": -0.5}}, "must be a number of at least 0"),
        ({"drift": {"psi": True}}, "must be a number"),
        ({"fairness": [1, 2]}, "dictionary"),
    ],
)
def test_the_api_refuses_the_same_bad_values(admin_user, api, thresholds, message):
    pk = Policy.objects.get(tier="high_risk").pk
    response = api(admin_user).patch(
        f"/api/v1/policies/{pk}/", {"thresholds": thresholds}, format="json"
    )
    assert response.status_code == 400, response.content
    assert message in response.content.decode()
    assert Policy.objects.get(tier="high_risk").version == 2  # as migration 0016 left it


@pytest.mark.parametrize("who", ["compliance_officer", "data_scientist", "auditor", "outsider"])
def test_only_admins_edit_thresholds(users, who):
    policy = Policy.objects.get(tier="high_risk")
    response = as_user(users[who]).post(
        "/policies/high_risk/", form_data(policy, t__drift__psi="0.5")
    )
    assert response.status_code == 403
    assert Policy.objects.get(tier="high_risk").version == 2  # as migration 0016 left it
