from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    label = "governance"
    verbose_name = "Governance"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Fill the extension points of lower layers and connect the review layer's receivers
        (imports here: models and views load only once the app registry is ready)."""
        from governance.celery import app
        from governance.kernel.accounts import receivers as account_receivers
        from governance.kernel.panels import (
            finding_actions,
            model_version_extras,
            model_version_panels,
            person_panels,
        )
        from governance.obligations.documentation import receivers as documentation_receivers
        from governance.obligations.incidents.beat import BEAT_SCHEDULE
        from governance.obligations.incidents.views import finding_row_action
        from governance.policy.raci.views import person_page_panels
        from governance.review.approvals import receivers
        from governance.review.approvals.views import version_page_panels
        from governance.review.state import receivers as state_receivers
        from governance.review.state.services import governance_for_reader

        receivers.connect()
        state_receivers.connect()
        documentation_receivers.connect()
        app.conf.beat_schedule = {**(app.conf.beat_schedule or {}), **BEAT_SCHEDULE}
        finding_actions.register("incident", finding_row_action)
        account_receivers.connect()
        person_panels.register("responsibilities", person_page_panels)
        model_version_panels.register("review", version_page_panels)
        model_version_extras.register(
            "governance",
            lambda *, user, model_version, upstream: governance_for_reader(
                actor=user, model_version=model_version, upstream=upstream
            ),
        )
