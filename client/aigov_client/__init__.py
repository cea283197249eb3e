"""Python client for the AI governance registry.

from aigov_client import Client

client = Client()  # AIGOV_URL / AIGOV_TOKEN, or the file `aigov login` wrote
mv = client.register_model(system="Credit scoring", model="risk-gbm", version="1.4.0",
                           estimator=clf, training_data=train_df)
print(client.gate(mv).allowed)
"""

from aigov_client.client import Client
from aigov_client.errors import (
    ApiError,
    ClientError,
    ConfigurationError,
    Conflict,
    ConnectionFailed,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    Unauthorized,
    ValidationError,
    WaitTimeout,
)
from aigov_client.resources import (
    Artefact,
    CheckRun,
    Dataset,
    DatasetVersion,
    GateReason,
    GateResult,
    Model,
    ModelVersion,
    Report,
    System,
    Token,
    User,
)
from aigov_client.serialize import SerializedModel, serialize_model

__version__ = "0.1.0"

__all__ = [
    "ApiError",
    "Artefact",
    "CheckRun",
    "Client",
    "ClientError",
    "ConfigurationError",
    "Conflict",
    "ConnectionFailed",
    "Dataset",
    "DatasetVersion",
    "GateReason",
    "GateResult",
    "Model",
    "ModelVersion",
    "NotFound",
    "PermissionDenied",
    "RateLimited",
    "Report",
    "SerializedModel",
    "ServerError",
    "System",
    "Token",
    "Unauthorized",
    "User",
    "ValidationError",
    "WaitTimeout",
    "serialize_model",
]
