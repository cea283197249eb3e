"""Periodic work of single sign-on."""

from __future__ import annotations

from celery import shared_task

from governance.kernel.accounts.sso.checks import sso_accounts_check


@shared_task(name="governance.sso_accounts_check")
def sso_accounts_check_task() -> dict:
    """Periodic: suspend users the provider no longer vouches for, resync everyone's role."""
    return sso_accounts_check()
