"""What the organisation decided: risk classification, policies per tier, RACI, deployment
records and notifications."""
