"""Browser pages of the governance app: login, dashboard, profile with API tokens."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import get_language_from_request, gettext
from django.views.decorators.http import require_POST

from governance.kernel.accounts.forms import (
    PasswordChangeForm,
    TeamForm,
    UserCreateForm,
    UserUpdateForm,
)
from governance.kernel.accounts.lockout import login_failed, login_locked
from governance.kernel.accounts.models import Role, Team
from governance.kernel.accounts.selectors import api_token_list, user_list
from governance.kernel.accounts.services import (
    api_token_issue,
    api_token_revoke,
    team_get_or_create,
    user_create,
    user_language_set,
    user_password_change,
    user_update,
)
from governance.kernel.errors import ServiceError
from governance.kernel.panels import person_panels
from governance.kernel.web import PAGE_SIZE, _role_required, is_htmx, render_form

logger = logging.getLogger(__name__)


class ThrottledLoginView(auth_views.LoginView):
    """Django's login, refusing more than LOGIN_ATTEMPTS failed attempts per address and user
    in LOGIN_WINDOW_SECONDS (see ``governance.kernel.accounts.lockout``)."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if login_locked(request, request.POST.get("username")):
            response = render(
                request,
                self.template_name,
                {"form": self.get_form(), "locked": True},
                status=429,
            )
            response["Retry-After"] = str(settings.LOGIN_WINDOW_SECONDS)
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        login_failed(self.request, self.request.POST.get("username"))
        return super().form_invalid(form)


@login_required
def profile(request):
    tokens = api_token_list(actor=request.user)
    return render(request, "governance/profile.html", {"tokens": tokens})


@login_required
@require_POST
def profile_language(request):
    """Set the language of one's pages (the pages switch at the redirect)."""
    try:
        user_language_set(actor=request.user, language=request.POST.get("language", ""))
    except ServiceError as exc:
        return HttpResponse(exc.message, status=400)
    translation.activate(request.user.language or get_language_from_request(request))
    messages.success(request, gettext("Language saved."))
    return redirect("profile")


@login_required
@require_POST
def profile_token_create(request):
    name = (request.POST.get("name") or "").strip()
    if not name:
        messages.error(
            request, gettext("Give the token a name, e.g. the script or machine using it.")
        )
        return redirect("profile")
    issued = api_token_issue(user=request.user, name=name, actor=request.user)
    tokens = api_token_list(actor=request.user)
    # The raw token is rendered in this one response and never again; nothing may cache it.
    response = render(
        request, "governance/profile.html", {"tokens": tokens, "new_token": issued.raw}
    )
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


@login_required
def password_change(request):
    """Change your own password; the current one is asked, and every API token is revoked."""
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                user_password_change(
                    actor=request.user,
                    old_password=form.cleaned_data["old_password"],
                    new_password=form.cleaned_data["new_password"],
                )
            except ServiceError as exc:
                field = "old_password" if exc.code == "wrong_password" else "new_password"
                form.add_error(field, exc.message)
            else:
                # Keep this session; others of the same user end with the old hash.
                update_session_auth_hash(request, request.user)
                messages.success(
                    request, gettext("Password changed. Your API tokens were revoked.")
                )
                return redirect("profile")
        return render_form(request, "governance/password_change.html", {"form": form}, 400)
    return render(request, "governance/password_change.html", {"form": form})


@login_required
@require_POST
def profile_token_revoke(request, pk: int):
    token = get_object_or_404(api_token_list(actor=request.user), pk=pk)
    api_token_revoke(token=token, actor=request.user)
    messages.success(request, gettext("Token “%(name)s” revoked.") % {"name": token.name})
    if is_htmx(request):
        tokens = api_token_list(actor=request.user)
        html = render_to_string("partials/token_table.html", {"tokens": tokens}, request=request)
        return HttpResponse(html)
    return redirect("profile")


admin_only = _role_required(Role.ADMIN)


def _people_context(request, **extra) -> dict:
    users = user_list(actor=request.user)
    q = request.GET.get("q", "").strip()
    if q:
        users = users.filter(username__icontains=q)
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "page": page,
        "q": q,
        "teams": Team.objects.order_by("name"),
        "team_form": extra.pop("team_form", None) or TeamForm(),
        "tab": "people",
        **extra,
    }


@admin_only
def people(request):
    context = _people_context(request)
    template = (
        "governance/partials/people_table.html" if is_htmx(request) else "governance/people.html"
    )
    return render(request, template, context)


@admin_only
def person_create(request):
    form = UserCreateForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return render_form(request, "governance/person_form.html", {"form": form}, 400)
        data = form.cleaned_data
        try:
            person = user_create(
                username=data["username"],
                role=data["role"],
                teams=list(data["teams"]),
                password=data["password"] or None,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                actor=request.user,
            )
        except ServiceError as exc:
            form.add_error("password", exc.message)
            return render_form(request, "governance/person_form.html", {"form": form}, 400)
        messages.success(
            request,
            gettext("User %(person)s created as %(role)s.")
            % {"person": person.username, "role": gettext(person.get_role_display())},
        )
        return redirect("people")
    return render(request, "governance/person_form.html", {"form": form})


@admin_only
def person_edit(request, pk: int):
    person = user_list(actor=request.user).filter(pk=pk).first()
    if person is None:
        raise Http404
    initial = {
        "role": person.role,
        "teams": list(person.teams.all()),
        "is_active": person.is_active,
    }
    form = UserUpdateForm(request.POST or None, initial=initial, person=person, actor=request.user)
    context = {
        "form": form,
        "person": person,
        **person_panels.merged(actor=request.user, person=person),
    }
    if request.method == "POST":
        if not form.is_valid():
            return render_form(request, "governance/person_edit.html", context, 400)
        data = form.cleaned_data
        user_update(
            user=person,
            actor=request.user,
            role=data["role"],
            teams=list(data["teams"]),
            is_active=data["is_active"],
        )
        messages.success(request, gettext("%(person)s updated.") % {"person": person.username})
        return redirect("people")
    return render(request, "governance/person_edit.html", context)


@admin_only
@require_POST
def team_create(request):
    form = TeamForm(request.POST)
    if not form.is_valid():
        context = _people_context(request, team_form=form)
        return render_form(request, "governance/people.html", context, 400)
    team = team_get_or_create(name=form.cleaned_data["name"], actor=request.user)
    messages.success(request, gettext("Team %(team)s created.") % {"team": team.name})
    return redirect("people")
