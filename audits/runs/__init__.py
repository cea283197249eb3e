"""Check runs of a model version on a dataset version, the findings they raise, and
operational metrics reported from production."""
