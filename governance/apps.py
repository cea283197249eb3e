from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    label = "governance"
    verbose_name = "Governance"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Fill the extension points of lower layers and connect the review layer's receivers
        (imports here: models and views load only once the app registry is ready)."""
        from governance.kernel.panels import (
            model_version_extras,
            model_version_panels,
            person_panels,
        )
        from governance.policy.raci.views import person_page_panels
        from governance.review.approvals import receivers
        from governance.review.approvals.views import version_page_panels
        from governance.review.evaluation import governance_summary

        receivers.connect()
        person_panels.register("responsibilities", person_page_panels)
        model_version_panels.register("review", version_page_panels)
        model_version_extras.register(
            "governance",
            lambda *, user, model_version, upstream: governance_summary(
                actor=user, model_version=model_version, upstream=upstream
            ),
        )
