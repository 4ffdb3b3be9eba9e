"""The run store: one SQLite file per run (`DIR/run.sqlite`) holding everything a
run produces - problems, prompts, sampled candidates, raw samples, the chunks that
make sampling resumable, and the tables later stages fill (tests, judge runs,
clusters, selections). All SQL of the project lives in this module.

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
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from solver.sampling.engine import Completion, Prompt, SamplingParams

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
CREATE TABLE IF NOT EXISTS tests (
    problem TEXT NOT NULL REFERENCES problems(name),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    input_hash TEXT NOT NULL,
    origin TEXT NOT NULL,
    PRIMARY KEY (problem, name)
);
CREATE TABLE IF NOT EXISTS runs (
    candidate_id INTEGER NOT NULL REFERENCES candidates(id),
    test_name TEXT NOT NULL,
    limits_json TEXT NOT NULL,
    status TEXT NOT NULL,
    verdict TEXT NOT NULL,
    score REAL,
    cpu_time_s REAL,
    memory_bytes INTEGER,
    message TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (candidate_id, test_name, limits_json)
);
CREATE TABLE IF NOT EXISTS clusters (
    problem TEXT NOT NULL REFERENCES problems(name),
    cluster_id INTEGER NOT NULL,
    candidate_id INTEGER NOT NULL REFERENCES candidates(id),
    signature TEXT NOT NULL,
    PRIMARY KEY (problem, candidate_id)
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


@dataclass(frozen=True)
class ProblemRow:
    """A problem sampled in this run; `content_hash` pins the package version."""

    name: str
    path: str
    format: str
    content_hash: str


@dataclass(frozen=True)
class PromptRow:
    """A prompt as stored: `messages_json` is the chat as a JSON list."""

    key: str
    problem: str
    language: str
    subtask: str | None
    template: str
    messages_json: str


@dataclass(frozen=True)
class ExtractedProgram:
    """The program extracted from one completion: its source and normalised hash."""

    source: str
    source_hash: str


@dataclass(frozen=True)
class CandidateRow:
    """A distinct program - unique per (problem, language, normalised-source hash) -
    with how often it was sampled and the provenance of its first sample."""

    id: int
    problem: str
    prompt_key: str
    language: str
    source: str
    source_hash: str
    sample_count: int
    engine: str
    model: str
    params_json: str
    seed: int
    num_tokens: int
    logprob: float | None
    target_subtask: str | None


@dataclass(frozen=True)
class SampleRow:
    """One raw completion; `candidate_id` is None when no code could be extracted."""

    prompt_key: str
    sample_index: int
    chunk: int
    candidate_id: int | None
    num_tokens: int
    logprob: float | None


@dataclass(frozen=True)
class ChunkRow:
    """The resume unit: room for `size` samples of one prompt, with indices from
    chunk * (size of chunk 0) on. A done chunk may hold fewer samples than `size`
    when the engine gave fewer (the mutants engine can run out of new mutants).

    `base_seed` is the run's seed; `seed` the seed the engine call used (set when
    the chunk is done)."""

    prompt_key: str
    chunk: int
    size: int
    base_seed: int
    seed: int | None
    done: bool


@dataclass(frozen=True)
class ChunkResult:
    """Everything one finished chunk writes: its completions (indices already
    global within the prompt), the extraction result of each (None = failure), and
    the parameters of the engine call that produced them."""

    prompt_key: str
    chunk: int
    completions: tuple[Completion, ...]
    extracted: tuple[ExtractedProgram | None, ...]
    params: SamplingParams


@dataclass(frozen=True)
class TestRow:
    """A test known to the run: from the package or generated (`origin`)."""

    problem: str
    name: str
    kind: str
    input_hash: str
    origin: str


@dataclass(frozen=True)
class RunRow:
    """One judged run of a candidate on a test under given limits. `status` is the
    judge's own outcome (a judge error is not the candidate's fault); `verdict` is
    the candidate's."""

    candidate_id: int
    test_name: str
    limits_json: str
    status: str
    verdict: str
    score: float | None
    cpu_time_s: float | None
    memory_bytes: int | None
    message: str = ""


@dataclass(frozen=True)
class ClusterRow:
    """A candidate's cluster: candidates with equal `signature` share `cluster_id`."""

    problem: str
    cluster_id: int
    candidate_id: int
    signature: str


@dataclass(frozen=True)
class SelectionRow:
    """The candidate a strategy submits at position `rank` (0 = first)."""

    problem: str
    strategy: str
    rank: int
    candidate_id: int


@dataclass(frozen=True)
class StoreSummary:
    """Counts over the whole store, taken from one consistent snapshot."""

    problems: int
    prompts: int
    chunks_planned: int
    chunks_done: int
    samples: int
    extraction_failures: int
    candidates: int
    sampled_into_candidates: int
    tokens: int


def _json_params(params: SamplingParams) -> str:
    return json.dumps(dataclasses.asdict(params), sort_keys=True)


class RunStore:
    """Typed access to one run's SQLite file. Open with `RunStore.open(dir)`; use
    as a context manager or call `close()`."""

    def __init__(self, path: Path, connection: sqlite3.Connection, readonly: bool) -> None:
        self.path = path
        self.readonly = readonly
        self._db = connection

    @classmethod
    def open(cls, run_dir: Path | str, *, readonly: bool = False) -> RunStore:
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

    def __enter__(self) -> RunStore:
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

    # problems and prompts

    def add_problem(self, row: ProblemRow) -> None:
        """Register a problem; re-adding the same content is a no-op, but a
        different package under a known name is refused (it would mix pools)."""
        with self._write():
            found = self._db.execute(
                "SELECT format, content_hash FROM problems WHERE name = ?", (row.name,)
            ).fetchone()
            if found is None:
                self._db.execute(
                    "INSERT INTO problems(name, path, format, content_hash) VALUES (?, ?, ?, ?)",
                    (row.name, row.path, row.format, row.content_hash),
                )
            elif tuple(found) != (row.format, row.content_hash):
                raise StoreError(
                    self.path,
                    f"problem {row.name!r} is already in this run with different content "
                    f"({found[0]} {found[1]}, now {row.format} {row.content_hash}); "
                    "use a new run directory",
                )
            else:
                self._db.execute(
                    "UPDATE problems SET path = ? WHERE name = ?", (row.path, row.name)
                )

    def problems(self) -> list[ProblemRow]:
        """All problems of the run, by name."""
        rows = self._db.execute(
            "SELECT name, path, format, content_hash FROM problems ORDER BY name"
        ).fetchall()
        return [ProblemRow(*row) for row in rows]

    def add_prompts(self, problem: str, prompts: Sequence[Prompt]) -> None:
        """Register the prompts of `problem` (known keys are kept as they are)."""
        with self._write():
            for prompt in prompts:
                key = prompt.key()
                owner = self._db.execute(
                    "SELECT problem FROM prompts WHERE key = ?", (key,)
                ).fetchone()
                if owner is not None and owner[0] != problem:
                    raise StoreError(
                        self.path, f"prompt {key} belongs to {owner[0]!r}, not {problem!r}"
                    )
                self._db.execute(
                    "INSERT OR IGNORE INTO prompts"
                    "(key, problem, language, subtask, template, messages_json)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        key,
                        problem,
                        prompt.language,
                        prompt.subtask,
                        prompt.template,
                        json.dumps(list(prompt.messages)),
                    ),
                )

    def prompts(self, problem: str | None = None) -> list[PromptRow]:
        """The stored prompts, of one problem or all, by (problem, key)."""
        query = "SELECT key, problem, language, subtask, template, messages_json FROM prompts"
        if problem is None:
            rows = self._db.execute(query + " ORDER BY problem, key").fetchall()
        else:
            rows = self._db.execute(
                query + " WHERE problem = ? ORDER BY key", (problem,)
            ).fetchall()
        return [PromptRow(*row) for row in rows]

    # chunks: the resume unit

    def plan_chunks(self, prompt_key: str, sizes: Sequence[int], base_seed: int) -> None:
        """Record the planned chunks of a prompt (chunk j has `sizes[j]` samples).

        A chunk already done must match the plan - otherwise the run directory was
        sampled with another chunk size or seed and resuming would mix the two."""
        with self._write():
            for chunk, size in enumerate(sizes):
                found = self._db.execute(
                    "SELECT size, base_seed, done FROM chunks WHERE prompt_key = ? AND chunk = ?",
                    (prompt_key, chunk),
                ).fetchone()
                if found is None:
                    self._db.execute(
                        "INSERT INTO chunks(prompt_key, chunk, size, base_seed)"
                        " VALUES (?, ?, ?, ?)",
                        (prompt_key, chunk, size, base_seed),
                    )
                elif found[2]:
                    if (found[0], found[1]) != (size, base_seed):
                        raise StoreError(
                            self.path,
                            f"prompt {prompt_key} chunk {chunk} was sampled with size "
                            f"{found[0]} and seed {found[1]}; this run asks for size {size} "
                            f"and seed {base_seed}. Use the same settings or a new directory",
                        )
                else:
                    self._db.execute(
                        "UPDATE chunks SET size = ?, base_seed = ?"
                        " WHERE prompt_key = ? AND chunk = ?",
                        (size, base_seed, prompt_key, chunk),
                    )

    def chunks(self, prompt_key: str) -> list[ChunkRow]:
        """All planned chunks of a prompt, in order."""
        rows = self._db.execute(
            "SELECT prompt_key, chunk, size, base_seed, seed, done FROM chunks"
            " WHERE prompt_key = ? ORDER BY chunk",
            (prompt_key,),
        ).fetchall()
        return [
            ChunkRow(key, chunk, size, base_seed, seed, bool(done))
            for key, chunk, size, base_seed, seed, done in rows
        ]

    def done_chunks(self, prompt_key: str) -> set[int]:
        """Indices of the chunks of a prompt whose samples are all stored."""
        rows = self._db.execute(
            "SELECT chunk FROM chunks WHERE prompt_key = ? AND done = 1", (prompt_key,)
        ).fetchall()
        return {row[0] for row in rows}

    def record_chunk(
        self,
        prompt_key: str,
        chunk: int,
        completions: Sequence[Completion],
        extracted: Sequence[ExtractedProgram | None],
        params: SamplingParams,
    ) -> None:
        """Store one finished chunk atomically: see `record_chunks`."""
        self.record_chunks(
            [ChunkResult(prompt_key, chunk, tuple(completions), tuple(extracted), params)]
        )

    def record_chunks(self, results: Sequence[ChunkResult]) -> None:
        """Store finished chunks in ONE transaction: a sample row per completion,
        each extracted program upserted into candidates (a known hash only counts
        one more sample), and every chunk marked done. Either all of it lands or
        none, so a kill never leaves a chunk half counted."""
        with self._write():
            for result in results:
                self._record_one(result)

    def _record_one(self, result: ChunkResult) -> None:
        if len(result.completions) != len(result.extracted):
            raise StoreError(
                self.path,
                f"chunk {result.chunk} of {result.prompt_key}: {len(result.completions)} "
                f"completions but {len(result.extracted)} extraction results",
            )
        prompt = self._db.execute(
            "SELECT problem, language, subtask FROM prompts WHERE key = ?", (result.prompt_key,)
        ).fetchone()
        if prompt is None:
            raise StoreError(self.path, f"unknown prompt {result.prompt_key}")
        chunk = self._db.execute(
            "SELECT size, done FROM chunks WHERE prompt_key = ? AND chunk = ?",
            (result.prompt_key, result.chunk),
        ).fetchone()
        if chunk is None:
            raise StoreError(self.path, f"chunk {result.chunk} of {result.prompt_key} not planned")
        if chunk[1]:
            raise StoreError(
                self.path, f"chunk {result.chunk} of {result.prompt_key} is already recorded"
            )
        (full_size,) = self._db.execute(
            "SELECT size FROM chunks WHERE prompt_key = ? AND chunk = 0", (result.prompt_key,)
        ).fetchone()
        first = result.chunk * full_size
        outside = [c.index for c in result.completions if not first <= c.index < first + chunk[0]]
        if outside:
            raise StoreError(
                self.path,
                f"chunk {result.chunk} of {result.prompt_key} holds samples "
                f"{first}..{first + chunk[0] - 1}, got index {outside[0]}",
            )
        problem, language, subtask = prompt
        params_json = _json_params(result.params)
        for completion, program in zip(result.completions, result.extracted, strict=True):
            if completion.prompt_key != result.prompt_key:
                raise StoreError(
                    self.path,
                    f"completion of prompt {completion.prompt_key} in a chunk of "
                    f"{result.prompt_key}",
                )
            candidate_id = None
            if program is not None:
                candidate_id = self._db.execute(
                    "INSERT INTO candidates(problem, prompt_key, language, source, source_hash,"
                    " sample_count, engine, model, params_json, seed, num_tokens, logprob,"
                    " target_subtask) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT(problem, language, source_hash)"
                    " DO UPDATE SET sample_count = sample_count + 1 RETURNING id",
                    (
                        problem,
                        result.prompt_key,
                        language,
                        program.source,
                        program.source_hash,
                        completion.engine,
                        completion.model,
                        params_json,
                        completion.seed,
                        completion.num_tokens,
                        completion.logprob,
                        subtask,
                    ),
                ).fetchone()[0]
            try:
                self._db.execute(
                    "INSERT INTO samples(prompt_key, sample_index, chunk, candidate_id,"
                    " num_tokens, logprob) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        result.prompt_key,
                        completion.index,
                        result.chunk,
                        candidate_id,
                        completion.num_tokens,
                        completion.logprob,
                    ),
                )
            except sqlite3.IntegrityError as error:
                raise StoreError(
                    self.path,
                    f"sample {completion.index} of {result.prompt_key} is already stored: {error}",
                ) from error
        self._db.execute(
            "UPDATE chunks SET done = 1, seed = ? WHERE prompt_key = ? AND chunk = ?",
            (result.params.seed, result.prompt_key, result.chunk),
        )

    # candidates and samples

    def candidates(self, problem: str) -> list[CandidateRow]:
        """The distinct programs of a problem, in the order first sampled."""
        rows = self._db.execute(
            "SELECT id, problem, prompt_key, language, source, source_hash, sample_count,"
            " engine, model, params_json, seed, num_tokens, logprob, target_subtask"
            " FROM candidates WHERE problem = ? ORDER BY id",
            (problem,),
        ).fetchall()
        return [CandidateRow(*row) for row in rows]

    def samples(self, prompt_key: str | None = None) -> list[SampleRow]:
        """Raw sample rows, of one prompt or all, by (prompt, index)."""
        query = (
            "SELECT prompt_key, sample_index, chunk, candidate_id, num_tokens, logprob FROM samples"
        )
        if prompt_key is None:
            rows = self._db.execute(query + " ORDER BY prompt_key, sample_index").fetchall()
        else:
            rows = self._db.execute(
                query + " WHERE prompt_key = ? ORDER BY sample_index", (prompt_key,)
            ).fetchall()
        return [SampleRow(*row) for row in rows]

    def pool_rows(self) -> tuple[list[PromptRow], list[SampleRow], list[CandidateRow]]:
        """Prompts, samples and candidates of all problems from one snapshot, for
        reports such as `cpsolve pool`."""
        with self._snapshot():
            prompts = self.prompts()
            samples = self.samples()
            candidates = [row for p in self.problems() for row in self.candidates(p.name)]
        return prompts, samples, candidates

    def summary(self) -> StoreSummary:
        """Counts over the store, all from one consistent snapshot."""
        with self._snapshot():
            (problems,) = self._db.execute("SELECT COUNT(*) FROM problems").fetchone()
            (prompts,) = self._db.execute("SELECT COUNT(*) FROM prompts").fetchone()
            planned, done = self._db.execute(
                "SELECT COUNT(*), COALESCE(SUM(done), 0) FROM chunks"
            ).fetchone()
            samples, failures, tokens = self._db.execute(
                "SELECT COUNT(*), COALESCE(SUM(candidate_id IS NULL), 0),"
                " COALESCE(SUM(num_tokens), 0) FROM samples"
            ).fetchone()
            candidates, counted = self._db.execute(
                "SELECT COUNT(*), COALESCE(SUM(sample_count), 0) FROM candidates"
            ).fetchone()
        return StoreSummary(
            problems=problems,
            prompts=prompts,
            chunks_planned=planned,
            chunks_done=done,
            samples=samples,
            extraction_failures=failures,
            candidates=candidates,
            sampled_into_candidates=counted,
            tokens=tokens,
        )

    # tables later stages fill

    def add_tests(self, rows: Sequence[TestRow]) -> None:
        """Register tests; a known (problem, name) must keep its input hash."""
        with self._write():
            for row in rows:
                found = self._db.execute(
                    "SELECT input_hash FROM tests WHERE problem = ? AND name = ?",
                    (row.problem, row.name),
                ).fetchone()
                if found is not None and found[0] != row.input_hash:
                    raise StoreError(
                        self.path,
                        f"test {row.name!r} of {row.problem!r} is stored with another input",
                    )
                self._db.execute(
                    "INSERT OR IGNORE INTO tests(problem, name, kind, input_hash, origin)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (row.problem, row.name, row.kind, row.input_hash, row.origin),
                )

    def tests(self, problem: str) -> list[TestRow]:
        """The tests of a problem, by name."""
        rows = self._db.execute(
            "SELECT problem, name, kind, input_hash, origin FROM tests"
            " WHERE problem = ? ORDER BY name",
            (problem,),
        ).fetchall()
        return [TestRow(*row) for row in rows]

    def record_runs(self, rows: Sequence[RunRow]) -> None:
        """Store judge results; a result for a known (candidate, test, limits)
        replaces the old one (e.g. a re-run near the time limit)."""
        with self._write():
            self._db.executemany(
                "INSERT OR REPLACE INTO runs(candidate_id, test_name, limits_json, status,"
                " verdict, score, cpu_time_s, memory_bytes, message)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [dataclasses.astuple(row) for row in rows],
            )

    def runs(self, candidate_id: int) -> list[RunRow]:
        """All judged runs of one candidate, by (test, limits)."""
        rows = self._db.execute(
            "SELECT candidate_id, test_name, limits_json, status, verdict, score, cpu_time_s,"
            " memory_bytes, message FROM runs WHERE candidate_id = ?"
            " ORDER BY test_name, limits_json",
            (candidate_id,),
        ).fetchall()
        return [RunRow(*row) for row in rows]

    def replace_clusters(self, problem: str, rows: Sequence[ClusterRow]) -> None:
        """Replace the clustering of a problem by `rows`."""
        with self._write():
            self._db.execute("DELETE FROM clusters WHERE problem = ?", (problem,))
            for row in rows:
                if row.problem != problem:
                    raise StoreError(self.path, f"cluster row of {row.problem!r} for {problem!r}")
                self._db.execute(
                    "INSERT INTO clusters(problem, cluster_id, candidate_id, signature)"
                    " VALUES (?, ?, ?, ?)",
                    (row.problem, row.cluster_id, row.candidate_id, row.signature),
                )

    def clusters(self, problem: str) -> list[ClusterRow]:
        """The clustering of a problem, by (cluster, candidate)."""
        rows = self._db.execute(
            "SELECT problem, cluster_id, candidate_id, signature FROM clusters"
            " WHERE problem = ? ORDER BY cluster_id, candidate_id",
            (problem,),
        ).fetchall()
        return [ClusterRow(*row) for row in rows]

    def replace_selection(self, problem: str, strategy: str, candidate_ids: Sequence[int]) -> None:
        """Replace what `strategy` submits for `problem`: candidates in order."""
        with self._write():
            self._db.execute(
                "DELETE FROM selections WHERE problem = ? AND strategy = ?", (problem, strategy)
            )
            self._db.executemany(
                "INSERT INTO selections(problem, strategy, rank, candidate_id) VALUES (?, ?, ?, ?)",
                [(problem, strategy, rank, cid) for rank, cid in enumerate(candidate_ids)],
            )

    def selection(self, problem: str, strategy: str) -> list[SelectionRow]:
        """What `strategy` submits for `problem`, by rank."""
        rows = self._db.execute(
            "SELECT problem, strategy, rank, candidate_id FROM selections"
            " WHERE problem = ? AND strategy = ? ORDER BY rank",
            (problem, strategy),
        ).fetchall()
        return [SelectionRow(*row) for row in rows]
