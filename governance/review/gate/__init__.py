"""The deployment gate CI/CD asks, and recording deployments behind it."""
