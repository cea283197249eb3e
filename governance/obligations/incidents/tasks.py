"""Background work of incidents: reminders as legal deadlines near (beat, hourly)."""

from celery import shared_task

from governance.obligations.incidents.services import incident_reminders_send


@shared_task(name="obligations.incident_reminders")
def incident_reminders_task() -> int:
    return incident_reminders_send()
