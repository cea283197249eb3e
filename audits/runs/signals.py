"""Domain events of the audits app, for other apps to react to.

``check_run_finished(check_run=...)`` is sent inside the transaction that finishes a CheckRun
(succeeded or failed), after its findings exist, so a receiver's own writes (e.g. governance
invalidating an approval) commit or roll back together with the run's final state.
"""

from __future__ import annotations

from django.dispatch import Signal

check_run_finished = Signal()
