from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"
    label = "audits"
    verbose_name = "Audits"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from audits.programme.beat import BEAT_SCHEDULE  # noqa: PLC0415 - ready() runs once the app registry is loaded
        from audits.reporting import receivers as reporting_receivers  # noqa: PLC0415 - ready() runs once the app registry is loaded
        from audits.reporting.views import version_page_panels as report_panels  # noqa: PLC0415 - ready() runs once the app registry is loaded
        from audits.runs.views import version_page_panels as check_panels  # noqa: PLC0415 - ready() runs once the app registry is loaded
        from governance.celery import app  # noqa: PLC0415 - ready() runs once the app registry is loaded
        from governance.kernel.panels import model_version_panels  # noqa: PLC0415 - ready() runs once the app registry is loaded

        app.conf.beat_schedule = {**(app.conf.beat_schedule or {}), **BEAT_SCHEDULE}
        reporting_receivers.connect()
        # After governance's panels (INSTALLED_APPS order): checks, then reports.
        model_version_panels.register("checks", check_panels)
        model_version_panels.register("reports", report_panels)
