"""The result cache: every run is keyed by (program, test, limits, checker) so a
pool is never judged twice, across processes and sessions. One SQLite file."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
from pathlib import Path

from judge.verdicts import TestResult, Verdict

# Part of every key: bump it whenever a change to the judge can change a result,
# so that results judged by older code are never reused.
JUDGE_VERSION = 2

SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    key TEXT PRIMARY KEY,
    result TEXT NOT NULL
);
"""


def file_digest(*paths: Path | None) -> str:
    """Content hash of the given files (None counts as an absent file)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(b"\0")
        if path is not None:
            with open(path, "rb") as handle:
                digest.update(hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()


def result_key(build_key: str, test_digest: str, limits: object, checker_key: str) -> str:
    """The cache key of one run."""
    blob = json.dumps([JUDGE_VERSION, build_key, test_digest, repr(limits), checker_key])
    return hashlib.sha256(blob.encode()).hexdigest()


class ResultCache:
    """Judged test results on disk; only the judging process writes to it."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=60)
        self._db.execute("PRAGMA journal_mode=WAL")
        # No fsync per result: a crash may lose the last few results (they are
        # re-judged), never corrupt the file.
        self._db.execute("PRAGMA synchronous=NORMAL")
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
