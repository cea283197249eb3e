"""The reviewers' work lists: the review queue, approvals about to lapse."""
