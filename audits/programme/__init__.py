"""The audit programme: schedules kept in step with the policies, and audit runs."""
