"""The post-market plan form; metric rows are parsed by ``metrics_from_post``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.kernel.web import Form

EXTRA_METRIC_ROWS = 2
METRIC_KEYS = ("check_kind", "metric", "threshold")


class MonitoringPlanForm(Form):
    objectives = forms.CharField(
        required=False,
        label=_("What is monitored and why"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    data_sources = forms.CharField(
        required=False,
        label=_("Data collected from deployers and other sources"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    audit_interval_days = forms.IntegerField(min_value=1, label=_("Audit every (days)"))
    escalation = forms.CharField(
        required=False,
        label=_("Escalation when a threshold is crossed"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def metrics_from_post(data) -> list[dict]:
    rows = []
    i = 0
    while f"k-{i}-metric" in data:
        rows.append({key: data.get(f"k-{i}-{key}", "") for key in METRIC_KEYS})
        i += 1
    return rows
