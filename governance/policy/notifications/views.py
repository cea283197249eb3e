"""The signed-in user's own notifications."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from governance.kernel.web import PAGE_SIZE, is_htmx
from governance.policy.notifications.selectors import notification_list
from governance.policy.notifications.services import notification_mark_read


def _context(request) -> dict:
    show = request.GET.get("show", "all")
    rows = notification_list(actor=request.user, unread=True if show == "unread" else None)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page.object_list:
        _label(row)
    return {"page": page, "show": show}


def _label(row):
    row.event_label = row.event.replace("_", " ")
    return row


@login_required
def notifications(request):
    template = (
        "governance/partials/notification_list.html"
        if is_htmx(request)
        else "governance/notifications.html"
    )
    return render(request, template, _context(request))


@login_required
@require_POST
def notification_read(request, pk: int):
    row = notification_list(actor=request.user).filter(pk=pk).first()
    if row is None:
        raise Http404
    notification_mark_read(actor=request.user, notifications=[row])
    if is_htmx(request):
        row.refresh_from_db()
        return render(request, "governance/partials/notification_read.html", {"n": _label(row)})
    return redirect("notifications")


@login_required
@require_POST
def notifications_read_all(request):
    notification_mark_read(
        actor=request.user,
        notifications=notification_list(actor=request.user, unread=True),
    )
    return redirect("notifications")
