"""JSON-lines encoding of requests and results between LocalSandbox and its runner.

Pure functions: dataclass <-> plain dict. Tuples travel as JSON lists."""

from __future__ import annotations

import dataclasses
from typing import Any

from judge.sandbox.api import (
    Process,
    ProcessResult,
    ResourceLimits,
    RunRequest,
    RunResult,
    RunStatus,
)


def _pairs(items: Any) -> tuple[tuple[str, str], ...]:
    return tuple((str(a), str(b)) for a, b in items)


def request_to_dict(request: RunRequest) -> dict[str, Any]:
    """Encode a request as JSON-ready data."""
    return dataclasses.asdict(request)


def request_from_dict(data: dict[str, Any]) -> RunRequest:
    """Decode a request; raises KeyError/TypeError/ValueError on malformed data."""
    processes = tuple(
        Process(
            argv=tuple(str(a) for a in p["argv"]),
            limits=ResourceLimits(**p["limits"]),
            stdin=p["stdin"],
            stdout=p["stdout"],
            stderr=p["stderr"],
            python=bool(p["python"]),
            env=_pairs(p["env"]),
            trusted=bool(p["trusted"]),
        )
        for p in data["processes"]
    )
    return RunRequest(
        processes=processes,
        files_in=_pairs(data["files_in"]),
        trusted_files_in=_pairs(data["trusted_files_in"]),
        dirs=tuple(str(d) for d in data["dirs"]),
        fifos=tuple(str(f) for f in data["fifos"]),
        files_out=_pairs(data["files_out"]),
        dirs_out=_pairs(data["dirs_out"]),
        read_only_dirs=_pairs(data.get("read_only_dirs", ())),
    )


def result_to_dict(result: RunResult) -> dict[str, Any]:
    """Encode a result as JSON-ready data (statuses by value)."""
    return {
        "error": result.error,
        "processes": [
            {**dataclasses.asdict(p), "status": p.status.value} for p in result.processes
        ],
    }


def result_from_dict(data: dict[str, Any]) -> RunResult:
    """Decode a result; raises KeyError/TypeError/ValueError on malformed data."""
    return RunResult(
        error=data["error"],
        processes=tuple(
            ProcessResult(**{**p, "status": RunStatus(p["status"])}) for p in data["processes"]
        ),
    )
