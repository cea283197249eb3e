"""What each risk tier requires: checks and thresholds, approvers, re-certification, audits."""
