"""The findings browser: every finding the user may see, filtered by severity, status and
system, and resolved in place by compliance officers and admins.

Each request costs a fixed number of queries whatever the number of findings: one count, one
page of rows (versions, systems, check runs and resolvers joined), one list of systems for
the filter and one aggregate for the severity tabs.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_POST

from audits.runs.models.findings import WORK_STATUSES, Severity
from audits.runs.selectors import finding_list
from audits.runs.services.findings import (
    RESOLVER_ROLES,
    RISK_ACCEPT_MAX_DAYS,
    RISK_ACCEPT_ROLES,
    finding_accept_risk,
    finding_mark_false_positive,
    finding_resolve,
    finding_start,
)
from governance.kernel.errors import ServiceError
from governance.kernel.exports import export_format, tabular_response
from governance.kernel.panels import finding_actions
from governance.kernel.web import PAGE_SIZE, forbidden, is_htmx
from registry import selectors as registry_selectors

# "open" is the work queue: open and in progress; the others are one status each.
# Labels are message ids, translated when the page shows them.
STATUSES = [
    ("open", gettext_noop("Open or in progress")),
    ("in_progress", gettext_noop("In progress")),
    ("resolved", gettext_noop("Resolved")),
    ("risk_accepted", gettext_noop("Risk accepted")),
    ("false_positive", gettext_noop("False positive")),
    ("duplicate", gettext_noop("Duplicate")),
    ("all", gettext_noop("Any status")),
]
ACTIONS = ("start", "resolve", "accept_risk", "false_positive")
# Most severe first; a finding's rank is computed in the query so the page sorts by it.
SEVERITY_RANK = Case(
    When(severity=Severity.HIGH, then=Value(0)),
    When(severity=Severity.MEDIUM, then=Value(1)),
    When(severity=Severity.LOW, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)
SEVERITY_ORDER = [Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO]


def _rows(user):
    return finding_list(actor=user).select_related(
        "model_version__model__system__team", "check_run", "audit_run", "assignee"
    )


def _int_or_none(value: str) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _attach_actions(user, findings) -> None:
    """What upper layers offer on each row (e.g. proposing a serious incident), and whether
    this user may work on it (compliance officers, admins, its assignee)."""
    for f in findings:
        f.actions = [a for a in finding_actions.collect(user=user, finding=f).values() if a]
        f.can_work = f.status in WORK_STATUSES and (
            user.role in RESOLVER_ROLES or f.assignee_id == user.pk
        )


def filtered_findings(user, params) -> tuple[object, dict]:
    """The findings for ``params`` (the page's query string) in the page's order, the filters
    as read, and the counts per severity under the other filters. The page shows the rows a
    page at a time, the exports all of them."""
    status = params.get("status", "open")
    if status not in dict(STATUSES):
        status = "open"
    severity = params.get("severity", "")
    if severity not in Severity.values:
        severity = ""
    system_id = _int_or_none(params.get("system", ""))
    q = params.get("q", "").strip()[:100]
    mine = params.get("mine") == "1"
    overdue = params.get("overdue") == "1"

    rows = _rows(user)
    if status == "open":
        rows = rows.filter(status__in=WORK_STATUSES)
    elif status != "all":
        rows = rows.filter(status=status)
    if mine:
        rows = rows.filter(assignee=user)
    if overdue:
        rows = rows.filter(status__in=WORK_STATUSES, due_date__lt=timezone.localdate())
    if system_id:
        rows = rows.filter(model_version__model__system_id=system_id)
    if q:
        rows = rows.filter(
            Q(code__icontains=q)
            | Q(message__icontains=q)
            | Q(model_version__model__name__icontains=q)
        )
    filters = {
        "status": status,
        "severity": severity,
        "system_id": system_id,
        "q": q,
        "mine": mine,
        "overdue": overdue,
    }
    return rows, filters


def _by_severity(rows) -> dict:
    # Counts per severity under the other filters: the tabs say how many each would show.
    return dict(
        rows.order_by().values("severity").annotate(n=Count("id")).values_list("severity", "n")
    )


def _ordered(rows, severity: str):
    if severity:
        rows = rows.filter(severity=severity)
    return rows.annotate(severity_rank=SEVERITY_RANK).order_by(
        "severity_rank", "-created_at", "-id"
    )


@login_required
def findings_page(request):
    user = request.user
    params = request.GET
    rows, filters = filtered_findings(user, params)
    by_severity = _by_severity(rows)
    rows = _ordered(rows, filters["severity"])
    page = Paginator(rows, PAGE_SIZE).get_page(params.get("page"))
    _attach_actions(user, page.object_list)
    query = params.copy()
    query.pop("page", None)
    base = params.copy()
    for key in ("page", "severity"):
        base.pop(key, None)
    context = {
        "page": page,
        **filters,
        "statuses": STATUSES,
        "severity_tabs": [
            {"value": s.value, "label": s.label, "count": by_severity.get(s.value, 0)}
            for s in SEVERITY_ORDER
        ],
        "total": sum(by_severity.values()),
        "systems": registry_selectors.system_list(actor=user).select_related(None).order_by("name"),
        "query": query.urlencode(),
        "base_query": base.urlencode(),
        "can_resolve": user.role in RESOLVER_ROLES,
        "can_accept": user.role in RISK_ACCEPT_ROLES,
        "today": timezone.localdate(),
        "accept_max_days": RISK_ACCEPT_MAX_DAYS,
    }
    template = "audits/findings.html"
    if is_htmx(request):
        # The table, and the severity tabs out of band so their counts follow the filters.
        template = "audits/partials/findings_table.html"
        context["oob"] = True
    return render(request, template, context)


FINDING_COLUMNS = [
    "Finding",
    "Severity",
    "Status",
    "Code",
    "Message",
    "AI system",
    "Team",
    "Model",
    "Version",
    "Source",
    "Check kind",
    "Metric",
    "Value",
    "Threshold",
    "Group",
    "Seen",
    "Assignee",
    "Due date",
    "Overdue",
    "Raised",
    "Last seen",
    "Closed by",
    "Closed at",
    "Comment",
    "Risk accepted until",
    "Model version page",
]


@login_required
def findings_export(request, fmt: str):
    """The findings as the page filters them (every page of them), as CSV or XLSX: the same
    selector and filters, so a user exports exactly the findings their role and team let them
    see."""
    fmt = export_format(fmt)
    rows, filters = filtered_findings(request.user, request.GET)
    rows = _ordered(rows, filters["severity"])
    data = (
        [
            f.pk,
            f.get_severity_display(),
            f.get_status_display(),
            f.code,
            f.message,
            f.model_version.model.system.name,
            f.model_version.model.system.team.name,
            f.model_version.model.name,
            f.model_version.version,
            f.get_source_display(),
            f.kind,
            f.metric,
            f.value,
            f.threshold,
            f.group,
            f.occurrences,
            f.assignee.username if f.assignee_id else "",
            f.due_date,
            f.is_overdue,
            f.created_at,
            f.last_seen_at,
            f.resolved_by.username if f.resolved_by_id else "",
            f.resolved_at,
            f.resolution_comment,
            f.accepted_until,
            request.build_absolute_uri(reverse("model-version", args=[f.model_version_id])),
        ]
        for f in rows.iterator(chunk_size=500)
    )
    return tabular_response(
        fmt=fmt,
        filename="findings",
        columns=FINDING_COLUMNS,
        rows=data,
        actor=request.user,
        subject="findings",
        filters=filters,
        row_count=rows.count(),
    )


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _act(request, pk: int, action: str):
    """Move one finding through its states; HTMX swaps the finding's row.

    The rules (who, which state, the comment that must not be empty) are the services'; this
    view only turns their refusals into a message in the row.
    """
    user = request.user
    finding = _rows(user).filter(pk=pk).first()
    if finding is None:
        raise Http404
    if user.role not in RESOLVER_ROLES and finding.assignee_id != user.pk:
        return forbidden(request, gettext("Only its assignee, compliance officers and admins."))
    comment = request.POST.get("comment", "").strip()[:2000]
    try:
        if action == "start":
            finding_start(actor=user, finding=finding)
            done = gettext("Finding #%(pk)s is in progress.") % {"pk": pk}
        elif action == "resolve":
            finding_resolve(actor=user, finding=finding, comment=comment)
            done = gettext("Finding #%(pk)s resolved.") % {"pk": pk}
        elif action == "accept_risk":
            until = _parse_date(request.POST.get("until", ""))
            finding_accept_risk(actor=user, finding=finding, comment=comment, until=until)
            done = gettext("Risk of finding #%(pk)s accepted until %(until)s.") % {
                "pk": pk,
                "until": date_format(until, "SHORT_DATE_FORMAT") if until else "",
            }
        else:
            finding_mark_false_positive(actor=user, finding=finding, reason=comment)
            done = gettext("Finding #%(pk)s marked a false positive.") % {"pk": pk}
        error = None
    except ServiceError as exc:
        error = exc.message
    f = _rows(user).get(pk=pk)
    _attach_actions(user, [f])
    if not is_htmx(request):
        if error:
            messages.error(request, error)
        else:
            messages.success(request, done)
        return redirect("findings")
    # HTMX only swaps 2xx answers: a refusal comes back as 200 with the message in the row.
    context = {
        "f": f,
        "error": error,
        "can_resolve": user.role in RESOLVER_ROLES,
        "can_accept": user.role in RISK_ACCEPT_ROLES,
        "today": timezone.localdate(),
    }
    return render(request, "audits/partials/finding_row.html", context)


@login_required
@require_POST
def finding_resolve_view(request, pk: int):
    return _act(request, pk, "resolve")


@login_required
@require_POST
def finding_act_view(request, pk: int):
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        action = "resolve"
    return _act(request, pk, action)
