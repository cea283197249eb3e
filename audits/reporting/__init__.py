"""Reports: immutable PDFs rendered from a stored snapshot, their verification and evidence
packs."""
