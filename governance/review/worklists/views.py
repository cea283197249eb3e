"""Review pages: the queue, and the review, decision and deployment actions of a version.

Views stay thin: they find the object among those the actor may see (404 otherwise), check
the role (403 page), call one service and turn its refusal into a friendly message with the
service's status code. HTMX requests get partials."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from governance.kernel.web import PAGE_SIZE, forbidden, is_htmx
from governance.review.evaluation import EVIDENCE, SUBMISSION, evaluate
from governance.review.worklists.selectors import (
    may_open_review_queue,
    policies_by_tier,
    queue_rows,
    review_queue_list,
)


# --- review queue ---------------------------------------------------------------------------
@login_required
def review_queue(request):
    user = request.user
    if not may_open_review_queue(actor=user):
        return forbidden(
            request, "The review queue is for compliance officers, admins and accountable owners."
        )
    page = Paginator(review_queue_list(actor=user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": queue_rows(page.object_list, policies_by_tier()),
    }
    template = (
        "governance/partials/review_queue_table.html"
        if is_htmx(request)
        else "governance/review_queue.html"
    )
    return render(request, template, context)


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
