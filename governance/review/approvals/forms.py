"""Forms of the governance pages. They only parse and validate input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.kernel.web import COMMENT_MAX, Form
from governance.review.approvals.models import DecisionKind


class DecisionForm(Form):
    decision = forms.ChoiceField(choices=DecisionKind.choices)
    comment = forms.CharField(required=False, max_length=COMMENT_MAX, widget=forms.Textarea)
    password = forms.CharField(required=False, strip=False, widget=forms.PasswordInput)
    totp_code = forms.CharField(required=False, max_length=12)
    # "start": re-authenticate at the identity provider first; "use": sign with that proof.
    step_up = forms.ChoiceField(required=False, choices=[("", ""), ("start", ""), ("use", "")])

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if (
            decision == DecisionKind.APPROVE
            and not data.get("password")
            and not data.get("totp_code")
            and not data.get("step_up")
        ):
            self.add_error(None, _("Confirm who you are to sign the approval."))
        if (
            decision in (DecisionKind.REJECT, DecisionKind.REQUEST_CHANGES)
            and not (data.get("comment") or "").strip()
        ):
            self.add_error("comment", _("Say why, so the data scientist knows what to change."))
        return data
