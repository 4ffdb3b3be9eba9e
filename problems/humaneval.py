"""HumanEval-style function problems: a prompt (signature and docstring), an entry
point, and a hidden `check(candidate)` that is the ground truth.

These do not fit `problems.model.Problem`, which describes a package on disk whose
tests are input/answer files fed through stdin/stdout and compared by a checker. A
HumanEval problem has no files, no stdin/stdout and no checker: a candidate is a
completion of the prompt's function body, and it is judged by running the problem's
own Python `check` against the function in one interpreter. So the reader produces
a small dedicated dataclass, `FunctionProblem`, instead.

File format (the HumanEval JSON-lines files, e.g. CodeT's
`HumanEval_for_code_generation.jsonl`): one JSON object per line with `task_id`,
`prompt`, `entry_point`, `test` and, optionally, `canonical_solution`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from problems.errors import ProblemError

REQUIRED_FIELDS = ("task_id", "prompt", "entry_point", "test")


@dataclass(frozen=True)
class FunctionProblem:
    """One function-completion problem.

    `prompt` is the code a completion continues; `test` defines `check(candidate)`,
    which raises (an AssertionError) when the function called `entry_point` is wrong.
    The program judged for a completion is
    `prompt + completion + "\\n" + test + "\\n" + f"check({entry_point})"`."""

    task_id: str
    prompt: str
    entry_point: str
    test: str
    canonical_solution: str = ""

    def check_program(self, completion: str) -> str:
        """The Python program that runs the hidden check on `completion` (it raises
        when the completion is wrong), exactly as HumanEval and CodeT build it."""
        return f"{self.prompt}{completion}\n{self.test}\ncheck({self.entry_point})"


def read_jsonl(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """The JSON objects of a JSON-lines file with their line numbers (blank lines are
    skipped); one ProblemError naming the file and line for anything malformed."""
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as error:
        raise ProblemError(path, f"cannot read file: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise ProblemError(path, f"not valid UTF-8 (byte {error.start}): {error.reason}") from error
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            raise ProblemError(path, f"line {number}: bad JSON: {error.msg}") from error
        if not isinstance(value, dict):
            raise ProblemError(path, f"line {number}: expected a JSON object")
        rows.append((number, value))
    return rows


def _string_field(path: Path, number: int, row: dict[str, Any], name: str) -> str:
    value = row.get(name)
    if not isinstance(value, str):
        what = "missing" if value is None else f"not a string ({type(value).__name__})"
        raise ProblemError(path, f"line {number}: field {name!r} is {what}")
    return value


def read_function_problems(path: Path) -> list[FunctionProblem]:
    """The problems of a HumanEval-style JSON-lines file, in file order.

    Raises ProblemError (file and line) for a missing or non-string field, an empty
    entry point, or a task id seen twice."""
    problems: list[FunctionProblem] = []
    seen: set[str] = set()
    for number, row in read_jsonl(path):
        fields = {name: _string_field(path, number, row, name) for name in REQUIRED_FIELDS}
        if not fields["entry_point"].strip():
            raise ProblemError(path, f"line {number}: field 'entry_point' is empty")
        if fields["task_id"] in seen:
            raise ProblemError(path, f"line {number}: task_id {fields['task_id']!r} repeats")
        seen.add(fields["task_id"])
        solution = row.get("canonical_solution", "")
        if not isinstance(solution, str):
            raise ProblemError(path, f"line {number}: field 'canonical_solution' is not a string")
        problems.append(
            FunctionProblem(
                task_id=fields["task_id"],
                prompt=fields["prompt"],
                entry_point=fields["entry_point"],
                test=fields["test"],
                canonical_solution=solution,
            )
        )
    return problems


def read_prompt_index(path: Path) -> dict[str, str]:
    """prompt -> task_id for a JSON-lines file of prompts (`task_id`, `prompt`), such as
    CodeT's `HumanEval_for_test_case_generation.jsonl`: model outputs name their
    problem only by the prompt they continue. A prompt seen twice is an error."""
    index: dict[str, str] = {}
    for number, row in read_jsonl(path):
        task_id = _string_field(path, number, row, "task_id")
        prompt = _string_field(path, number, row, "prompt")
        if prompt in index:
            raise ProblemError(path, f"line {number}: the prompt of {task_id!r} repeats")
        index[prompt] = task_id
    return index
