"""Forms of the governance pages. They only parse and validate input; the services decide."""

from __future__ import annotations

from django import forms

from governance.kernel.web import COMMENT_MAX, Form
from governance.review.approvals.models import DecisionKind


class DecisionForm(Form):
    decision = forms.ChoiceField(choices=DecisionKind.choices)
    comment = forms.CharField(required=False, max_length=COMMENT_MAX, widget=forms.Textarea)
    password = forms.CharField(required=False, strip=False, widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision == DecisionKind.APPROVE and not data.get("password"):
            self.add_error("password", "Enter your password to sign the approval.")
        if (
            decision in (DecisionKind.REJECT, DecisionKind.REQUEST_CHANGES)
            and not (data.get("comment") or "").strip()
        ):
            self.add_error("comment", "Say why, so the data scientist knows what to change.")
        return data
