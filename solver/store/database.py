"""The run store's file: one SQLite database per run (`DIR/run.sqlite`), its schema
(all SQL of the project lives in this package) and its transactions.

Durability: the database runs in WAL mode with `synchronous=NORMAL`. A committed
transaction survives the process being killed (SIGKILL, OOM, Ctrl-C) because its
pages are already in the WAL file in the OS page cache; what NORMAL gives up
compared with FULL is the last few transactions on an OS crash or power loss (the
database stays consistent, those commits roll back). Sampling is resumable, so a
lost chunk is simply sampled again; that trade buys one fsync per checkpoint
instead of one per chunk. The kill test (tests/test_sample_resume.py) checks the
process-kill case.

Writers: one sampler writes a run directory at a time; any number of readers
(`cpsolve pool`, dashboards) may read concurrently and see consistent snapshots.

Judge results are not stored here: the judge's result cache is the one record of
runs, keyed by program and test. Files of schema version 1 written before this
rule also hold three tables nothing reads (`tests`, `runs`, `clusters`); they open
as they are.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Self

SCHEMA_VERSION = 1
DB_FILENAME = "run.sqlite"
BUSY_TIMEOUT_MS = 30_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS problems (
    name TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    format TEXT NOT NULL,
    content_hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS prompts (
    key TEXT PRIMARY KEY,
    problem TEXT NOT NULL REFERENCES problems(name),
    language TEXT NOT NULL,
    subtask TEXT,
    template TEXT NOT NULL,
    messages_json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS candidates (
    id INTEGER PRIMARY KEY,
    problem TEXT NOT NULL REFERENCES problems(name),
    prompt_key TEXT NOT NULL REFERENCES prompts(key),
    language TEXT NOT NULL,
    source TEXT NOT NULL,
    source_hash TEXT NOT NULL,
    sample_count INTEGER NOT NULL CHECK (sample_count >= 1),
    engine TEXT NOT NULL,
    model TEXT NOT NULL,
    params_json TEXT NOT NULL,
    seed INTEGER NOT NULL,
    num_tokens INTEGER NOT NULL,
    logprob REAL,
    target_subtask TEXT,
    UNIQUE (problem, language, source_hash)
);
CREATE TABLE IF NOT EXISTS samples (
    prompt_key TEXT NOT NULL REFERENCES prompts(key),
    sample_index INTEGER NOT NULL CHECK (sample_index >= 0),
    chunk INTEGER NOT NULL,
    candidate_id INTEGER REFERENCES candidates(id),
    num_tokens INTEGER NOT NULL,
    logprob REAL,
    PRIMARY KEY (prompt_key, sample_index)
);
CREATE INDEX IF NOT EXISTS samples_by_candidate ON samples(candidate_id);
CREATE TABLE IF NOT EXISTS chunks (
    prompt_key TEXT NOT NULL REFERENCES prompts(key),
    chunk INTEGER NOT NULL CHECK (chunk >= 0),
    size INTEGER NOT NULL CHECK (size >= 1),
    base_seed INTEGER NOT NULL,
    seed INTEGER,
    done INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
    PRIMARY KEY (prompt_key, chunk)
);
CREATE TABLE IF NOT EXISTS selections (
    problem TEXT NOT NULL REFERENCES problems(name),
    strategy TEXT NOT NULL,
    rank INTEGER NOT NULL CHECK (rank >= 0),
    candidate_id INTEGER NOT NULL REFERENCES candidates(id),
    PRIMARY KEY (problem, strategy, rank)
);
"""


class StoreError(Exception):
    """The run store cannot do what was asked: names the database file and why."""

    def __init__(self, path: Path | str, message: str) -> None:
        self.path = Path(path)
        self.message = message
        super().__init__(f"{self.path}: {message}")


class Database:
    """One run's SQLite file: opening (schema check), transactions, closing. The
    store's table groups (`solver.store.problems`, `.samples`, `.selections`) build
    on it; open with `RunStore.open(dir)`."""

    def __init__(self, path: Path, connection: sqlite3.Connection, readonly: bool) -> None:
        self.path = path
        self.readonly = readonly
        self._db = connection

    @classmethod
    def open(cls, run_dir: Path | str, *, readonly: bool = False) -> Self:
        """Open (creating it unless `readonly`) the store of the run in `run_dir`,
        checking its schema version."""
        path = Path(run_dir) / DB_FILENAME
        try:
            if readonly:
                if not path.is_file():
                    raise StoreError(path, "no run store here")
                connection = sqlite3.connect(
                    f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None
                )
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                connection = sqlite3.connect(path, isolation_level=None)
        except sqlite3.Error as error:
            raise StoreError(path, f"cannot open: {error}") from error
        store = cls(path, connection, readonly)
        try:
            store._configure()
        except sqlite3.DatabaseError as error:
            connection.close()
            raise StoreError(path, f"not a usable run store: {error}") from error
        except StoreError:
            connection.close()
            raise
        return store

    def _configure(self) -> None:
        self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self._db.execute("PRAGMA foreign_keys = ON")
        if not self.readonly:
            mode = self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode != "wal":
                raise StoreError(self.path, f"cannot switch to WAL mode (got {mode})")
            self._db.execute("PRAGMA synchronous = NORMAL")
            with self._write():
                self._create_schema()
        found = self._schema_version()
        if found != SCHEMA_VERSION:
            raise StoreError(
                self.path, f"schema version {found}, this cpsolve reads version {SCHEMA_VERSION}"
            )

    def _create_schema(self) -> None:
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                self._db.execute(statement)
        self._db.execute(
            "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)",
            (str(SCHEMA_VERSION),),
        )

    def _schema_version(self) -> int | None:
        try:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.OperationalError:
            return None
        return int(row[0]) if row else None

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One write transaction, taking the write lock up front; rolled back on
        any exception so a failed write leaves nothing behind."""
        if self.readonly:
            raise StoreError(self.path, "store was opened read-only")
        self._db.execute("BEGIN IMMEDIATE")
        committed = False
        try:
            yield
            self._db.execute("COMMIT")
            committed = True
        finally:
            if not committed:
                self._db.execute("ROLLBACK")

    @contextmanager
    def _snapshot(self) -> Iterator[None]:
        """One read transaction: every query inside sees the same committed state."""
        self._db.execute("BEGIN")
        try:
            yield
        finally:
            self._db.execute("COMMIT")

    def close(self) -> None:
        """Close the connection (idempotent)."""
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def meta(self) -> dict[str, str]:
        """The key/value metadata of the store (at least `schema_version`)."""
        rows = self._db.execute("SELECT key, value FROM meta ORDER BY key").fetchall()
        return {key: value for key, value in rows}

    def check_integrity(self) -> list[str]:
        """SQLite's integrity and foreign-key checks; `["ok"]` when all is well."""
        problems = [row[0] for row in self._db.execute("PRAGMA integrity_check").fetchall()]
        broken = self._db.execute("PRAGMA foreign_key_check").fetchall()
        problems.extend(f"foreign key: {row}" for row in broken)
        return problems
