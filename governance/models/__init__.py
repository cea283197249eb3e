from governance.models.accounts import CROSS_TEAM_READERS, Role, Team, User
from governance.models.audit import GENESIS_HASH, AuditChainHead, AuditEvent
from governance.models.jobs import TERMINAL_STATUSES, BackgroundJob, JobStatus, TrackedJob
from governance.models.tokens import ApiToken, token_digest

__all__ = [
    "CROSS_TEAM_READERS",
    "GENESIS_HASH",
    "TERMINAL_STATUSES",
    "ApiToken",
    "AuditChainHead",
    "AuditEvent",
    "BackgroundJob",
    "JobStatus",
    "Role",
    "Team",
    "TrackedJob",
    "User",
    "token_digest",
]
