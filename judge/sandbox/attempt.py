"""One run on a runner that serves JSON lines, over any transport: send the
request, read the reply or declare the runner dead. LocalSandbox (a pipe to
the runner's process) and DockerSandbox (a socket to `docker exec`) both use
it, and both make a run once more on a fresh runner when the first one died
(`run_with_retry`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from judge.sandbox import wire
from judge.sandbox.api import RunRequest, RunResult

REPLY_MARGIN_S = 60.0  # beyond the request's longest wall time, for set-up and clean-up
RUN_ATTEMPTS = 2


def send_and_read(
    request: RunRequest,
    send: Callable[[bytes], None],
    read_line: Callable[[float], dict[str, Any] | None],
    drop: Callable[[], None],
    runner: str,
) -> RunResult:
    """Send `request` as one JSON line with `send` and return the reply that
    `read_line` reads within the request's longest wall time plus
    REPLY_MARGIN_S. A runner that cannot be written to (OSError) or gives no
    reply is dropped with `drop` and the run is a sandbox error naming `runner`."""
    longest = max((p.limits.wall_time_s for p in request.processes), default=0.0)
    try:
        send((json.dumps(wire.request_to_dict(request)) + "\n").encode())
    except OSError:
        drop()
        return RunResult(processes=(), error=f"{runner} died")
    reply = read_line(longest + REPLY_MARGIN_S)
    if reply is None:
        drop()
        return RunResult(processes=(), error=f"{runner} died mid-run")
    return wire.result_from_dict(reply)


def run_with_retry(run_once: Callable[[], RunResult], alive: Callable[[], bool]) -> RunResult:
    """`run_once()`, made again (up to RUN_ATTEMPTS in all) while the runner it
    used died (`alive()` false): a run the runner's death cut short is made on
    a fresh one; only a second failure is the caller's error."""
    result = run_once()
    for _attempt in range(1, RUN_ATTEMPTS):
        if alive():
            break
        result = run_once()
    return result
