from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"
    label = "audits"
    verbose_name = "Audits"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Merge the programme's beat schedule, connect reporting's receivers and register the
        audits panels (imports here: models and views load only once the registry is ready)."""
        from audits.programme.beat import BEAT_SCHEDULE
        from audits.reporting import receivers as reporting_receivers
        from audits.reporting.views import audit_run_page_panels
        from audits.reporting.views import version_page_panels as report_panels
        from audits.runs.views import version_page_panels as check_panels
        from governance.celery import app
        from governance.kernel.panels import audit_run_panels, model_version_panels

        app.conf.beat_schedule = {**(app.conf.beat_schedule or {}), **BEAT_SCHEDULE}
        reporting_receivers.connect()
        audit_run_panels.register("report", audit_run_page_panels)
        # After governance's panels (INSTALLED_APPS order): checks, then reports.
        model_version_panels.register("checks", check_panels)
        model_version_panels.register("reports", report_panels)
