"""Forms of the governance pages. They only parse and validate input; the services decide."""

from __future__ import annotations

import math

from django import forms
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from audits.checks.vocabulary import (
    CHECK_KIND_CHOICES,
    DEFAULT_THRESHOLDS,
    DERIVED_WHEN_NONE,
    EVIDENCE_RELATION_CHOICES,
    MODEL_TASKS,
    PARAMETER_DEFAULTS,
    REQUIRABLE_CHECK_KINDS,
    check_applies,
    threshold_direction,
)
from governance.kernel.accounts.models import Role
from governance.kernel.web import Form
from governance.policy.policies.models import ACCOUNTABLE_OWNER
from registry.models import DOCUMENTATION_FIELDS, ModelTask

NOT_GATED = "none"
# Labels of vocabularies this form shows (model tasks, lineage relations), as message ids.
TASK_LABELS = (
    gettext_noop("Binary classification"),
    gettext_noop("Multiclass classification"),
    gettext_noop("Regression"),
    gettext_noop("Generative (LLM application)"),
    gettext_noop("Other"),
)
RELATION_LABELS = {
    "tested_on": gettext_noop("tested on"),
    "validated_on": gettext_noop("validated on"),
    "trained_on": gettext_noop("trained on"),
}
# The approver capacities a policy may ask for, as the pages name them.
APPROVER_LABELS = {
    Role.COMPLIANCE_OFFICER.value: gettext_noop("Compliance officer"),
    ACCOUNTABLE_OWNER: gettext_noop("Accountable owner (RACI A)"),
}
# Policy rows may spell a limit with its direction (``..._difference_max``); the form shows
# one field per metric and writes back the spelling the policy already used.
SUFFIXES = ("", "_max", "_min")


def threshold_metrics() -> list[tuple[str, str, object]]:
    """(kind, metric, the check's default) for every limit the form offers, in page order:
    each requirable kind's thresholds, and the fairness parameters a policy pins."""
    rows = []
    for kind in REQUIRABLE_CHECK_KINDS:
        for metric, default in DEFAULT_THRESHOLDS.get(kind, {}).items():
            rows.append((kind, metric, default))
        for name, default in PARAMETER_DEFAULTS.get(kind, {}).items():
            if isinstance(default, (int, float)) and not isinstance(default, bool):
                rows.append((kind, name, default))
    return rows


def _applies_name(kind: str) -> str:
    return f"a__{kind}"


def _field_name(kind: str, metric: str) -> str:
    return f"t__{kind}__{metric}"


def _spelling(limits: dict, metric: str) -> str | None:
    """The key under which ``limits`` holds ``metric``, if it does."""
    for suffix in SUFFIXES:
        if metric + suffix in limits:
            return metric + suffix
    return None


def _number(text: str, label: str) -> float | int | None:
    if text.lower() == NOT_GATED:
        return None
    try:
        value = float(text.replace(",", "."))
    except ValueError as exc:
        raise forms.ValidationError(
            gettext("%(label)s: enter a number, “%(none)s” for no limit, or leave it empty.")
            % {"label": label, "none": NOT_GATED}
        ) from exc
    if not math.isfinite(value) or value < 0:
        raise forms.ValidationError(
            gettext("%(label)s: enter a finite number of at least 0.") % {"label": label}
        )
    return int(value) if value.is_integer() and "." not in text else value


class PolicyForm(Form):
    submittable = forms.BooleanField(
        required=False, label=gettext_lazy("Versions of this tier may be submitted")
    )
    required_checks = forms.MultipleChoiceField(
        choices=[(k, gettext_lazy(dict(CHECK_KIND_CHOICES)[k])) for k in REQUIRABLE_CHECK_KINDS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Checks that must pass"),
    )
    performance_limits = forms.CharField(
        required=False,
        label=gettext_lazy("Other performance limits"),
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "One per line: the metric's name prefixed with min_ (at least) or max_ (at "
            "most), = and the number, e.g. min_accuracy = 0.75 or max_log_loss = 0.6."
        ),
    )
    approvals_required = forms.IntegerField(
        min_value=0, max_value=10, label=gettext_lazy("Approvals required")
    )
    approver_roles = forms.MultipleChoiceField(
        choices=[(value, gettext_lazy(label)) for value, label in APPROVER_LABELS.items()],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Capacities that must be among the approvers"),
    )
    requires_accountable_owner = forms.BooleanField(
        required=False, label=gettext_lazy("An accountable owner (RACI A) must be assigned")
    )
    pii_must_be_resolved = forms.BooleanField(
        required=False, label=gettext_lazy("Suspected PII flags upstream must be resolved")
    )
    required_documentation = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Documentation required"),
    )
    evidence_datasets = forms.MultipleChoiceField(
        choices=[
            (k, gettext_lazy(RELATION_LABELS.get(k, k.replace("_", " "))))
            for k in EVIDENCE_RELATION_CHOICES
        ],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Check runs count as evidence only on data the version was"),
        help_text=gettext_lazy(
            "Training data (trained on) makes a model look better than it is; allow it "
            "only where the tier's checks are about the data itself."
        ),
    )
    protected_attributes = forms.CharField(
        required=False,
        label=gettext_lazy("Protected attributes"),
        help_text=gettext_lazy(
            "Comma-separated column names a fairness check must always include when "
            "the data has them, e.g. sex, age."
        ),
    )
    recertify_days = forms.IntegerField(
        required=False, min_value=1, max_value=3650, label=gettext_lazy("Re-certify after (days)")
    )
    audit_interval_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=3650,
        label=gettext_lazy("Scheduled audit every (days)"),
    )

    def __init__(self, *args, policy=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["required_documentation"].choices = DOCUMENTATION_FIELDS
        self._current = dict(policy.thresholds or {}) if policy is not None else {}
        kinds = dict(CHECK_KIND_CHOICES)
        tasks = dict(ModelTask.choices)
        for kind in REQUIRABLE_CHECK_KINDS:
            self.fields[_applies_name(kind)] = forms.MultipleChoiceField(
                choices=[(t, gettext_lazy(tasks.get(t, t))) for t in MODEL_TASKS],
                required=False,
                widget=forms.CheckboxSelectMultiple,
                label=gettext_lazy("%(kind)s is required of")
                % {"kind": gettext_lazy(kinds.get(kind, kind))},
            )
        for kind, metric, default in threshold_metrics():
            if default is None:
                hint = (
                    gettext_lazy("derived")
                    if (kind, metric) in DERIVED_WHEN_NONE
                    else gettext_lazy("not gated")
                )
            else:
                hint = gettext_lazy("default %(value)s") % {"value": default}
            direction = threshold_direction(kind, metric)
            label = metric.replace("_", " ")
            if direction:
                label += " " + (
                    gettext("(at most)") if direction == "max" else gettext("(at least)")
                )
            self.fields[_field_name(kind, metric)] = forms.CharField(
                required=False,
                max_length=30,
                label=label,
                widget=forms.TextInput(
                    attrs={"inputmode": "decimal", "placeholder": hint, "autocomplete": "off"}
                ),
            )

    def threshold_groups(self) -> list[dict]:
        """The limit fields grouped by check kind, for the page's fieldsets."""
        labels = dict(CHECK_KIND_CHOICES)
        groups: dict[str, list] = {}
        for kind, metric, _ in threshold_metrics():
            groups.setdefault(kind, []).append(self[_field_name(kind, metric)])
        return [
            {"kind": kind, "label": labels.get(kind, kind), "fields": fields}
            for kind, fields in groups.items()
        ]

    def general_fields(self) -> list:
        return [
            f
            for f in self
            if not f.name.startswith(("t__", "a__")) and f.name != "performance_limits"
        ]

    def applicability_fields(self) -> list:
        """One row of model-task boxes per check kind: which versions a required kind binds."""
        return [self[_applies_name(kind)] for kind in REQUIRABLE_CHECK_KINDS]

    @classmethod
    def initial_from(cls, policy) -> dict:
        return {
            "submittable": policy.submittable,
            "required_checks": list(policy.required_checks or []),
            **{
                _applies_name(kind): [
                    t for t in MODEL_TASKS if check_applies(policy.check_applicability, kind, t)
                ]
                for kind in REQUIRABLE_CHECK_KINDS
            },
            **cls._threshold_initial(policy.thresholds or {}),
            "approvals_required": policy.approvals_required,
            "approver_roles": list(policy.approver_roles or []),
            "requires_accountable_owner": policy.requires_accountable_owner,
            "pii_must_be_resolved": policy.pii_must_be_resolved,
            "required_documentation": list(policy.required_documentation or []),
            "evidence_datasets": list(policy.evidence_datasets or []),
            "protected_attributes": ", ".join(policy.protected_attributes or []),
            "recertify_days": policy.recertify_days,
            "audit_interval_days": policy.audit_interval_days,
        }

    @staticmethod
    def _threshold_initial(thresholds: dict) -> dict:
        initial = {}
        for kind, metric, _ in threshold_metrics():
            limits = thresholds.get(kind) or {}
            key = _spelling(limits, metric)
            if key is not None:
                value = limits[key]
                initial[_field_name(kind, metric)] = NOT_GATED if value is None else str(value)
        performance = thresholds.get("performance") or {}
        shown = {m for k, m, _ in threshold_metrics() if k == "performance"}
        initial["performance_limits"] = "\n".join(
            f"{key} = {'none' if value is None else value}"
            for key, value in sorted(performance.items())
            if key not in shown and key.startswith(("min_", "max_"))
        )
        return initial

    def clean(self):
        """The policy's thresholds with this form's limits: each field replaces its metric
        (under the spelling the policy used); keys the form does not show are kept."""
        data = super().clean()
        data["check_applicability"] = {
            kind: list(data.pop(_applies_name(kind), None) or []) for kind in REQUIRABLE_CHECK_KINDS
        }
        thresholds = {k: dict(v) for k, v in self._current.items() if isinstance(v, dict)}
        errors = []
        for kind, metric, _ in threshold_metrics():
            name = _field_name(kind, metric)
            text = (data.pop(name, "") or "").strip()
            limits = thresholds.setdefault(kind, {})
            key = _spelling(limits, metric) or metric
            for suffix in SUFFIXES:
                limits.pop(metric + suffix, None)
            if not text:
                continue
            try:
                limits[key] = _number(text, f"{kind.replace('_', ' ')} {metric}")
            except forms.ValidationError as exc:
                self.add_error(name, exc)
        performance = thresholds.setdefault("performance", {})
        shown = {m for k, m, _ in threshold_metrics() if k == "performance"}
        for key in [k for k in performance if k not in shown and k.startswith(("min_", "max_"))]:
            del performance[key]
        for line in (data.pop("performance_limits", "") or "").splitlines():
            if not line.strip():
                continue
            key, sep, text = (part.strip() for part in line.partition("="))
            if not sep or not key.startswith(("min_", "max_")) or len(key) < 5:
                errors.append(
                    gettext("“%(line)s”: write min_<metric> = number or max_<metric> = number.")
                    % {"line": line.strip()}
                )
                continue
            try:
                performance[key] = _number(text, key)
            except forms.ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            self.add_error("performance_limits", errors)
        data["thresholds"] = {k: v for k, v in thresholds.items() if v}
        return data

    def clean_protected_attributes(self):
        raw = self.cleaned_data.get("protected_attributes", "")
        return list(dict.fromkeys(n.strip() for n in raw.split(",") if n.strip()))

    def changes(self) -> dict:
        return dict(self.cleaned_data)
