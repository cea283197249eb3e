"""Read-mostly admin pages: runs and findings change only through services (audited)."""

from __future__ import annotations

from django.contrib import admin

from audits.programme.models import AuditRun, AuditSchedule
from governance.kernel.admin import PlainReadOnlyAdmin, ReadOnlyAdmin


@admin.register(AuditSchedule)
class AuditScheduleAdmin(ReadOnlyAdmin):
    list_display = ("id", "system", "interval_days", "next_due", "active", "from_policy")
    list_filter = ("active", "from_policy")


@admin.register(AuditRun)
class AuditRunAdmin(PlainReadOnlyAdmin):
    list_display = ("id", "system", "due_at", "status", "queued_at")
    list_filter = ("status", "trigger")
