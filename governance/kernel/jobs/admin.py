"""Job rows in the Django admin: read-only, their state and results (e.g. the audit chain's
verification verdict) belong to the worker that computed them."""

from django.contrib import admin

from governance.kernel.admin import PlainReadOnlyAdmin
from governance.kernel.jobs.models import BackgroundJob


@admin.register(BackgroundJob)
class BackgroundJobAdmin(PlainReadOnlyAdmin):
    list_display = ["kind", "status", "progress", "queued_at", "finished_at"]
