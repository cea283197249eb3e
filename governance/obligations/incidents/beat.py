"""Periodic tasks of the incidents folder, merged into the beat schedule at start-up."""

BEAT_SCHEDULE = {
    # Hourly: the shortest clock is two days, so an hour of delay never costs a reminder.
    "obligations-incident-reminders": {
        "task": "obligations.incident_reminders",
        "schedule": 3600.0,
    },
}
