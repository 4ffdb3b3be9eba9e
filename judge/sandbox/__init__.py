"""Running untrusted programs: the public types and the local backend."""

from judge.sandbox.api import (
    Process,
    ProcessResult,
    ResourceLimits,
    RunRequest,
    RunResult,
    RunStatus,
    Sandbox,
)
from judge.sandbox.local import LocalSandbox, SandboxUnavailable

__all__ = [
    "LocalSandbox",
    "Process",
    "ProcessResult",
    "ResourceLimits",
    "RunRequest",
    "RunResult",
    "RunStatus",
    "Sandbox",
    "SandboxUnavailable",
]
