"""Forms of the governance pages. They only parse and validate input; the services decide."""

from __future__ import annotations

from django import forms

from governance.kernel.web import Form
from governance.policy.deployments.models import Environment


class DeploymentForm(Form):
    environment = forms.ChoiceField(choices=Environment.choices)
    notes = forms.CharField(required=False, max_length=2000)
