from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"
    label = "audits"
    verbose_name = "Audits"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from audits.celery_schedule import BEAT_SCHEDULE
        from governance.celery import app

        app.conf.beat_schedule = {**(app.conf.beat_schedule or {}), **BEAT_SCHEDULE}
