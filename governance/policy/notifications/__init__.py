"""Telling the right people: in-app notifications, e-mail copies, signed webhooks."""
