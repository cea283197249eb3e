"""The AI Act classification of a system: questionnaire form, result and history."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from governance.kernel.errors import ServiceError
from governance.kernel.web import forbidden, render_form
from governance.policy.classification.forms import ClassificationForm
from governance.policy.classification.models import RiskClassification, RiskTier
from governance.policy.classification.rules import ANNEX_III_FOLLOW_UP, PROFILING
from governance.policy.classification.selectors import classification_list, questionnaire_list
from governance.policy.classification.services import CLASSIFIER_ROLES, risk_classification_record
from governance.policy.classification.texts import FOLLOW_UP_NOTE, PROFILING_FOLLOW_UP_NOTE, shown
from registry.selectors import system_list


def _system_or_404(request, pk: int):

    system = system_list(actor=request.user).filter(pk=pk).first()
    if system is None:
        raise Http404
    return system


def _record_view(record: RiskClassification) -> dict:
    """A classification as the result page shows it."""
    steps = [
        {
            **s,
            "text": shown(s.get("text", "")),
            "answer_labels": [shown(label) for label in s.get("answer_labels", [])],
        }
        for s in record.rationale
        if s.get("step") != "result"
    ]
    conclusion = next((s["text"] for s in record.rationale if s.get("step") == "result"), "")
    return {
        "record": record,
        "tier_label": gettext(RiskTier(record.tier).label)
        if record.tier in RiskTier.values
        else record.tier,
        "steps": steps,
        "conclusion": conclusion,
    }


def step_labels(questions) -> dict[str, str]:
    """The questionnaire's step per question, lettered where a step asks several questions
    (AI_ACT.md's Q0 asks two, Q5 three): Q0a, Q0b, Q1, ..., Q5a, Q5b, Q5c."""

    sizes = Counter(q.step for q in questions)
    seen: Counter = Counter()
    labels = {}
    for q in questions:
        if sizes[q.step] > 1:
            labels[q.key] = f"{q.step}{'abcdefghij'[seen[q.step]]}"
            seen[q.step] += 1
        else:
            labels[q.key] = q.step
    return labels


def _questions_view(form: ClassificationForm, missing: set[str]) -> list[dict]:
    rows = []
    labels = step_labels(form.questions)
    for q in form.questions:
        effects = {o.effect for o in q.options.all()}
        if effects & ANNEX_III_FOLLOW_UP:
            condition = gettext(PROFILING_FOLLOW_UP_NOTE)
        elif PROFILING in effects:
            condition = gettext(FOLLOW_UP_NOTE)
        else:
            condition = ""
        value = form[q.key].value()
        chosen = set(value if isinstance(value, list) else [value] if value else [])
        rows.append(
            {
                "key": q.key,
                "step": labels[q.key],
                "text": shown(q.text),
                "help": shown(q.help_text),
                "article": q.article,
                "multiple": q.multiple,
                "condition": condition,
                "missing": q.key in missing,
                "errors": form.errors.get(q.key, []),
                "options": [
                    {
                        "value": o.value,
                        "label": shown(o.label),
                        "article": o.article,
                        "checked": o.value in chosen,
                        "id": f"q-{q.key}-{o.value}",
                    }
                    for o in q.options.all()
                ],
            }
        )
    return rows


@login_required
def system_classification(request, pk: int):
    system = _system_or_404(request, pk)
    history = list(classification_list(actor=request.user, system_id=system.pk))
    context = {
        "system": system,
        "current": _record_view(history[0]) if history else None,
        "history": history,
        "may_classify": request.user.role in CLASSIFIER_ROLES,
    }
    return render(request, "governance/classification.html", context)


@login_required
def classification_detail(request, pk: int):

    record = (
        RiskClassification.objects.filter(system__in=system_list(actor=request.user))
        .select_related("system__team", "classified_by", "supersedes")
        .filter(pk=pk)
        .first()
    )
    if record is None:
        raise Http404
    current = (
        RiskClassification.objects.filter(system_id=record.system_id)
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    context = {**_record_view(record), "system": record.system, "is_current": current == record.pk}
    return render(request, "governance/classification_detail.html", context)


@login_required
def system_classify(request, pk: int):
    system = _system_or_404(request, pk)
    if request.user.role not in CLASSIFIER_ROLES:
        return forbidden(request, gettext("Only compliance officers and admins classify systems."))
    questions = list(questionnaire_list(actor=request.user).order_by("position", "id"))
    previous = classification_list(actor=request.user, system_id=system.pk).first()
    missing: set[str] = set()
    problems: list[str] = []
    if request.method == "POST":
        form = ClassificationForm(request.POST, questions=questions)
        if form.is_valid():
            try:
                record = risk_classification_record(
                    actor=request.user,
                    system=system,
                    answers=form.answers(),
                    notes=form.cleaned_data["notes"].strip(),
                )
            except ServiceError as exc:
                missing = set(exc.extra.get("missing", []))
                problems = list(exc.extra.get("problems", []))
                status = exc.status_code
            else:
                messages.success(
                    request,
                    gettext("%(system)s is classified: %(tier)s.")
                    % {"system": system.name, "tier": gettext(RiskTier(record.tier).label)},
                )
                return redirect("classification-detail", pk=record.pk)
        else:
            status = 400
    else:
        initial = dict(previous.answers) if previous else {}
        form = ClassificationForm(initial=initial, questions=questions)
        status = 200
    by_key = {q.key: q for q in questions}
    labels = step_labels(questions)
    context = {
        "system": system,
        "form": form,
        "previous": previous,
        "questions": _questions_view(form, missing),
        "missing": [f"{labels[k]}: {shown(by_key[k].text)}" for k in missing if k in by_key],
        "problems": problems,
    }
    return render_form(request, "governance/classify.html", context, status)
