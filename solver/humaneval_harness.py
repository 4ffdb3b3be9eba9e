"""Runs one HumanEval completion on its hidden check and on a set of generated
tests, inside the sandbox (standalone: standard library only;
`solver/humaneval_pool.py` copies it into the box).

Usage: `python3 humaneval_harness.py job.json tests.bin` where job.json holds
{"check_program": str, "check_wall": float, "program": str, "inputs": [str],
"timeout": float, "deadline": float, "inputs_budget": float} and tests.bin is the
marshalled list of the asserts' code objects (compiled once per task by the
caller, with this same interpreter).

This process only supervises: the hidden check runs in one forked child, the
program with its asserts and inputs in a second one (the sandbox allows two
processes, so a child cannot fork further). Each child prints its JSON lines on the
stdout the harness started with (the candidate's own prints go to a sink that
discards them and refuses reads, as CodeT's `swallow_io` does):

- `{"check": "passed" | "timed out" | "failed: NAME"}`: the whole hidden-check
  program run under one `timeout` s limit (CodeT's ground truth); its child is
  killed after `check_wall` s of wall time ("timed out");
- `{"status": "ok" | "aborted" | "late", "passed": [bool], "elapsed": s}`: the
  program is executed once, then each assert in its namespace under its own
  `timeout` s timer; an `Exception` fails that assert, anything else
  (SystemExit...) aborts the run, and the run is "late" once `deadline` seconds
  have passed (CodeT then counts no assert as passed);
- `{"outputs": [str]}`: for each input expression (a call of the entry point), a
  digest of the repr of its value, "!TLE" or "!" + the exception's name ("!SKIP"
  once the phase has used `inputs_budget` s), for behavioural clustering.

Time limits are CPU time (ITIMER_PROF), with a wall-clock backstop of ten times
as much (ITIMER_REAL): CodeT's own limits are 0.1 s of wall-clock time, which on a
loaded machine fails correct programs that merely waited for a core; in CPU time the
result does not depend on the load. Elapsed time and the deadline are CPU time of
the child too. A completion that catches the timeout and keeps looping is stopped
by the sandbox's own limits (its child then prints no line). A hostile completion
runs in the child that prints its result and could forge it; the sandbox protects
the machine, not the integrity of the completion's own result (the same holds for
CodeT's and HumanEval's in-process harnesses).
"""

from __future__ import annotations

import hashlib
import io
import json
import marshal
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import CodeType, FrameType
from typing import Any


class TimeoutHit(Exception):
    """Raised by the alarm when a timed piece of candidate code runs too long."""


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise TimeoutHit("timed out")


@contextmanager
def time_limit(seconds: float, wall_factor: float = 10.0) -> Iterator[None]:
    """Raise TimeoutHit in the running code after `seconds` of CPU time (ITIMER_PROF),
    or after `wall_factor` times as much wall time (a sleeping or blocked call), so
    that a loaded machine does not fail a program that only waited for a core."""
    signal.signal(signal.SIGPROF, _alarm)
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    signal.setitimer(signal.ITIMER_REAL, seconds * wall_factor)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.setitimer(signal.ITIMER_PROF, 0)


class Sink(io.TextIOBase):
    """Where the candidate's stdout/stderr go: writes are dropped, reads fail."""

    def write(self, text: str) -> int:
        return len(text)

    def writable(self) -> bool:
        return True

    def read(self, size: int | None = -1, /) -> str:
        raise OSError("stdin is closed")

    def readable(self) -> bool:
        return False


def digest(value: object) -> str:
    """A short label of a value: equal for two values with the same repr."""
    return hashlib.sha256(repr(value).encode("utf-8", "backslashreplace")).hexdigest()[:16]


def run_check(job: dict[str, Any]) -> dict[str, Any]:
    """The hidden check: the whole program under one timer."""
    try:
        with time_limit(job["timeout"]):
            exec(job["check_program"], {})  # noqa: S102 - the point of the harness
        return {"check": "passed"}
    except TimeoutHit:
        return {"check": "timed out"}
    except BaseException as error:  # noqa: BLE001 - any failure of the candidate is a fail
        return {"check": f"failed: {type(error).__name__}"}


def run_tests(
    job: dict[str, Any], tests: list[CodeType], namespace: dict[str, Any]
) -> dict[str, Any]:
    """The program once, then each assert under its own timer, all within the
    whole-run `deadline` (CodeT kills the run then: status "late")."""
    start = time.process_time()
    deadline = job["deadline"]
    passed: list[bool] = []
    status = "ok"
    try:
        with time_limit(deadline):
            exec(job["program"], namespace)  # noqa: S102
        for test in tests:
            try:
                with time_limit(job["timeout"]):
                    exec(test, namespace)  # noqa: S102
                passed.append(True)
            except Exception:  # noqa: BLE001 - CodeT: an Exception fails this assert only
                passed.append(False)
            if time.process_time() - start > deadline:
                status = "late"
                break
    except TimeoutHit:
        status = "late"
    except BaseException:  # noqa: BLE001 - CodeT: anything else fails the whole run
        status = "aborted"
    return {"status": status, "passed": passed, "elapsed": time.process_time() - start}


def run_inputs(job: dict[str, Any], namespace: dict[str, Any]) -> dict[str, Any]:
    """The value of each input expression, as a digest (or a failure label); once the
    phase has used `inputs_budget` s of CPU time, the rest are "!SKIP"."""
    outputs: list[str] = []
    start = time.process_time()
    for expression in job["inputs"]:
        if time.process_time() - start > job["inputs_budget"]:
            outputs.append("!SKIP")
            continue
        try:
            with time_limit(job["timeout"]):
                value = eval(expression, namespace)  # noqa: S307
            outputs.append(digest(value))
        except TimeoutHit:
            outputs.append("!TLE")
        except BaseException as error:  # noqa: BLE001 - a failed call is a behaviour
            outputs.append("!" + type(error).__name__)
    return {"outputs": outputs}


def in_child(work: Callable[[], list[dict[str, Any]]], wall_s: float | None) -> bool:
    """Run `work` in a forked child that writes its result lines itself; False when
    the child was killed after `wall_s` seconds. This process never runs candidate
    code, and with the sandbox's limit of 2 processes the child cannot fork."""
    pid = os.fork()
    if pid == 0:
        for line in work():
            os.write(1, (json.dumps(line) + "\n").encode())
        os._exit(0)
    if wall_s is None:
        os.waitpid(pid, 0)
        return True
    try:
        with time_limit(wall_s, wall_factor=1.0):
            os.waitpid(pid, 0)
    except TimeoutHit:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        return False
    return True


def main() -> None:
    """Run the job named by argv[1] (asserts from argv[2]) and print its lines."""
    with open(sys.argv[1], encoding="utf-8") as handle:
        job = json.load(handle)
    with open(sys.argv[2], "rb") as binary:
        tests = marshal.load(binary)
    sys.stdout = sys.stderr = sys.stdin = Sink()
    if not in_child(lambda: [run_check(job)], job["check_wall"]):
        os.write(1, b'{"check": "timed out"}\n')

    def tests_then_inputs() -> list[dict[str, Any]]:
        namespace: dict[str, Any] = {}
        return [run_tests(job, tests, namespace), run_inputs(job, namespace)]

    in_child(tests_then_inputs, None)


if __name__ == "__main__":
    main()
