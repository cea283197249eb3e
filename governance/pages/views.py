"""Browser pages of the governance app: login, dashboard, profile with API tokens."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from governance.pages.dashboard import dashboard_context


@login_required
def home(request):

    return render(request, "governance/home.html", dashboard_context(user=request.user))
