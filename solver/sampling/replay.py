"""The `replay` engine: completions read back from a recorded pool.

A pool is a JSON-lines file, one completion per line, with the fields
`prompt_key` (or `prompt_index`, the prompt's position in the call), `index`,
`text`, `num_tokens`, `logprob`, `engine`, `model` and `seed`. `generate`
returns, for each prompt, the recorded completions 0..n-1 with the requested
seed, so a recorded run can be replayed exactly without a model. A malformed
line raises `ReplayError` naming the file and line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from solver.sampling.engine import Completion, Prompt, SamplingParams

ENGINE_NAME = "replay"
REQUIRED_FIELDS: dict[str, tuple[type, ...]] = {
    "index": (int,),
    "text": (str,),
    "num_tokens": (int,),
    "engine": (str,),
    "model": (str,),
    "seed": (int,),
}


class ReplayError(ValueError):
    """A pool file is malformed or lacks a requested completion."""


@dataclass(frozen=True)
class RecordedCompletion:
    """One line of a pool: a completion and the prompt it belongs to."""

    prompt_key: str | None
    prompt_index: int | None
    completion: Completion


def parse_line(line: str, path: Path, number: int) -> RecordedCompletion:
    """Read one pool line; ReplayError naming `path:number` when it is malformed."""
    where = f"{path}:{number}"
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise ReplayError(f"{where}: not valid JSON: {error.msg}") from error
    if not isinstance(record, dict):
        raise ReplayError(f"{where}: expected a JSON object")
    for name, types in REQUIRED_FIELDS.items():
        value = record.get(name)
        if not isinstance(value, types) or isinstance(value, bool):
            raise ReplayError(f"{where}: field {name!r} missing or not {types[0].__name__}")
    key, position = record.get("prompt_key"), record.get("prompt_index")
    if not isinstance(key, str) and not (isinstance(position, int) and position >= 0):
        raise ReplayError(f"{where}: needs 'prompt_key' (string) or 'prompt_index' (int >= 0)")
    logprob = record.get("logprob")
    if logprob is not None and not isinstance(logprob, int | float):
        raise ReplayError(f"{where}: field 'logprob' is not a number or null")
    extra = record.get("extra", {})
    if not isinstance(extra, dict):
        raise ReplayError(f"{where}: field 'extra' is not an object")
    completion = Completion(
        prompt_key=key if isinstance(key, str) else "",
        index=record["index"],
        text=record["text"],
        num_tokens=record["num_tokens"],
        logprob=None if logprob is None else float(logprob),
        engine=record["engine"],
        model=record["model"],
        seed=record["seed"],
        extra=extra,
    )
    return RecordedCompletion(
        key if isinstance(key, str) else None,
        position if isinstance(position, int) else None,
        completion,
    )


def read_pool(path: Path) -> list[RecordedCompletion]:
    """Every completion recorded in `path` (blank lines skipped)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise ReplayError(f"{path}: cannot read pool: {error.strerror}") from error
    return [
        parse_line(line, path, number) for number, line in enumerate(lines, start=1) if line.strip()
    ]


def completion_record(completion: Completion) -> dict[str, Any]:
    """The JSON object that stores `completion` in a pool."""
    return {
        "prompt_key": completion.prompt_key,
        "index": completion.index,
        "text": completion.text,
        "num_tokens": completion.num_tokens,
        "logprob": completion.logprob,
        "engine": completion.engine,
        "model": completion.model,
        "seed": completion.seed,
        "extra": completion.extra,
    }


def write_pool(path: Path, completions: Iterable[Completion]) -> int:
    """Append `completions` to the pool at `path`; how many were written."""
    lines = [json.dumps(completion_record(c), sort_keys=True) + "\n" for c in completions]
    with path.open("a", encoding="utf-8") as handle:
        handle.writelines(lines)
    return len(lines)


@dataclass
class ReplayEngine:
    """Serves completions from a recorded pool. Build it with `make_replay_engine`."""

    path: Path
    by_key: dict[tuple[str, int, int], Completion]
    by_position: dict[tuple[int, int, int], Completion]
    model: str
    name: str = ENGINE_NAME

    def generate(self, prompts: list[Prompt], params: SamplingParams) -> list[list[Completion]]:
        """The recorded completions 0..n-1 of each prompt for `params.seed`.

        A prompt is matched by its key, else by its position in the call; a
        missing completion raises ReplayError naming the pool file."""
        results: list[list[Completion]] = []
        for position, prompt in enumerate(prompts):
            key = prompt.key()
            row: list[Completion] = []
            for index in range(params.n):
                found = self.by_key.get((key, params.seed, index)) or self.by_position.get(
                    (position, params.seed, index)
                )
                if found is None:
                    raise ReplayError(
                        f"{self.path}: no recorded completion for prompt {key} "
                        f"(position {position}), seed {params.seed}, index {index}"
                    )
                row.append(
                    Completion(
                        prompt_key=key,
                        index=index,
                        text=found.text,
                        num_tokens=found.num_tokens,
                        logprob=found.logprob,
                        engine=found.engine,
                        model=found.model,
                        seed=found.seed,
                        extra={**found.extra, "replayed_from": str(self.path)},
                    )
                )
            results.append(row)
        return results


def make_replay_engine(model: str | None) -> ReplayEngine:
    """An engine replaying the pool file named by `model` (required)."""
    if model is None:
        raise ValueError("the replay engine needs a pool file (JSON lines) as its model")
    path = Path(model)
    records = read_pool(path)
    by_key: dict[tuple[str, int, int], Completion] = {}
    by_position: dict[tuple[int, int, int], Completion] = {}
    for record in records:
        seed, index = record.completion.seed, record.completion.index
        if record.prompt_key is not None:
            by_key[(record.prompt_key, seed, index)] = record.completion
        if record.prompt_index is not None:
            by_position[(record.prompt_index, seed, index)] = record.completion
    models = sorted({record.completion.model for record in records})
    return ReplayEngine(
        path=path,
        by_key=by_key,
        by_position=by_position,
        model=",".join(models) or str(path),
    )
