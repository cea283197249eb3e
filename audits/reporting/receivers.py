"""Reactions of reporting to events below it: each finished scheduled audit gets its report."""

from __future__ import annotations

import logging

from audits.programme.signals import audit_run_finished
from audits.reporting.services import report_request_scheduled

logger = logging.getLogger(__name__)


def on_audit_run_finished(sender, audit_run, **kwargs) -> None:
    report = report_request_scheduled(audit_run=audit_run)
    logger.info("audit run %s: audit report #%s requested", audit_run.pk, report.pk)


def connect() -> None:
    audit_run_finished.connect(on_audit_run_finished, dispatch_uid="reporting.audit_run_finished")
