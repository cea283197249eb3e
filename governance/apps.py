from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    label = "governance"
    verbose_name = "Governance"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Wiring that needs the app registry: import here, not at module level.
        from governance.kernel.panels import model_version_extras, model_version_panels  # noqa: PLC0415 - ready() runs once the app registry is loaded
        from governance.review.approvals import receivers  # noqa: PLC0415 - ready() runs once the app registry is loaded
        from governance.review.approvals.views import version_page_panels  # noqa: PLC0415 - ready() runs once the app registry is loaded
        from governance.review.evaluation import governance_summary  # noqa: PLC0415 - ready() runs once the app registry is loaded

        receivers.connect()
        model_version_panels.register("review", version_page_panels)
        model_version_extras.register(
            "governance",
            lambda *, user, model_version, upstream: governance_summary(
                actor=user, model_version=model_version, upstream=upstream
            ),
        )
