"""Events of the audit programme that higher layers react to (reporting writes the audit
report), so the programme never imports what sits above it."""

from django.dispatch import Signal

# Sent once an audit run has finished and its findings are stored. Arguments: audit_run.
audit_run_finished = Signal()
