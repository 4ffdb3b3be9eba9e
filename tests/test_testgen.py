"""Generated inputs: structure-keeping mutations (property tests), the package's
generators with its validator, and model-written generators/validators voted on
through the replay engine."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from judge.session import Judge, JudgeOptions
from judge.trusted import InputValidator
from problems.load import load_problem
from solver.sampling.replay import make_replay_engine
from solver.testgen import generate_inputs
from solver.testgen.model import generation_prompts, vote
from solver.testgen.mutate import (
    MAX_RECORDS,
    SCALE_FACTOR,
    learn_shape,
    mutate_input,
    record_count,
    replicate_records,
)
from solver.testgen.package import draw_invocations, package_generators

lists = st.lists(st.integers(-50, 50), min_size=1, max_size=12)


def _list_input(values: list[int]) -> str:
    return f"{len(values)}\n{' '.join(map(str, values))}\n"


@given(st.lists(lists, min_size=1, max_size=3), st.integers(0, 2**32))
@example(inputs=[[0, 0]], seed=1_000_000_000)  # a length resized to 1, then changed alone
def test_mutants_keep_structure_and_ranges(inputs: list[list[int]], seed: int) -> None:
    texts = [_list_input(values) for values in inputs]
    shape = learn_shape(texts)
    longest = max(len(values) for values in inputs)
    low = min(min(values) for values in inputs)
    high = max(max(values) for values in inputs)
    rng = random.Random(seed)
    mutant = mutate_input(rng.choice(texts), shape, rng)
    again_rng = random.Random(seed)
    assert mutate_input(again_rng.choice(texts), shape, again_rng) == mutant
    lines = mutant.split("\n")
    assert len(lines) == 3 and lines[2] == ""
    numbers = [int(token) for token in mutant.split()]
    assert all(re.fullmatch(r"-?\d+", token) for token in mutant.split())
    for value in numbers[1:]:
        assert min(low, 1) <= value <= max(high, SCALE_FACTOR * longest)
    if len(lines[1].split()) != int(lines[0]):
        # only a length that counts the next line may change with it
        assert int(lines[0]) != len(inputs[0]) or len(inputs) > 1


def test_vote_needs_three_quarters() -> None:
    assert vote([True, True, True, False])
    assert not vote([True, True, False, False])
    assert not vote([])


def test_package_invocations_read_from_make_data(examples_dir: Path) -> None:
    problem = load_problem(examples_dir / "exactsum")
    [generator] = package_generators(problem)
    assert generator.sources[0].name == "gen.py"
    assert ("101", "1", "-5", "5", "prefix") in generator.invocations
    calls = draw_invocations(generator, 5, random.Random(1))
    assert calls == draw_invocations(generator, 5, random.Random(1))
    assert all(call[1:] in {inv[1:] for inv in generator.invocations} for call in calls)


@pytest.fixture()
def judge(tmp_path: Path) -> Iterator[Judge]:
    with Judge(JudgeOptions(workers=0, cache_dir=tmp_path / "cache")) as session:
        yield session


@pytest.mark.slow
def test_package_inputs_are_valid_new_and_deterministic(
    judge: Judge, examples_dir: Path, tmp_path: Path
) -> None:
    problem = load_problem(examples_dir / "pairsum")
    first = generate_inputs(judge, problem, tmp_path / "one", count=12, seed=3)
    second = generate_inputs(judge, problem, tmp_path / "two", count=12, seed=3)
    assert [item.name for item in first] == [item.name for item in second]
    assert 0 < len(first) <= 12
    assert {item.origin for item in first} == {"package", "mutation"}
    assert InputValidator(judge, problem).check([item.path for item in first]) == [True] * len(
        first
    )
    texts = [item.path.read_bytes() for item in first]
    assert len(set(texts)) == len(texts)
    assert not set(texts) & {test.input_path.read_bytes() for test in problem.tests}
    reread = generate_inputs(judge, problem, tmp_path / "one", count=12, seed=3)
    assert reread == first


GENERATOR = """```python
import random, sys
rng = random.Random(int(sys.argv[1]))
a, b = rng.randint(-9, 9), rng.randint(-9, 9)
print(a, b)
```"""
ACCEPT_SMALL = """```python
import sys
a, b = map(int, sys.stdin.read().split())
sys.exit(42 if a >= 0 else 43)
```"""
ACCEPT_ALL = "```python\nimport sys\nsys.exit(42)\n```"


def _problem_without_validator(root: Path) -> Path:
    """A tiny Kattis package with no input validator and no generator."""
    (root / "data" / "sample").mkdir(parents=True)
    (root / "data" / "secret").mkdir(parents=True)
    (root / "problem.yaml").write_text("name: Add\n")
    (root / "problem_statement").mkdir()
    (root / "problem_statement" / "problem.en.tex").write_text("Print a+b.")
    for folder, text, answer in (("sample", "1 2\n", "3\n"), ("secret", "4 5\n", "9\n")):
        (root / "data" / folder / "1.in").write_text(text)
        (root / "data" / folder / "1.ans").write_text(answer)
    return root


@pytest.mark.slow
def test_model_written_programs_through_replay(judge: Judge, tmp_path: Path) -> None:
    problem = load_problem(_problem_without_validator(tmp_path / "add"))
    generator_prompt, validator_prompt = generation_prompts(problem)
    records = [(generator_prompt, i, GENERATOR) for i in range(4)]
    # three of four validators reject negative a: 75% reject, so those inputs go
    records += [(validator_prompt, i, ACCEPT_SMALL) for i in range(3)]
    records += [(validator_prompt, 3, ACCEPT_ALL)]
    pool = tmp_path / "pool.jsonl"
    pool.write_text(
        "".join(
            json.dumps(
                {
                    "prompt_key": prompt.key(),
                    "index": index,
                    "text": text,
                    "num_tokens": 1,
                    "logprob": None,
                    "engine": "recorded",
                    "model": "m",
                    "seed": 0,
                }
            )
            + "\n"
            for prompt, index, text in records
        )
    )
    engine = make_replay_engine(str(pool))
    kept = generate_inputs(judge, problem, tmp_path / "gen", count=20, seed=0, engine=engine)
    assert kept
    for item in kept:
        a, _b = map(int, item.path.read_text().split())
        assert a >= 0
    assert {item.origin for item in kept} <= {"model", "mutation"}
    assert "model" in {item.origin for item in kept}


def test_some_mutants_scale_lengths_up_within_the_factor() -> None:
    text = _list_input([3, 1, 2])
    shape = learn_shape([text])
    rng = random.Random(5)
    lengths = [int(mutate_input(text, shape, rng).split()[0]) for _ in range(300)]
    assert max(lengths) <= SCALE_FACTOR * 3
    assert sum(length > 2 * 3 for length in lengths) >= 10  # beyond the 2x resize (~8%)


MULTI = "1\n4\n0 1 1 0\n" + " ".join(["0"] * 16 + ["1"] * 15) + "\n"


@given(st.integers(0, 2**32))
def test_a_count_of_records_is_replicated_with_whole_records(seed: int) -> None:
    shape = learn_shape([MULTI])
    text = replicate_records(MULTI, shape, random.Random(seed))
    assert text is not None and text.endswith("\n")
    lines = [line.split() for line in text.split("\n")[:-1]]
    count = int(lines[0][0])
    assert 2 <= count <= MAX_RECORDS and len(lines) == 1 + 3 * count
    for start in range(1, len(lines), 3):
        length, bits, controlled = lines[start : start + 3]
        assert int(length[0]) == len(bits) and len(controlled) == 31


def test_record_counts_are_read_from_the_first_two_lines() -> None:
    def read(text: str) -> tuple[int, int] | None:
        return record_count([line.split() for line in text.split("\n")])

    assert read(MULTI) == (0, 1)
    assert read("0\n2\n5 3\n0 1 2 3 4\n5 8\n4 3 2 1 0\n") == (1, 2)
    assert read("3\n1 2\n3 4\n5 6\n") is None  # one line per record: a block
    assert read("4 4\n2 0 0 0\n0 1\n") is None
    plain = "4 4\n2 0 0 0\n"
    assert replicate_records(plain, learn_shape([plain]), random.Random()) is None
