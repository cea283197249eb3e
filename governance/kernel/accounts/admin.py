"""Users, teams and API tokens in the Django admin.

Every change here goes through the accounts services, so it is the same change, with the same
audit event, as on the people page or the API: the role decides ``is_staff``/``is_superuser``
(never edited by hand), passwords are validated and revoke the user's tokens, tokens are only
revoked, never edited or deleted."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from governance.kernel.accounts.models import ApiToken, Role, Team, User
from governance.kernel.accounts.services import api_token_revoke, user_password_set, user_update
from governance.kernel.admin import AuditedAdmin, HistoryAdmin, PlainReadOnlyAdmin
from governance.kernel.errors import ServiceError

# Access follows the role, never Django groups or per-user permissions: an unused group editor
# would be one more place to grant rights without an audit event.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(BaseUserAdmin, HistoryAdmin):
    list_display = ["username", "email", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active", "teams"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Governance", {"fields": ("role", "teams", "is_active")}),
        ("Follows the role", {"fields": ("is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ["username", "is_staff", "is_superuser", "last_login", "date_joined"]
    filter_horizontal = ["teams"]

    def has_add_permission(self, request) -> bool:
        return False  # the people page, the API and create_user create users (validated)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # deactivate instead: the person stays the actor of their audit events

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        stored = User.objects.get(pk=obj.pk)
        if stored.pk == request.user.pk and (
            data.get("role", stored.role) != Role.ADMIN or not data.get("is_active", True)
        ):
            messages.error(
                request, gettext("You cannot remove your own admin role or deactivate yourself.")
            )
            return
        try:
            user_update(
                user=stored,
                actor=request.user,
                role=data.get("role"),
                teams=list(data["teams"]) if "teams" in data else None,
                is_active=data.get("is_active"),
                email=data.get("email"),
                first_name=data.get("first_name"),
                last_name=data.get("last_name"),
            )
        except (ServiceError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", str(exc)))

    def save_related(self, request, form, formsets, change):
        # Teams were set by user_update (with the audit event); saving the form's many-to-many
        # fields again would bypass it.
        return

    def user_change_password(self, request, id, form_url=""):
        user = self.get_object(request, unquote(id))
        if user is None:
            raise Http404
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        form = AdminPasswordChangeForm(user, request.POST or None)
        if request.method == "POST" and form.is_valid():
            password = form.cleaned_data.get("password1") or None
            if not form.cleaned_data.get("set_usable_password", True):
                password = None  # "disable password-based authentication"
            try:
                user_password_set(actor=request.user, user=user, password=password)
            except ServiceError as exc:
                form.add_error("password1", exc.message)
            else:
                if user.pk == request.user.pk:
                    update_session_auth_hash(request, user)
                messages.success(
                    request, gettext("Password changed; the user's API tokens were revoked.")
                )
                return HttpResponseRedirect(
                    reverse(f"{self.admin_site.name}:governance_user_change", args=[user.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Change password: {user.get_username()}",
            "adminForm": admin.helpers.AdminForm(
                form, [(None, {"fields": list(form.base_fields)})], {}
            ),
            "form_url": form_url,
            "form": form,
            "is_popup": False,
            "is_popup_var": "_popup",
            "add": True,
            "change": False,
            "has_delete_permission": False,
            "has_change_permission": True,
            "has_absolute_url": False,
            "opts": self.opts,
            "original": user,
            "save_as": False,
            "show_save": True,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request,
            self.change_user_password_template or "admin/auth/user/change_password.html",
            context,
        )


@admin.register(Team)
class TeamAdmin(AuditedAdmin):
    list_display = ["name", "slug", "created_at"]
    prepopulated_fields = {"slug": ("name",)}

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a team owns systems and datasets; removing it would orphan them


@admin.register(ApiToken)
class ApiTokenAdmin(PlainReadOnlyAdmin):
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "revoked_at"]
    actions = ["revoke"]

    @admin.action(description="Revoke the selected tokens", permissions=["revoke"])
    def revoke(self, request, queryset):
        for token in queryset:
            api_token_revoke(token=token, actor=request.user)
        count = queryset.count()
        messages.success(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
            % {"count": count},
        )

    def has_revoke_permission(self, request) -> bool:
        return request.user.is_active and request.user.role == Role.ADMIN
