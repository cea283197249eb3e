"""Job rows in the Django admin: read-only, their state belongs to the worker."""

from django.contrib import admin

from governance.kernel.jobs.models import BackgroundJob


@admin.register(BackgroundJob)
class BackgroundJobAdmin(admin.ModelAdmin):
    list_display = ["kind", "status", "progress", "queued_at", "finished_at"]
