"""A judged pool as a JSON file: save and load `solver.candidates.Pool` values.

The format is the dataclasses as JSON objects, under {"format": "cpsolve-pool",
"version": 1}. Loading checks every field and names the file and the place of the
first thing that is wrong. A pool with no candidates is an error: there is nothing to
select from.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from solver.candidates import Candidate, Outcome, Pool, Subtask

FORMAT = "cpsolve-pool"
VERSION = 1


class PoolFileError(Exception):
    """A pool file (or run) cannot be read: names the file and what is wrong."""

    def __init__(self, path: Path | str, message: str) -> None:
        self.path = Path(path)
        self.message = message
        super().__init__(f"{self.path}: {message}")


def pool_to_json(pool: Pool) -> dict[str, Any]:
    """The JSON object of a pool."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "problem": pool.problem,
        "subtasks": [asdict(subtask) for subtask in pool.subtasks],
        "generated_inputs": list(pool.generated_inputs),
        "input_subtasks": [list(names) for names in pool.input_subtasks],
        "generated_test_counts": list(pool.generated_test_counts),
        "candidates": [asdict(candidate) for candidate in pool.candidates],
        "truth": {key: dict(outcome.subtask_points) for key, outcome in pool.truth.items()},
    }


def save_pool(pool: Pool, path: Path) -> None:
    """Write a pool file."""
    path.write_text(json.dumps(pool_to_json(pool), indent=1) + "\n", encoding="utf-8")


def _candidate(path: Path, index: int, data: Any) -> Candidate:
    """One candidate object, checked."""
    where = f"candidates[{index}]"
    if not isinstance(data, dict) or "id" not in data:
        raise PoolFileError(path, f"{where}: expected an object with an 'id'")
    try:
        candidate = Candidate(**data)
    except TypeError as error:
        raise PoolFileError(path, f"{where}: {error}") from error
    return Candidate(
        **{
            **asdict(candidate),
            "behaviour": tuple(candidate.behaviour),
            "generated_passed": tuple(bool(x) for x in candidate.generated_passed),
        }
    )


def _subtasks(path: Path, data: Any) -> tuple[Subtask, ...]:
    """The subtask list, checked."""
    if not isinstance(data, list) or not data:
        raise PoolFileError(path, "subtasks: expected a non-empty list")
    subtasks = []
    for index, item in enumerate(data):
        try:
            subtask = Subtask(**item)
        except TypeError as error:
            raise PoolFileError(path, f"subtasks[{index}]: {error}") from error
        subtasks.append(Subtask(subtask.name, float(subtask.points), tuple(subtask.contains)))
    return tuple(subtasks)


def pool_from_json(path: Path, data: Any) -> Pool:
    """A Pool from a pool file's JSON object; errors name the file."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise PoolFileError(path, f"not a pool file (format is not {FORMAT!r})")
    if data.get("version") != VERSION:
        raise PoolFileError(path, f"pool file version {data.get('version')}, expected {VERSION}")
    candidates = tuple(
        _candidate(path, index, item) for index, item in enumerate(data.get("candidates", []))
    )
    if not candidates:
        raise PoolFileError(path, "the pool has no candidates: nothing to select from")
    inputs = tuple(str(text) for text in data.get("generated_inputs", []))
    for index, candidate in enumerate(candidates):
        if len(candidate.behaviour) != len(inputs):
            raise PoolFileError(
                path,
                f"candidates[{index}] ({candidate.id}): {len(candidate.behaviour)} behaviour "
                f"labels for {len(inputs)} generated inputs",
            )
    counts = tuple(int(n) for n in data.get("generated_test_counts", []))
    for index, candidate in enumerate(candidates):
        if counts and len(candidate.generated_passed) != len(counts):
            raise PoolFileError(
                path,
                f"candidates[{index}] ({candidate.id}): {len(candidate.generated_passed)} "
                f"generated-test results for {len(counts)} generated tests",
            )
    truth = {
        str(key): Outcome({str(k): float(v) for k, v in points.items()})
        for key, points in data.get("truth", {}).items()
    }
    return Pool(
        problem=str(data.get("problem", path.stem)),
        candidates=candidates,
        subtasks=_subtasks(path, data.get("subtasks", [{"name": "all", "points": 1.0}])),
        generated_inputs=inputs,
        truth=truth,
        input_subtasks=tuple(tuple(names) for names in data.get("input_subtasks", [])),
        generated_test_counts=counts,
    )


def load_pool(path: Path) -> Pool:
    """Read a pool file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise PoolFileError(path, "no such pool file") from error
    except json.JSONDecodeError as error:
        raise PoolFileError(path, f"not valid JSON: {error}") from error
    return pool_from_json(path, data)


# The judged pool inside a run folder (written by `cpsolve solve`'s judge stage).
RUN_POOL_FILE = "pool.json"


def load_pool_or_run(path: Path) -> Pool:
    """A pool from a pool file, or from a run folder's judged pool (RUN/pool.json)."""
    if path.is_dir():
        inside = path / RUN_POOL_FILE
        if not inside.is_file():
            raise PoolFileError(
                path, f"no judged pool in this run ({RUN_POOL_FILE} is missing): judge it first"
            )
        return load_pool(inside)
    return load_pool(path)
