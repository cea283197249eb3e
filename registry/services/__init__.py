"""Writes of the registry: systems, models, versions, datasets, lineage."""
