"""The app's models module: Django loads the models of every layer of the ``governance`` app
from here. Code imports a model from the layer that owns it, never from this module."""

from governance.kernel.accounts.mfa.models import RecoveryCode, SignInPolicy, TotpDevice
from governance.kernel.accounts.models import ApiToken, Team, User
from governance.kernel.accounts.sso.models import ExternalIdentity, GroupMapping
from governance.kernel.audit.models import AuditChainHead, AuditCheckpoint, AuditEvent
from governance.kernel.jobs.models import BackgroundJob
from governance.obligations.conformity.models import Declaration, Derogation
from governance.obligations.crosswalks.models import Applicability, Control
from governance.obligations.documentation.models import DocumentationRevision
from governance.obligations.fria.models import FriaRevision
from governance.obligations.incidents.models import Incident, IncidentFollowUp
from governance.obligations.monitoring.models import MonitoringPlan
from governance.obligations.risks.models import Mitigation, Risk
from governance.policy.classification.models import (
    QuestionnaireOption,
    QuestionnaireQuestion,
    RiskClassification,
)
from governance.policy.deployments.models import Deployment
from governance.policy.notifications.models import Notification, WebhookDelivery, WebhookEndpoint
from governance.policy.policies.models import Policy
from governance.policy.raci.models import Responsibility
from governance.policy.transparency.models import TransparencyMeasure
from governance.review.approvals.models import Decision, Review
from governance.review.state.models import GovernanceState, GovernanceStateEpoch

__all__ = [
    "ApiToken",
    "Applicability",
    "AuditChainHead",
    "AuditCheckpoint",
    "AuditEvent",
    "BackgroundJob",
    "Control",
    "Decision",
    "Declaration",
    "Deployment",
    "Derogation",
    "DocumentationRevision",
    "ExternalIdentity",
    "FriaRevision",
    "GovernanceState",
    "GovernanceStateEpoch",
    "GroupMapping",
    "Incident",
    "IncidentFollowUp",
    "Mitigation",
    "MonitoringPlan",
    "Notification",
    "Policy",
    "QuestionnaireOption",
    "QuestionnaireQuestion",
    "RecoveryCode",
    "Responsibility",
    "Review",
    "Risk",
    "RiskClassification",
    "SignInPolicy",
    "Team",
    "TotpDevice",
    "TransparencyMeasure",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
]
