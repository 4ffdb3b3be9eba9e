"""HumanEval-style problems and CodeT's released pool: the reader and its errors,
CodeT's post-processing of completions and model-written asserts (by hand, and
against CodeT's own PostProcessor on the real pool when ../shared is present), and
sandboxed execution of hostile completions through the harness."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from judge.sandbox import LocalSandbox
from problems.errors import ProblemError
from problems.humaneval import FunctionProblem, read_function_problems, read_prompt_index
from solver.humaneval_pool import (
    EMPTY_COMPLETION,
    POOL_FILES,
    HumanEvalTask,
    build_task,
    candidate_id,
    entry_calls,
    extract_asserts,
    extract_solution,
    load_tasks,
    run_tasks,
    to_pool,
)

SHARED = Path(__file__).resolve().parents[2] / "shared"
POOL = SHARED / "pools" / "codet-humaneval"
PEER = SHARED / "peers" / "codet"

needs_sandbox = pytest.mark.skipif(
    not LocalSandbox.available()[0], reason=LocalSandbox.available()[1]
)


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


INC = {
    "task_id": "Toy/0",
    "prompt": "def inc(x):\n    '''x plus one'''\n",
    "entry_point": "inc",
    "test": "def check(candidate):\n    assert candidate(1) == 2\n    assert candidate(5) == 6\n",
    "canonical_solution": "    return x + 1\n",
}


# --- reading -------------------------------------------------------------------------


def test_reads_function_problems(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "p.jsonl", [INC, {**INC, "task_id": "Toy/1"}])
    problems = read_function_problems(path)
    assert [p.task_id for p in problems] == ["Toy/0", "Toy/1"]
    assert problems[0].entry_point == "inc"
    program = problems[0].check_program("    return x + 1\n")
    namespace: dict[str, Any] = {}
    exec(program, namespace)  # noqa: S102 - our own trusted toy program
    wrong = problems[0].check_program("    return x\n")
    with pytest.raises(AssertionError):
        exec(wrong, {})  # noqa: S102


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([INC, "not json"], "line 2: bad JSON"),
        ([INC, [1, 2]], "line 2: expected a JSON object"),
        ([{k: v for k, v in INC.items() if k != "test"}], "line 1: field 'test' is missing"),
        ([{**INC, "entry_point": 3}], "line 1: field 'entry_point' is not a string"),
        ([{**INC, "entry_point": " "}], "line 1: field 'entry_point' is empty"),
        ([INC, INC], "line 2: task_id 'Toy/0' repeats"),
    ],
)
def test_bad_problem_files_name_the_file_and_line(
    tmp_path: Path, rows: list[Any], message: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(
        "".join((row if isinstance(row, str) else json.dumps(row)) + "\n" for row in rows)
    )
    with pytest.raises(ProblemError, match=message) as error:
        read_function_problems(path)
    assert error.value.path == path


def test_prompt_index_rejects_a_repeated_prompt(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "t.jsonl", [INC, {**INC, "task_id": "Toy/1"}])
    with pytest.raises(ProblemError, match="line 2: the prompt of 'Toy/1' repeats"):
        read_prompt_index(path)


# --- CodeT's post-processing -----------------------------------------------------------


def test_completion_is_cut_at_the_first_stop_token() -> None:
    assert extract_solution("    return x\n\nprint(inc(1))\ndef g():\n") == "    return x\n"
    assert extract_solution("    return x\n# done\nclass A: pass") == "    return x"
    assert extract_solution("    return x + 1\n") == "    return x + 1\n"


def test_asserts_are_split_cut_and_checked() -> None:
    raw = (
        "inc(1) == 2, 'one'\nassert inc(2) == 3\n# more\nassert dec(1) == 0\n"
        "assert inc(3) ==\nassert \n    inc(5) == 6\nassert inc(4) == 5\ndef helper():\n"
    )
    # dec() does not call the entry point; "inc(3) ==" and an assert broken over two
    # lines do not compile; "# more" and "def helper" are cut off
    assert extract_asserts(raw, "inc") == [
        "assert inc(1) == 2, 'one'",
        "assert inc(2) == 3",
        "assert inc(4) == 5",
    ]
    assert extract_asserts("", "inc") == []


def test_entry_calls_are_the_inputs_of_an_assert() -> None:
    assert entry_calls("assert inc(1) == inc( 2 )", "inc") == ["inc(1)", "inc(2)"]
    assert entry_calls("assert inc([1, 2]) is None and other(3)", "inc") == ["inc([1, 2])"]
    assert entry_calls("assert inc(", "inc") == []


def test_build_task_counts_samples_and_keeps_five_asserts_per_test_sample() -> None:
    problem = FunctionProblem(**INC)
    samples = ["    return x + 1\n", "    return x + 1\n\ndef extra(): pass", "    return x\n"]
    six = "".join(f"inc({i}) == {i + 1}\nassert " for i in range(6))
    task = build_task(problem, samples, [six, "inc(0) == 1", "garbage"])
    assert task.completions == ("    return x + 1\n", "    return x\n")
    assert task.sample_counts == (2, 1)
    assert task.tests == tuple(f"assert inc({i}) == {i + 1}" for i in range(5))
    assert task.test_counts == (2, 1, 1, 1, 1)
    assert task.inputs == tuple(f"inc({i})" for i in range(5))
    empty = build_task(problem, [], [])
    assert empty.completions == (EMPTY_COMPLETION,) and empty.tests == ()


@pytest.fixture(scope="module")
def real_tasks() -> list[HumanEvalTask]:
    if not all((POOL / name).is_file() for name in POOL_FILES):
        pytest.skip(f"{POOL} is absent")
    return load_tasks(POOL)


def test_real_pool_is_read_whole(real_tasks: list[HumanEvalTask]) -> None:
    assert [t.problem.task_id for t in real_tasks] == [f"HumanEval/{i}" for i in range(164)]
    assert all(sum(t.sample_counts) == 100 for t in real_tasks)
    assert sum(len(t.completions) for t in real_tasks) == 12408  # as CodeT counts them


@pytest.fixture(scope="module")
def peer_postprocess() -> Iterator[Any]:
    if not (PEER / "src" / "postprocess.py").is_file():
        pytest.skip(f"{PEER} is absent")
    sys.path.insert(0, str(PEER))
    try:
        from src import postprocess  # type: ignore[import-not-found]

        yield postprocess.PostProcessor
    finally:
        sys.path.remove(str(PEER))


def test_post_processing_matches_codets_own(
    real_tasks: list[HumanEvalTask], peer_postprocess: Any
) -> None:
    names = dict(zip(("problems", "prompts", "solutions", "tests"), POOL_FILES, strict=True))
    solutions, _ = peer_postprocess.map_task_id_for_solution(
        str(POOL / names["solutions"]), str(POOL / names["problems"])
    )
    tests = peer_postprocess.map_task_id_for_test_case(
        str(POOL / names["tests"]), str(POOL / names["prompts"])
    )
    for task in real_tasks:
        task_id = task.problem.task_id
        theirs = [s["completion"] for s in solutions if s["task_id"] == task_id]
        assert sorted(theirs) == sorted(
            c for c, n in zip(task.completions, task.sample_counts, strict=True) for _ in range(n)
        )
        kept = [case for sample in tests[task_id] for case in sample[:5]]
        assert sorted(kept) == sorted(
            t for t, n in zip(task.tests, task.test_counts, strict=True) for _ in range(n)
        )


# --- execution in the sandbox ----------------------------------------------------------

COMPLETIONS = {
    "right": "    return x + 1\n",
    "wrong": "    return x\n",
    "loops": "    while True:\n        pass\n",
    "slow on 3": "    while x == 3:\n        pass\n    return x + 1\n",
    "exits": "    raise SystemExit(0)\n",
    "chatty": "    print('hello')\n    return x + 1\n",
    "reads stdin": "    input()\n    return x + 1\n",
    "crashes on load": "    return x + 1\nraise ValueError('at import')\n",
    "forks": "    import os\n    os.fork()\n    return x + 1\n",
}
TESTS = ["assert inc(1) == 2", "assert inc(2) == 3", "assert inc(3) == 5"]


@pytest.fixture(scope="module")
def toy_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[HumanEvalTask, Any, Path]:
    if not LocalSandbox.available()[0]:
        pytest.skip(LocalSandbox.available()[1])
    task = build_task(
        FunctionProblem(**INC),
        list(COMPLETIONS.values()) + [COMPLETIONS["right"]],
        ["\n".join(TESTS).removeprefix("assert ")],
    )
    cache = tmp_path_factory.mktemp("cache") / "runs.sqlite"
    (runs,) = run_tasks([task], workers=0, cache_path=cache)
    return task, runs, cache


@needs_sandbox
@pytest.mark.slow
def test_hidden_check_and_asserts_of_hostile_completions(toy_runs: Any) -> None:
    task, runs, _ = toy_runs
    assert task.tests == tuple(TESTS)
    by_name = {
        name: (runs.correct[i], runs.passed[i])
        for i, name in enumerate(COMPLETIONS)
        if task.completions[i] == COMPLETIONS[name]
    }
    nothing = (False, False, False)
    # the third model-written assert is wrong: right programs fail it
    assert by_name["right"] == (True, (True, True, False))
    assert by_name["chatty"] == (True, (True, True, False))
    assert by_name["wrong"] == (False, nothing)
    assert by_name["loops"] == (False, nothing)
    # a per-assert limit: the timeout on inc(3) fails that assert only (the hidden
    # check never calls inc(3))
    assert by_name["slow on 3"] == (True, (True, True, False))
    # SystemExit or an error while loading fails the whole run (CodeT's rule)
    assert by_name["exits"] == (False, nothing)
    assert by_name["crashes on load"] == (False, nothing)
    assert by_name["reads stdin"] == (False, nothing)
    assert by_name["forks"][0] is False


@needs_sandbox
@pytest.mark.slow
def test_behaviour_labels_and_pool(toy_runs: Any) -> None:
    task, runs, cache = toy_runs
    assert task.inputs == ("inc(1)", "inc(2)", "inc(3)")
    index = {completion: i for i, completion in enumerate(task.completions)}
    right = runs.outputs[index[COMPLETIONS["right"]]]
    assert runs.outputs[index[COMPLETIONS["chatty"]]] == right
    assert runs.outputs[index[COMPLETIONS["wrong"]]] != right
    assert runs.outputs[index[COMPLETIONS["loops"]]] == ("!TLE", "!TLE", "!TLE")
    assert runs.outputs[index[COMPLETIONS["slow on 3"]]][:2] == right[:2]
    assert runs.outputs[index[COMPLETIONS["slow on 3"]]][2] == "!TLE"
    pool = to_pool(task, runs)
    right_id = candidate_id(COMPLETIONS["right"])
    assert pool.is_correct(right_id) and not pool.is_correct(candidate_id(COMPLETIONS["wrong"]))
    assert next(c for c in pool.candidates if c.id == right_id).sample_count == 2
    assert pool.generated_test_counts == (1, 1, 1)
    # a second run reads everything back from the cache
    (again,) = run_tasks([task], workers=0, cache_path=cache)
    assert again == runs
