"""Check runs, the findings they raise, and operational metrics reported from production."""

from audits.runs.models.checks import CheckKind, CheckRun
from audits.runs.models.findings import Finding, FindingSource, FindingStatus, Severity
from audits.runs.models.monitoring import OperationalMetric

__all__ = [
    "CheckKind",
    "CheckRun",
    "Finding",
    "FindingSource",
    "FindingStatus",
    "OperationalMetric",
    "Severity",
]
