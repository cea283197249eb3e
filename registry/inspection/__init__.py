"""Pure inspection of uploaded files (no Django): artefact formats and which are safe, data
profiling, and personal-data detection."""
