"""Routes of second factors: browser pages only."""

from django.urls import path

from governance.kernel.accounts.mfa.views import (
    second_factor,
    second_factor_reset,
    second_factor_verify_view,
)

urlpatterns = [
    path("profile/second-factor/", second_factor, name="second-factor"),
    path("second-factor/", second_factor_verify_view, name="second-factor-verify"),
    path("people/<int:pk>/second-factor/reset/", second_factor_reset, name="second-factor-reset"),
]

api_urlpatterns: list = []
