"""Submitting a version for review and the signed decisions on it; invalidation, expiry."""
