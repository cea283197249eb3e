"""Single sign-on with OpenID Connect: the identity provider's users, group-to-role rules."""
