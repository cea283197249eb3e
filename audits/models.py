"""The app's models module: Django loads the models of every layer of the ``audits`` app from
here. Code imports a model from the folder that owns it, never from this module."""

from audits.programme.models import AuditRun, AuditSchedule
from audits.reporting.models import Report
from audits.runs.models import CheckRun, Finding, OperationalMetric

__all__ = ["AuditRun", "AuditSchedule", "CheckRun", "Finding", "OperationalMetric", "Report"]
