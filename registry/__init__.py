"""The registry: AI systems, models, versions, content-addressed artefacts, datasets, columns,
PII flags and lineage."""
