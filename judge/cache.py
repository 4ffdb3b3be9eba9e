"""The result cache: every run is keyed by (program, test, limits, checker) so a
pool is never judged twice, across processes and sessions. One SQLite file.

Every key the judge's caches use is made here: a run's result, a run's output
(judge.outputs), an agreement between two outputs, a derived time limit."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from judge.verdicts import TestResult, Verdict

if TYPE_CHECKING:
    from judge.execute import Setup
    from problems.model import TestCase

# Part of every key: bump it whenever a change to the judge can change a result,
# so that results judged by older code are never reused.
JUDGE_VERSION = 2

SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    key TEXT PRIMARY KEY,
    result TEXT NOT NULL
);
"""


def open_cache_db(path: Path) -> sqlite3.Connection:
    """A cache's SQLite file, its folder made if missing: WAL, so readers never
    wait for the writer, and no fsync per write: a crash may lose the last few
    entries (they are made again), never corrupt the file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=60)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    return db


def file_digest(*paths: Path | None) -> str:
    """Content hash of the given files (None counts as an absent file)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(b"\0")
        if path is not None:
            with open(path, "rb") as handle:
                digest.update(hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()


def case_digest(test: TestCase) -> str:
    """What identifies a test: the content of its input and answer, with its
    group's validator flags (they change how the answer is checked)."""
    return file_digest(test.input_path, test.answer_path) + "|" + " ".join(test.validator_flags)


def limits_key(setup: Setup) -> tuple[float, int, int]:
    """The limits a run is made under (time, memory, output): part of its key."""
    limits = setup.problem.limits
    return (setup.time_s, limits.memory_bytes, limits.output_bytes)


def checker_key(setup: Setup) -> str:
    """What identifies the checking of a run: checker, flags, grader, manager."""
    parts = [
        setup.problem.checker.kind.value,
        *setup.problem.checker.flags,
        setup.problem.grader.kind.value,
    ]
    for helper in (setup.checker, setup.manager):
        parts.append(helper.key if helper else "-")
    return "|".join(parts)


def result_key(build_key: str, test_digest: str, limits: object, checker_key: str) -> str:
    """The cache key of one run."""
    blob = json.dumps([JUDGE_VERSION, build_key, test_digest, repr(limits), checker_key])
    return hashlib.sha256(blob.encode()).hexdigest()


def output_key(build_key: str, input_digest: str, limits: object) -> str:
    """The cache key of one program's output on one input (judge.outputs)."""
    blob = json.dumps([JUDGE_VERSION, "output", build_key, input_digest, repr(limits)])
    return hashlib.sha256(blob.encode()).hexdigest()


def agreement_key(checker_key: str, input_digest: str, answer: str, output: str) -> str:
    """The cache key of whether the checker accepts output digest `output` when
    `answer` is taken as the answer, on one input (judge.outputs)."""
    blob = json.dumps([JUDGE_VERSION, checker_key, input_digest, answer, output])
    return hashlib.sha256(blob.encode()).hexdigest()


def time_limit_key(
    problem_name: str, program_keys: Iterable[str], test_digests: Iterable[str]
) -> str:
    """The key of a derived time limit: the problem, the programs it is derived
    from (its accepted submissions) and its tests."""
    digest = hashlib.sha256(problem_name.encode())
    for key in program_keys:
        digest.update(key.encode())
    for test in test_digests:
        digest.update(test.encode())
    return digest.hexdigest()


class ResultCache:
    """Judged test results on disk; only the judging process writes to it."""

    def __init__(self, path: Path) -> None:
        self._db = open_cache_db(path)
        self._db.executescript(SCHEMA)

    def get(self, key: str) -> TestResult | None:
        """The cached result for `key`, if any."""
        row = self._db.execute("SELECT result FROM results WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        data = json.loads(row[0])
        data["verdict"] = Verdict[data["verdict"]]
        return TestResult(**data)

    def put(self, key: str, result: TestResult) -> None:
        """Remember `result`; judge errors are never cached (they must be retried)."""
        if result.verdict is Verdict.JE:
            return
        data = dataclasses.asdict(result)
        data["verdict"] = result.verdict.name
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO results (key, result) VALUES (?, ?)",
                (key, json.dumps(data)),
            )

    def close(self) -> None:
        """Close the database."""
        self._db.close()
