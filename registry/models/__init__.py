from registry.models.blobs import Blob, blob_path
from registry.models.datasets import (
    SPECIAL_CATEGORIES,
    Column,
    ColumnRole,
    Dataset,
    DatasetVersion,
    PIIFlag,
    PIIStatus,
    ProfileStatus,
    ProfilingJob,
)
from registry.models.lineage import ALLOWED_ENDPOINTS, EdgeKind, LineageEdge
from registry.models.mlflow import MlflowImport, MlflowLink
from registry.models.models import (
    IMMUTABLE_AFTER_SUBMIT,
    ArtefactFetchJob,
    ArtefactSource,
    Model,
    ModelTask,
    ModelVersion,
    Verification,
    VersionStatus,
)
from registry.models.prompts import PromptBinding, PromptRole, PromptTemplate, PromptVersion
from registry.models.systems import DOCUMENTATION_FIELDS, AISystem

__all__ = [
    "ALLOWED_ENDPOINTS",
    "DOCUMENTATION_FIELDS",
    "IMMUTABLE_AFTER_SUBMIT",
    "SPECIAL_CATEGORIES",
    "AISystem",
    "ArtefactFetchJob",
    "ArtefactSource",
    "Blob",
    "Column",
    "ColumnRole",
    "Dataset",
    "DatasetVersion",
    "EdgeKind",
    "LineageEdge",
    "MlflowImport",
    "MlflowLink",
    "Model",
    "ModelTask",
    "ModelVersion",
    "PIIFlag",
    "PIIStatus",
    "ProfileStatus",
    "ProfilingJob",
    "PromptBinding",
    "PromptRole",
    "PromptTemplate",
    "PromptVersion",
    "Verification",
    "VersionStatus",
    "blob_path",
]
