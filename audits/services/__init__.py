"""Services of the audits app (writes); see each module. ``reports_hook`` is the seam where a
reports service asks for an audit report after each scheduled audit."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def reports_hook(audit_run) -> None:
    """Ask for an audit report about ``audit_run``; only logs while no report service exists.

    The reports app replaces the body (e.g. ``report_request(kind="audit", target=...)``);
    callers look it up on this module at call time so tests and the reports app can swap it.
    """
    from audits.reporting.services import report_request_scheduled

    report = report_request_scheduled(audit_run=audit_run)
    logger.info("audit run %s: audit report #%s requested", audit_run.pk, report.pk)
