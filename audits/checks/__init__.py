"""Pure computation behind audit checks: no Django imports, testable without a database.

Each ``run_*`` function takes data (and, for explainability, a :class:`LoadedModel`) and returns
a :class:`CheckOutcome`; the worker task stores it on the CheckRun row.
"""

from .common import CheckInputError, CheckOutcome, Finding, ProgressCallback
from .loading import LoadedModel, ModelLoadError, UnsafeModelError, load_model

__all__ = [
    "CheckInputError",
    "CheckOutcome",
    "Finding",
    "LoadedModel",
    "ModelLoadError",
    "ProgressCallback",
    "UnsafeModelError",
    "load_model",
]
