"""Review pages: the queue, and the review, decision and deployment actions of a version.

Views stay thin: they find the object among those the actor may see (404 otherwise), check
the role (403 page), call one service and turn its refusal into a friendly message with the
service's status code. HTMX requests get partials."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from governance.kernel.accounts.models import User
from governance.kernel.errors import ServiceError
from governance.kernel.web import PAGE_SIZE, forbidden, is_htmx
from governance.review.approvals.services import ASSIGNER_ROLES, review_assign
from governance.review.evaluation import EVIDENCE, SUBMISSION, evaluate
from governance.review.worklists.selectors import (
    may_open_review_queue,
    policies_by_tier,
    queue_rows,
    review_assignable_people,
    review_due_days,
    review_overdue,
    review_queue_list,
    review_waiting_for,
)

# --- review queue ---------------------------------------------------------------------------
QUEUE_FILTERS = [
    ("all", _("Everything in review")),
    ("waiting", _("Waiting for me")),
    ("assigned", _("Assigned to me")),
    ("overdue", _("Overdue")),
]


def _queue(user, show: str):
    rows = review_queue_list(actor=user)
    if show == "waiting":
        rows = review_waiting_for(rows, actor=user)
    elif show == "assigned":
        rows = rows.filter(review_assignee_id=user.pk)
    elif show == "overdue":
        rows = review_overdue(rows)
    return rows


def _row_context(user, rows: list[dict]) -> dict:
    can_assign = user.role in ASSIGNER_ROLES
    return {
        "rows": rows,
        "can_assign": can_assign,
        "people": review_assignable_people() if can_assign else [],
        "due_days": review_due_days(),
    }


@login_required
def review_queue(request):
    user = request.user
    if not may_open_review_queue(actor=user):
        return forbidden(
            request, "The review queue is for compliance officers, admins and accountable owners."
        )
    show = request.GET.get("show", "all")
    if show not in dict(QUEUE_FILTERS):
        show = "all"
    page = Paginator(_queue(user, show), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "show": show,
        "filters": QUEUE_FILTERS,
        **_row_context(user, queue_rows(page.object_list, policies_by_tier())),
    }
    template = (
        "governance/partials/review_queue_table.html"
        if is_htmx(request)
        else "governance/review_queue.html"
    )
    return render(request, template, context)


@login_required
@require_POST
def review_queue_assign(request, pk: int):
    """Assign (or un-assign) the open round of one queued version; HTMX swaps its row."""
    user = request.user
    if not may_open_review_queue(actor=user):
        return forbidden(request)
    mv = review_queue_list(actor=user).filter(pk=pk).first()
    if mv is None:
        raise Http404
    name = request.POST.get("assignee", "").strip()
    assignee = User.objects.filter(username=name).first() if name else None
    error = None
    if name and assignee is None:
        error, status = gettext("Nobody is called “%(name)s”.") % {"name": name}, 400
    else:
        try:
            review_assign(actor=user, model_version=mv, assignee=assignee)
            status = 200
        except ServiceError as exc:
            error, status = exc.message, exc.status_code
    if not is_htmx(request):
        if error:
            # The queue again with the reason, under the refusal's own status code.
            messages.error(request, error)
            response = review_queue(request)
            response.status_code = status
            return response
        if name:
            text = gettext("%(version)s assigned to %(person)s.") % {"version": mv, "person": name}
        else:
            text = gettext("%(version)s assigned to nobody.") % {"version": mv}
        messages.success(request, text)
        return redirect("review-queue")
    (row,) = queue_rows(review_queue_list(actor=user).filter(pk=pk), policies_by_tier())
    context = {**_row_context(user, [row]), "row": row, "error": error}
    # HTMX swaps 2xx answers only: a refusal is a 200 with the reason in the row.
    return render(request, "governance/partials/review_queue_row.html", context)


@login_required
def review_queue_requirements(request, pk: int):
    """One queue row's open requirements, from the same evaluator the services use; loaded
    per row so the queue itself keeps a fixed number of queries."""
    if not may_open_review_queue(actor=request.user):
        return forbidden(request)
    mv = review_queue_list(actor=request.user).filter(pk=pk).first()
    if mv is None:
        raise Http404
    ev = evaluate(mv)
    return render(
        request,
        "governance/partials/requirements_count.html",
        {"unmet": ev.reasons(SUBMISSION, EVIDENCE), "mv": mv},
    )
