"""What a check is judged against: thresholds and parameters, fixed before it runs.

Precedence, lowest first: the check module's defaults (AI_ACT.md section 2), the Policy of the
system's current tier, then what the requester declares. The merged values are stored on the
CheckRun at creation (AI Act Art. 9(8): thresholds are declared before testing), and the
worker uses exactly those.

The requester may only tighten: a threshold looser than the policy's (the direction of each
is in ``audits.checks.vocabulary``), a pinned parameter changed, or a switch turned off is
refused, because such a run would be judged more leniently than the organisation decided.
The one way to run with looser rules is to say so (``exploratory``): the run is stored and
shown, and never counts as evidence.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from audits.checks.vocabulary import (
    ADD_ONLY,
    AT_LEAST_TRUE,
    CHECK_KIND_CHOICES,
    PARAMETER_DEFAULTS,
    PINNED,
    default_thresholds,
    looser,
    parameter_rule,
)
from governance.kernel.errors import ServiceError, vocabulary_term
from governance.policy.classification.models import RiskClassification
from governance.policy.policies.models import Policy

logger = logging.getLogger(__name__)

PERFORMANCE_METRICS = (
    "accuracy",
    "balanced_accuracy",
    "precision",
    "recall",
    "f1",
    "roc_auc",
    "log_loss",
    "brier",
    "mae",
    "rmse",
    "r2",
)

OPERATIONAL_DEFAULTS: dict[str, float | None] = default_thresholds("operational")


def check_kind_term(kind: str) -> str:
    """A check kind as a refusal names it: ``fairness`` in English, its label on a page."""
    return vocabulary_term(kind, dict(CHECK_KIND_CHOICES).get(kind, kind))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _known_threshold(kind: str, key: str, defaults: Mapping[str, Any]) -> bool:
    if key in defaults:
        return True
    if kind == "performance" and key.startswith(("min_", "max_")):
        return key[4:] in PERFORMANCE_METRICS
    return False


def _policy_key(kind: str, key: str, defaults: Mapping[str, Any]) -> str | None:
    """Policy rows spell limits with a direction suffix (``..._difference_max``)."""
    if _known_threshold(kind, key, defaults):
        return key
    for suffix in ("_max", "_min"):
        if key.endswith(suffix) and _known_threshold(kind, key[: -len(suffix)], defaults):
            return key[: -len(suffix)]
    return None


def validate_thresholds(kind: str, values: Any, defaults: Mapping[str, Any]) -> dict[str, Any]:
    if values in (None, {}):
        return {}
    if not isinstance(values, dict):
        raise ServiceError("invalid_thresholds", _("thresholds must be an object of numbers."))
    unknown = sorted(k for k in values if not _known_threshold(kind, k, defaults))
    if unknown:
        known = sorted(defaults) + (
            ["min_<metric>", "max_<metric>"] if kind == "performance" else []
        )
        raise ServiceError(
            "unknown_threshold",
            _("Unknown threshold(s) for a %(kind)s check: %(unknown)s; known: %(known)s.")
            % {"kind": check_kind_term(kind), "unknown": unknown, "known": known},
        )
    bad = sorted(k for k, v in values.items() if v is not None and not _is_number(v))
    if bad:
        raise ServiceError(
            "invalid_thresholds", _("Thresholds must be numbers: %(names)s.") % {"names": bad}
        )
    return dict(values)


def sleep_allowed() -> bool:
    """The test-only ``sleep_seconds`` parameter (to kill a worker mid-run) never in production."""
    return bool(settings.DEBUG) or os.environ.get("AUDITS_ALLOW_TEST_SLEEP") == "1"


def _int(low: int, high: int | None = None) -> Callable[[Any], bool]:
    return lambda v: (
        isinstance(v, int) and not isinstance(v, bool) and v >= low and (high is None or v <= high)
    )


def _bins(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(edges, list) and all(_is_number(e) for e in edges) for edges in value.values()
    )


def _str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


# Each parameter's test and what it expects (a phrase a refusal quotes, translated there).
PARAMETERS: dict[str, dict[str, tuple[Callable[[Any], bool], str]]] = {
    "fairness": {
        "min_group_size": (_int(1), gettext_noop("a positive integer")),
        "bins": (_bins, gettext_noop("an object: column -> list of interior edges")),
        "pos_label": (_scalar, gettext_noop("a label value")),
        "intersections": (lambda v: isinstance(v, bool), gettext_noop("true or false")),
    },
    "explainability": {
        "seed": (_int(0, 2**32 - 1), gettext_noop("an integer in [0, 2^32)")),
        "max_rows": (_int(1, 100_000), gettext_noop("an integer in [1, 100000]")),
        "background_size": (_int(1, 1000), gettext_noop("an integer in [1, 1000]")),
        "top_k": (_int(1, 100), gettext_noop("an integer in [1, 100]")),
        "proxy_columns": (_str_list, gettext_noop("a list of column names")),
        "bins": (_bins, gettext_noop("an object: column -> list of interior edges")),
        "agnostic_explainer": (
            lambda v: v in ("permutation", "kernel"),
            gettext_noop("permutation or kernel"),
        ),
        "agnostic_max_rows": (_int(1, 5000), gettext_noop("an integer in [1, 5000]")),
        "agnostic_max_evals": (_int(1), gettext_noop("a positive integer")),
    },
    "data_quality": {"bins": (_bins, gettext_noop("an object: column -> list of interior edges"))},
    "performance": {"pos_label": (_scalar, gettext_noop("a label value"))},
    "drift": {
        "bins": (_int(2, 100), gettext_noop("an integer in [2, 100]")),
        "features": (_str_list, gettext_noop("a list of column names")),
    },
    "generative": {
        "support_overlap": (
            lambda v: _is_number(v) and 0 < v <= 1,
            gettext_noop("a number in (0, 1]"),
        ),
    },
}


def validate_parameters(kind: str, values: Any) -> dict[str, Any]:
    if values in (None, {}):
        return {}
    if not isinstance(values, dict):
        raise ServiceError("invalid_parameters", _("parameters must be an object."))
    allowed = dict(PARAMETERS.get(kind, {}))
    if sleep_allowed():
        allowed["sleep_seconds"] = (
            lambda v: _is_number(v) and 0 <= v <= 120,
            gettext_noop("seconds in [0, 120] (test installations only)"),
        )
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ServiceError(
            "unknown_parameter",
            _("Unknown parameter(s) for a %(kind)s check: %(unknown)s; known: %(known)s.")
            % {"kind": check_kind_term(kind), "unknown": unknown, "known": sorted(allowed)},
        )
    for name, value in values.items():
        accepts, expected = allowed[name]
        if not accepts(value):
            raise ServiceError(
                "invalid_parameter",
                _("Parameter %(name)s must be %(expected)s.")
                % {"name": repr(name), "expected": _(expected)},
            )
    return dict(values)


def policy_for(model_version) -> Any:
    """The Policy of the version's system's current tier, or None when unclassified."""

    latest = (
        RiskClassification.objects.filter(system_id=model_version.model.system_id)
        .order_by("-created_at", "-id")
        .values_list("tier", flat=True)
        .first()
    )
    if latest is None:
        return None
    return Policy.objects.filter(tier=latest).first()


@dataclass(frozen=True)
class Rules:
    """What a new run is judged against, and how it differs from the policy."""

    parameters: dict[str, Any]
    thresholds: dict[str, Any]
    source: str
    #: Each way the run is looser than the policy (only an exploratory run has any).
    loosened: tuple[str, ...] = ()


def _shown(value: Any) -> str:
    return "not set" if value is None else repr(value)


def _loosened_thresholds(
    kind: str, baseline: Mapping[str, Any], declared: Mapping[str, Any], source: str
) -> list[tuple[str, str, Any, Any]]:
    """(metric, message, policy value, requested value) for each declared limit looser
    than the policy's."""
    found = []
    for key, value in sorted(declared.items()):
        if looser(kind, key, baseline.get(key), value):
            found.append(
                (
                    key,
                    f"{key} {_shown(value)} is looser than {source}'s {_shown(baseline.get(key))}",
                    baseline.get(key),
                    value,
                )
            )
    return found


def _loosened_parameters(
    kind: str, baseline: Mapping[str, Any], effective: Mapping[str, Any], source: str
) -> list[tuple[str, str, Any, Any]]:
    """The same for parameters; ``baseline`` and ``effective`` give each parameter's value
    with the check's default filled in where neither the policy nor the run sets it."""
    found = []
    for name in sorted(set(baseline) | set(effective)):
        rule = parameter_rule(kind, name)
        base, value = baseline.get(name), effective.get(name)
        if rule == PINNED and value != base:
            why = f"{name} {_shown(value)} differs from {source}'s {_shown(base)}"
        elif rule == AT_LEAST_TRUE and base is not False and value is False:
            why = f"{name} false turns off what {source} judges"
        elif rule == ADD_ONLY and not set(base or []) <= set(value or []):
            missing = sorted(set(base or []) - set(value or []))
            why = f"{name} leaves out {missing} that {source} lists"
        else:
            continue
        found.append((name, why, base, value))
    return found


@dataclass(frozen=True)
class Baseline:
    """A policy's strength for one kind: thresholds (defaults under the policy's), the
    parameters it sets, and its name (``policy:high_risk:v3``, or ``defaults``)."""

    thresholds: dict[str, Any]
    parameters: dict[str, Any]
    source: str

    def effective_parameters(self, kind: str, parameters: Mapping[str, Any]) -> dict[str, Any]:
        """A run's parameters with the check's defaults where it sets none."""
        return {**PARAMETER_DEFAULTS.get(kind, {}), **parameters}

    def loosened(
        self, kind: str, *, thresholds: Mapping[str, Any], parameters: Mapping[str, Any]
    ) -> list[tuple[str, str, Any, Any]]:
        """(name, why, policy value, run value) for each way a run's rules are looser."""
        # A limit the policy sets and the run lacks is "not gated": looser.
        declared = {k: thresholds.get(k) for k in set(self.thresholds) | set(thresholds)}
        problems = _loosened_thresholds(kind, self.thresholds, declared, self.source)
        base = self.effective_parameters(kind, self.parameters)
        return problems + _loosened_parameters(
            kind, base, self.effective_parameters(kind, parameters), self.source
        )


def policy_baseline(kind: str, policy) -> Baseline:
    defaults = default_thresholds(kind)
    limits = dict(defaults)
    params: dict[str, Any] = {}
    source = f"policy:{policy.tier}:v{policy.version}" if policy is not None else "defaults"
    for key, value in (((policy.thresholds or {}).get(kind) or {}) if policy else {}).items():
        target = _policy_key(kind, key, defaults)
        if target is not None:
            limits[target] = value
        elif key in PARAMETERS.get(kind, {}):
            # e.g. min_group_size: the policy decides group sizes.
            params[key] = value
        else:
            logger.warning("policy %s: ignoring unknown %s threshold %r", source, kind, key)
    return Baseline(limits, params, source)


def resolve_rules(
    *, kind: str, model_version, parameters: Any, thresholds: Any, exploratory: bool = False
) -> Rules:
    """The parameters and thresholds of a new run, where they came from, and (exploratory
    runs only) how they are looser than the policy; a looser non-exploratory request is
    refused with the metric, the policy's value and the requested one."""
    declared_params = validate_parameters(kind, parameters)
    declared = validate_thresholds(kind, thresholds, default_thresholds(kind))
    baseline = policy_baseline(kind, policy_for(model_version))
    merged = {**baseline.thresholds, **declared}
    params = {**baseline.parameters, **declared_params}
    problems = baseline.loosened(kind, thresholds=merged, parameters=params)
    if problems and not exploratory:
        name, _why, policy_value, requested = problems[0]
        raise ServiceError(
            "looser_than_policy",
            _(
                "A run may be stricter than the policy, never looser: %(reasons)s. Ask for an "
                'exploratory run ("exploratory": true) to try looser rules; it never counts as '
                "evidence."
            )
            % {"reasons": "; ".join(why for _, why, _, _ in problems)},
            metric=name,
            policy_value=policy_value,
            requested_value=requested,
            loosened=[
                {"name": n, "policy_value": base, "requested_value": value}
                for n, _, base, value in problems
            ],
        )
    source = baseline.source + ("+request" if declared else "")
    return Rules(params, merged, source, tuple(why for _, why, _, _ in problems))
