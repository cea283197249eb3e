"""Judging a model version: what its tier requires and what holds (evaluation), submissions
and signed decisions (approvals), the deployment gate, and the reviewers' work lists."""
