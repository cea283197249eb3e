"""The append-only log of where each model version runs."""
