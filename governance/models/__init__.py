from governance.models.accounts import CROSS_TEAM_READERS, Role, Team, User
from governance.models.audit import GENESIS_HASH, AuditChainHead, AuditEvent

# The governance domain below depends on the kernel above (and on registry by app label).
from governance.models.classification import (
    QuestionnaireOption,
    QuestionnaireQuestion,
    RiskClassification,
    RiskTier,
)
from governance.models.deployments import Deployment, DeploymentAction, Environment
from governance.models.jobs import TERMINAL_STATUSES, BackgroundJob, JobStatus, TrackedJob
from governance.models.notifications import (
    NOTIFICATION_EVENTS,
    Notification,
    WebhookDelivery,
    WebhookEndpoint,
)
from governance.models.policies import (
    ACCOUNTABLE_OWNER,
    CHECK_KINDS,
    POLICY_TIERS,
    UNCLASSIFIED,
    Policy,
)
from governance.models.responsibilities import Raci, Responsibility
from governance.models.reviews import Decision, DecisionKind, Review, ReviewStatus
from governance.models.tokens import ApiToken, token_digest

__all__ = [
    "ACCOUNTABLE_OWNER",
    "CHECK_KINDS",
    "CROSS_TEAM_READERS",
    "GENESIS_HASH",
    "NOTIFICATION_EVENTS",
    "POLICY_TIERS",
    "TERMINAL_STATUSES",
    "UNCLASSIFIED",
    "ApiToken",
    "AuditChainHead",
    "AuditEvent",
    "BackgroundJob",
    "Decision",
    "DecisionKind",
    "Deployment",
    "DeploymentAction",
    "Environment",
    "JobStatus",
    "Notification",
    "Policy",
    "QuestionnaireOption",
    "QuestionnaireQuestion",
    "Raci",
    "Responsibility",
    "Review",
    "ReviewStatus",
    "RiskClassification",
    "RiskTier",
    "Role",
    "Team",
    "TrackedJob",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
    "token_digest",
]
