from celery import shared_task


@shared_task(name="obligations.incident_reminders")
def incident_reminders_task() -> int:
    from governance.obligations.incidents.services import incident_reminders_send  # noqa: PLC0415 - a task imports its service

    return incident_reminders_send()
