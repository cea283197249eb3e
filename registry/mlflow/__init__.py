"""Importing model versions from an MLflow tracking server over its REST API."""
