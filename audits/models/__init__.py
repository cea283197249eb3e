from audits.models.checks import CHECK_KINDS, CheckKind, CheckRun
from audits.models.findings import Finding, FindingSource, FindingStatus, Severity
from audits.models.monitoring import OperationalMetric
from audits.models.reports import Report, ReportKind
from audits.models.schedules import AuditRun, AuditSchedule

__all__ = [
    "CHECK_KINDS",
    "AuditRun",
    "AuditSchedule",
    "CheckKind",
    "CheckRun",
    "Finding",
    "FindingSource",
    "FindingStatus",
    "OperationalMetric",
    "Report",
    "ReportKind",
    "Severity",
]
