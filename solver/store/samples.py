"""What sampling produces: the planned chunks (the resume unit), one row per raw
sample, and the distinct candidate programs they hold - all written together, one
transaction per batch of finished chunks, so a kill never leaves a chunk half
counted."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from solver.sampling.chunk import ChunkResult
from solver.sampling.engine import SamplingParams
from solver.store.database import Database, StoreError


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


class SampleTables(Database):
    """The `chunks`, `samples` and `candidates` tables."""

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

    def done_chunks(self, prompt_key: str) -> set[int]:
        """Indices of the chunks of a prompt whose samples are all stored."""
        rows = self._db.execute(
            "SELECT chunk FROM chunks WHERE prompt_key = ? AND done = 1", (prompt_key,)
        ).fetchall()
        return {row[0] for row in rows}

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
