"""Requesting, running and judging check runs; findings; operational monitoring."""
