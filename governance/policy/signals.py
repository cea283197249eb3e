"""Events of the policy layer that the review layer reacts to, so policy never imports review.

Sent synchronously inside the sender's transaction: a receiver's writes (withdrawn approvals,
their audit events) commit or roll back with the change that caused them.
"""

from django.dispatch import Signal

# The basis of past approvals changed (a re-classification, an accountable owner leaving).
# Arguments: system_id, model_id (either may be None), code, reason, actor.
approval_basis_changed = Signal()
