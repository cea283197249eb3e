"""The append-only, hash-chained audit trail: recording, verifying, browsing, exporting."""
