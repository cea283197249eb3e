"""Second factors (TOTP with recovery codes), the policy of who needs one, and step-up proofs
for signing approvals."""
