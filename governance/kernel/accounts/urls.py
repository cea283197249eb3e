"""Routes of this folder: browser pages in ``urlpatterns``, REST endpoints (under
``/api/v1/``) in ``api_urlpatterns``; ``governance/urls.py`` includes both."""

from django.urls import path

from governance.kernel.accounts.api import (
    MeView,
    PasswordChangeView,
    TeamListView,
    TokenDetailView,
    TokenListView,
    TokenObtainView,
    UserDetailView,
    UserListView,
)
from governance.kernel.accounts.sso.views import logout_view
from governance.kernel.accounts.views import (
    ThrottledLoginView,
    password_change,
    people,
    person_create,
    person_edit,
    profile,
    profile_language,
    profile_token_create,
    profile_token_revoke,
    team_create,
)

urlpatterns = [
    path("logout/", logout_view, name="logout"),
    path("login/", ThrottledLoginView.as_view(), name="login"),
    path("profile/", profile, name="profile"),
    path("profile/password/", password_change, name="password-change"),
    path("profile/language/", profile_language, name="profile-language"),
    path("profile/tokens/", profile_token_create, name="profile-token-create"),
    path("profile/tokens/<int:pk>/revoke/", profile_token_revoke, name="profile-token-revoke"),
    path("people/", people, name="people"),
    path("people/new/", person_create, name="person-create"),
    path("people/<int:pk>/", person_edit, name="person-edit"),
    path("people/teams/", team_create, name="team-create"),
]

api_urlpatterns = [
    path("auth/token/", TokenObtainView.as_view(), name="api-auth-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("me/password/", PasswordChangeView.as_view(), name="api-me-password"),
    path("tokens/", TokenListView.as_view(), name="api-tokens"),
    path("tokens/<int:pk>/", TokenDetailView.as_view(), name="api-token-detail"),
    path("users/", UserListView.as_view(), name="api-users"),
    path("users/<int:pk>/", UserDetailView.as_view(), name="api-user-detail"),
    path("teams/", TeamListView.as_view(), name="api-teams"),
]
