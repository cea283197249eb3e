"""TODO docstring"""

from django.contrib import admin

from governance.kernel.jobs.models import BackgroundJob


@admin.register(BackgroundJob)
class BackgroundJobAdmin(admin.ModelAdmin):
    list_display = ["kind", "status", "progress", "queued_at", "finished_at"]
