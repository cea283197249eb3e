"""Background work whose state lives in a row: helpers, the Celery base task, the sweeper."""
