"""The judging bridge and contest pools: subtasks and hidden outcomes from the
judge's grading, public results, and a small contest pool end to end."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from judge.session import Judge, JudgeOptions
from problems.load import load_problem
from problems.model import Problem
from solver import judged_pool
from solver.code.normalise import source_hash
from solver.contest_pool import build_contest_pool, contest_sources, labelled_sources
from solver.judged_pool import (
    NOT_RUN,
    assemble_pool,
    behaviour_with_stops,
    plausible_inputs,
    runs_made,
    tle_stop,
)
from solver.judging import Source, builds, judge_hidden, judge_public, pool_subtasks
from solver.poolfile import load_pool
from solver.testgen import generate_inputs


@pytest.fixture()
def judge(tmp_path: Path) -> Iterator[Judge]:
    with Judge(JudgeOptions(workers=0, cache_dir=tmp_path / "cache")) as session:
        yield session


def _submission(problem_dir: Path, relative: str, language: str) -> Source:
    code = (problem_dir / "submissions" / relative).read_text()
    return Source(relative, language, code)


def test_exactsum_subtasks_and_containment(examples_dir: Path) -> None:
    subtasks = pool_subtasks(load_problem(examples_dir / "exactsum"))
    assert [s.points for s in subtasks] == [20.0, 20.0, 20.0, 40.0]
    # group 4 repeats every test of group 1 (n <= 5000), not all of groups 2 and 3
    assert subtasks[3].contains == (subtasks[0].name,)
    assert all(not s.contains for s in subtasks[:3])


def test_pass_fail_problem_has_one_subtask(examples_dir: Path) -> None:
    [subtask] = pool_subtasks(load_problem(examples_dir / "pairsum"))
    assert (subtask.name, subtask.points) == ("all", 1.0)


@pytest.mark.slow
def test_hidden_outcomes_per_subtask(judge: Judge, examples_dir: Path) -> None:
    root = examples_dir / "exactsum"
    problem = load_problem(root)
    sources = [
        _submission(root, "accepted/prefix.cpp", "cpp"),
        _submission(root, "partially_accepted/window.cpp", "cpp"),
        _submission(root, "wrong_answer/no_empty_prefix.cpp", "cpp"),
        Source("broken", "cpp", "int main( {"),
    ]
    full, window, wrong, broken = judge_hidden(judge, problem, sources)
    assert full.points == 100.0
    assert window.subtask_points["secret/group2"] == 20.0 and 0 < window.points < 100
    assert wrong.points == 0.0 and broken.points == 0.0
    public = judge_public(judge, problem, sources)
    # the two-pointer window assumes non-negative values: sample 1 has a negative one
    assert [(p.passed, p.total) for p in public] == [(2, 2), (0, 2), (2, 2), (0, 2)]


def test_contest_sources_are_distinct(examples_dir: Path) -> None:
    problem = load_problem(examples_dir / "pairsum")
    sources = contest_sources(problem, 40, seed=1)
    assert len(sources) == 40
    assert len({source_hash(s.code, s.language) for s in sources}) == 40
    assert {s.language for s in sources} == {"cpp", "python"}
    assert sum(s.id.startswith("sub:") for s in sources) == len(problem.submissions)
    assert contest_sources(problem, 40, seed=1) == sources


def test_labelled_sources_leave_out_languages_not_sampled(
    examples_dir: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "pairsum"
    shutil.copytree(examples_dir / "pairsum", copy)
    java = "public class Main { public static void main(String[] a) {} }\n"
    (copy / "submissions" / "accepted" / "Main.java").write_text(java)
    problem = load_problem(copy)
    assert any(s.paths[0].suffix == ".java" for s in problem.submissions)
    sources = labelled_sources(problem)
    assert {s.language for s in sources} == {"cpp", "python"}
    assert len(sources) == len(problem.submissions) - 1
    assert len(contest_sources(problem, 12, seed=0)) == 12


@pytest.mark.slow
def test_small_contest_pool_is_saved_and_reloaded(
    judge: Judge, examples_dir: Path, tmp_path: Path
) -> None:
    problem = load_problem(examples_dir / "pairsum")
    pool, stats = build_contest_pool(judge, problem, tmp_path / "pools", 16, 4, seed=0)
    assert not stats.loaded and stats.candidates == 16
    assert len(pool.generated_inputs) == 4
    assert pool.is_correct("sub:accepted/pairsum.cpp")
    assert not pool.is_correct("sub:wrong_answer/self_pair.cpp")
    reference = next(c for c in pool.candidates if c.id == "sub:accepted/pairsum.cpp")
    for candidate in pool.candidates:
        assert len(candidate.behaviour) == 4
        if not candidate.passes_public:
            assert candidate.behaviour == (NOT_RUN,) * 4
    python_reference = next(c for c in pool.candidates if c.id == "sub:accepted/pairsum.py")
    assert python_reference.behaviour == reference.behaviour
    again, stats = build_contest_pool(judge, problem, tmp_path / "pools", 16, 4, seed=0)
    assert stats.loaded and again == load_pool(next((tmp_path / "pools" / "pools").glob("*.json")))


def test_runs_made_walks_the_chunks() -> None:
    assert runs_made(("a",) * 10, None) == 10
    assert runs_made(("a",) * 10, 2) == 10
    assert runs_made(("!TLE", "!TLE") + ("!TLE",) * 8, 2) == 2
    assert runs_made(("a", "!TLE", "a", "!TLE", "a", "a") + ("!TLE",) * 4, 2) == 6
    assert runs_made(("!TLE",) * 3, 5) == 3


@pytest.mark.slow
def test_behaviour_stops_running_a_program_over_the_time_limit(
    judge: Judge, examples_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem = load_problem(examples_dir / "pairsum")
    assert tle_stop(problem) == 2
    inputs = [item.path for item in generate_inputs(judge, problem, tmp_path / "gen", 6, 0)]
    assert len(inputs) == 6
    reference = _submission(examples_dir / "pairsum", "accepted/pairsum.cpp", "cpp")
    looping = Source("loop", "python", "while True:\n    pass\n")
    programs = builds(problem, [reference, looping])
    requested: list[int] = []
    real = judged_pool.behaviour_labels

    def counting(judge: Judge, problem: Problem, programs: list, inputs: list) -> list:
        requested.append(len(programs) * len(inputs))
        return real(judge, problem, programs, inputs)

    monkeypatch.setattr(judged_pool, "behaviour_labels", counting)
    stopped = behaviour_with_stops(judge, problem, programs, inputs, 2)
    assert requested == [2 * 2, 1 * 4]  # chunks of 2 then 4 inputs; the loop stops after 2
    monkeypatch.undo()
    full = behaviour_with_stops(judge, problem, programs[:1], inputs, None)
    assert stopped[0] == full[0] and not any(label.startswith("!") for label in full[0])
    assert stopped[1] == ("!TLE",) * 6
    assert runs_made(stopped[1], 2) == 2


def test_plausible_inputs_by_hand() -> None:
    labels = [
        ("a", "!RE", "x", "!WA", "!TLE"),
        ("a", "b", "!TLE", "!WA", "!TLE"),
        ("a", "b", "x", "!WA", "c"),
        ("b", "b", "x", "!WA", "!JE"),
    ]
    # column 1: 3 of 4 ended cleanly (keep); 2: 3 of 4 (keep); 3: a manager's WA
    # is not a clean end (drop); 4: 1 of 4 (drop); a validated column is always kept
    assert plausible_inputs(labels, [False] * 5) == [True, True, True, False, False]
    assert plausible_inputs(labels, [True] * 5) == [True] * 5
    assert plausible_inputs(labels[:2], [False] * 5) == [True, False, False, False, False]
    assert plausible_inputs([], [False, True]) == [False, True]


def _add_package(root: Path) -> Path:
    """A package with no input validator and no generator: print a+b."""
    for folder, name, text, answer in (
        ("sample", "1", "1 2\n", "3\n"),
        ("sample", "2", "4 5\n", "9\n"),
        ("secret", "1", "2 3\n", "5\n"),
    ):
        (root / "data" / folder).mkdir(parents=True, exist_ok=True)
        (root / "data" / folder / f"{name}.in").write_text(text)
        (root / "data" / folder / f"{name}.ans").write_text(answer)
    (root / "problem.yaml").write_text("name: Add\n")
    return root


@pytest.mark.slow
def test_unvalidated_inputs_are_kept_by_the_survivors_vote(judge: Judge, tmp_path: Path) -> None:
    problem = load_problem(_add_package(tmp_path / "add"))
    read = "a, b = map(int, input().split())\n"
    sources = [
        Source("plain", "python", read + "print(a + b)\n"),
        Source("swapped", "python", read + "print(b + a)\n"),
        Source("strict", "python", read + "assert a < b\nprint(a + b)\n"),
    ]
    generated = generate_inputs(judge, problem, tmp_path / "all", 20, 0)
    assert generated and all(not item.validated for item in generated)
    assert {item.origin for item in generated} == {"mutation"}
    pairs = [tuple(map(int, item.path.read_text().split())) for item in generated]
    assert any(a >= b for a, b in pairs) and any(a < b for a, b in pairs)
    pool = assemble_pool(judge, problem, sources, tmp_path / "all", 20, 0, truth=False)
    # "strict" crashes where a >= b: 2 of 3 survivors answer there, under the 75% vote
    kept = {item.name: item for item in generated}
    assert pool.generated_inputs
    for name in pool.generated_inputs:
        a, b = map(int, kept[name].path.read_text().split())
        assert a < b
    assert len(pool.generated_inputs) == sum(a < b for a, b in pairs)
    behaviours = {c.id: c.behaviour for c in pool.candidates}
    assert behaviours["plain"] == behaviours["swapped"] == behaviours["strict"]
