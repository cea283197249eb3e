"""The signed-in user's own notifications."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from governance.kernel.web import PAGE_SIZE, is_htmx
from governance.policy.notifications.selectors import notification_list
from governance.policy.notifications.services import notification_mark_read


def _context(request) -> dict:
    show = request.GET.get("show", "all")
    rows = notification_list(actor=request.user, unread=True if show == "unread" else None)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page.object_list:
        notification_display(row)
    return {"page": page, "show": show}


# The page that shows a notification's object, by its target type; the page itself checks
# that the reader may see it (a 404 otherwise), so a link never widens access.
TARGET_PAGES = {
    "registry.modelversion": "model-version",
    "registry.datasetversion": "dataset-version",
    "registry.aisystem": "system-classification",
    "audits.checkrun": "check-run",
    "audits.auditrun": "audit-run",
    "governance.incident": "incident",
}


def _link(row) -> str:
    name = TARGET_PAGES.get(row.target_type)
    if name and row.target_id.isdigit():
        return reverse(name, args=[int(row.target_id)])
    if row.target_type == "audits.report":
        return reverse("reports")
    version = row.payload.get("model_version") if isinstance(row.payload, dict) else None
    if isinstance(version, int):
        return reverse("model-version", args=[version])
    return ""


def notification_display(row):
    """What a notification row shows: its event and message in the reader's language, a link
    to its object, and the reviewer's comment when a decision carried one."""
    row.event_shown = row.event_label()
    row.message_text = row.message_shown()
    row.link = _link(row)
    payload = row.payload if isinstance(row.payload, dict) else {}
    row.comment = str(payload.get("comment") or "")
    row.reviewer = str(payload.get("reviewer") or "")
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
        return render(
            request, "governance/partials/notification_read.html", {"n": notification_display(row)}
        )
    return redirect("notifications")


@login_required
@require_POST
def notifications_read_all(request):
    notification_mark_read(
        actor=request.user,
        notifications=notification_list(actor=request.user, unread=True),
    )
    return redirect("notifications")
