"""Users with one role, teams, API tokens, sign-in, and the admins' people pages."""
