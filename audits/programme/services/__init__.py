"""Audit schedules kept in step with the policies, and what one audit run does."""
