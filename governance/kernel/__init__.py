"""The shared kernel every layer may use: accounts and roles, permissions, the audit trail, job
rows, API base classes, web helpers and the extension points upper layers fill."""
