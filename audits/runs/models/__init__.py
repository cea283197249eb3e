"""Check runs, the findings they raise, and operational metrics reported from production."""

from audits.runs.models.checks import CHECK_KINDS, CheckKind, CheckRun
from audits.runs.models.findings import Finding, FindingSource, FindingStatus, Severity
from audits.runs.models.monitoring import OperationalMetric

__all__ = [
    "CHECK_KINDS",
    "CheckKind",
    "CheckRun",
    "Finding",
    "FindingSource",
    "FindingStatus",
    "OperationalMetric",
    "Severity",
]
