"""Every example problem in problems/examples/ is well formed, checked through the
real code: packages are read by `problems.load.load_problem` and checked on the
`Problem` model; input validators and generators run as the judge runs them,
through its trusted-program runner (`judge.trusted`) in the sandbox.

Whether each labelled submission earns its label (accepted ones AC on every
test, the others the verdict of their folder, under the time limit the judge
derives) is judged by the real judge in tests/test_check_labels.py, not here."""

from __future__ import annotations

import filecmp
import functools
import importlib.util
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from judge.session import Judge, JudgeOptions
from judge.trusted import InputValidator, compile_trusted, run_trusted, runnable_program
from problems.load import load_problem
from problems.model import CheckerKind, GraderKind, Problem, ProblemType
from problems.model import TestGroup as Group  # not collected as a test class

EXAMPLES = Path(__file__).resolve().parents[1] / "problems" / "examples"
PROBLEM_NAMES = sorted(p.name for p in EXAMPLES.iterdir() if (p / "problem.yaml").is_file())
MAX_EXAMPLES_BYTES = 1024 * 1024

pytestmark = pytest.mark.slow


@functools.cache
def problem_of(name: str) -> Problem:
    """Example problem `name` as the loader reads it."""
    return load_problem(EXAMPLES / name)


def group_of_test(group: Group) -> dict[str, Group]:
    """Test name -> the group below `group` (or itself) that holds it directly."""
    holder: dict[str, Group] = {}
    for item in group.items:
        holder.update({item: group} if isinstance(item, str) else group_of_test(item))
    return holder


def secret_group(problem: Problem) -> Group:
    """The secret group (directly below the root in a Kattis package)."""
    [secret] = [g for g in problem.root_group.items if isinstance(g, Group) and g.name == "secret"]
    return secret


def secret_subgroups(problem: Problem) -> list[Group]:
    """The groups directly below the secret group (the scoring groups)."""
    return [item for item in secret_group(problem).items if isinstance(item, Group)]


def labels_of(problem: Problem) -> set[str]:
    """The labels the package's submissions carry."""
    return {submission.label for submission in problem.submissions}


@pytest.fixture(scope="module")
def judge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Judge]:
    """One judge (sandbox, compile cache) for the module's trusted runs."""
    with Judge(JudgeOptions(workers=0, cache_dir=tmp_path_factory.mktemp("cache"))) as session:
        yield session


@pytest.mark.parametrize("name", PROBLEM_NAMES)
def test_package_layout(name: str) -> None:
    """Metadata, statement, tests, generators and submissions are all present."""
    problem = problem_of(name)
    root = problem.root
    config = yaml.safe_load((root / "problem.yaml").read_text())
    assert config.get("license")
    assert problem.platform == "cpsolve"  # rights_owner: the project's own packages
    assert problem.title and problem.statement.strip()
    if problem.format == "kattis-legacy":
        assert (root / "problem_statement" / "problem.en.tex").is_file()
    else:
        assert problem.format == "kattis-2023-07"
        assert config.get("uuid") and config.get("name")
        assert (root / "statement" / "problem.en.md").is_file()
        assert problem.limits.time_s is not None and problem.limits.time_s > 0
    samples = [test for test in problem.tests if test.kind == "sample"]
    secret = [test for test in problem.tests if test.kind == "secret"]
    assert 1 <= len(samples) <= 3
    assert 6 <= len({test.input_path.name for test in secret}) <= 30
    assert {"gen.py", "make_data.py"} <= {path.name for path in problem.generators}
    assert {"accepted", "wrong_answer", "time_limit_exceeded"} <= labels_of(problem)
    if problem.type is ProblemType.SCORING:
        groups = secret_subgroups(problem)
        assert len(groups) >= 3 and "partially_accepted" in labels_of(problem)
        assert problem.root_group.scoring.grader_flags == ("ignore_sample",)
        secret_scoring = secret_group(problem).scoring
        assert secret_scoring.grader_flags == ("first_error", "accept_if_any_accepted")
        assert secret_scoring.score_range == (0, 100)
        assert sum(group.scoring.accept_score for group in groups) == 100
        for group in groups:
            assert group.scoring.grader_flags == ("min",)
            assert group.scoring.on_reject == "break"
            assert group.scoring.score_range == (0, group.scoring.accept_score)


def test_examples_fit_the_size_budget() -> None:
    """The whole examples folder stays small enough to ship inside the package."""
    total = sum(p.stat().st_size for p in EXAMPLES.rglob("*") if p.is_file())
    assert total < MAX_EXAMPLES_BYTES, f"examples take {total} bytes"


def test_examples_cover_every_feature() -> None:
    """At least one problem of each kind the design promises."""
    problems = [problem_of(name) for name in PROBLEM_NAMES]
    assert len(problems) >= 5
    assert any(p.format == "kattis-2023-07" for p in problems)
    assert any(p.type is ProblemType.SCORING for p in problems)
    assert any("float_tolerance" in p.checker.flags for p in problems)
    assert any(p.checker.kind is CheckerKind.KATTIS_VALIDATOR for p in problems)
    assert any(
        p.grader.kind is GraderKind.LINKED
        and any(
            path.name == "grader.cpp"
            for include in p.grader.includes
            if include.language == "cpp"
            for path in include.files
        )
        for p in problems
    )
    assert any("run_time_error" in labels_of(p) for p in problems)


@pytest.mark.parametrize("name", PROBLEM_NAMES)
def test_input_validators_accept_every_input(name: str, judge: Judge, tmp_path: Path) -> None:
    """Every input passes the validators under its own group's flags; broken
    variants of a sample fail them under every flag set."""
    problem = problem_of(name)
    validator = InputValidator(judge, problem)
    assert validator.available, f"{name}: no input validator the judge can run"
    holder = group_of_test(problem.root_group)
    accepting = validator.accepting([test.input_path for test in problem.tests])
    for test, flag_sets in zip(problem.tests, accepting, strict=True):
        flags = holder[test.name].scoring.input_validator_flags
        assert flags in flag_sets, f"validators reject {test.input_path} under {flags}"
    text = next(t for t in problem.tests if t.kind == "sample").input_path.read_text()
    broken = ["", text + "7\n", text.rstrip("\n"), text.replace(" ", "  ", 1), "x" + text]
    paths = []
    for index, content in enumerate(broken):
        path = tmp_path / f"broken{index}.in"
        path.write_text(content)
        paths.append(path)
    for content, valid in zip(broken, validator.check(paths), strict=True):
        assert not valid, f"validators accept {content[:40]!r}"


@pytest.mark.parametrize(
    "name", [n for n in PROBLEM_NAMES if problem_of(n).type is ProblemType.SCORING]
)
def test_group_flags_are_checked(name: str, judge: Judge) -> None:
    """Scoring groups' input_validator_flags really restrict: an input of the last
    group (full range) is rejected under some earlier group's flags."""
    problem = problem_of(name)
    groups = secret_subgroups(problem)
    last = {item for item in groups[-1].items if isinstance(item, str)}
    last_tests = [test for test in problem.tests if test.name in last]
    assert last_tests
    accepting = InputValidator(judge, problem).accepting([t.input_path for t in last_tests])
    earlier = {group.scoring.input_validator_flags for group in groups[:-1]}
    assert any(earlier - set(flag_sets) for flag_sets in accepting)


def declared_generator_runs(name: str) -> list[tuple[str, tuple[str, ...]]]:
    """(test name below data/, gen.py arguments) for every generated test that
    generators/make_data.py declares (its SECRET table, or GROUPS by group)."""
    path = EXAMPLES / name / "generators" / "make_data.py"
    spec = importlib.util.spec_from_file_location(f"make_data_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if hasattr(module, "GROUPS"):
        return [
            (f"secret/{group}/{test}", tuple(args))
            for group, tests in module.GROUPS.items()
            for test, args in tests.items()
        ]
    return [(f"secret/{test}", tuple(args)) for test, args in module.SECRET.items()]


@pytest.mark.parametrize("name", PROBLEM_NAMES)
def test_generator_rebuilds_each_input_in_the_sandbox(name: str, judge: Judge) -> None:
    """gen.py, run as the judge runs a trusted program, prints exactly the
    committed input of every generated test make_data.py declares."""
    problem = problem_of(name)
    [generator] = [path for path in problem.generators if path.name == "gen.py"]
    sources = runnable_program(generator)
    assert sources is not None
    [compiled] = compile_trusted(judge, [sources])
    declared = declared_generator_runs(name)
    assert declared
    runs = run_trusted(judge, [(compiled, args, None) for _, args in declared])
    for (test, _), run in zip(declared, runs, strict=True):
        assert run.ok, f"{name}: gen.py for {test} failed: {run.message}"
        committed = (problem.root / "data" / f"{test}.in").read_bytes()
        assert run.output == committed, f"{name}: gen.py does not rebuild {test}.in"


@pytest.mark.parametrize("name", PROBLEM_NAMES)
def test_make_data_rebuilds_the_committed_tests(name: str, tmp_path: Path) -> None:
    """generators/make_data.py (the package's own build script, run as its author
    runs it) is deterministic and reproduces data/ byte for byte, answers and
    testdata.yaml included."""
    if shutil.which("g++") is None:
        pytest.skip("g++ is not installed")
    copy = tmp_path / name
    shutil.copytree(EXAMPLES / name, copy, ignore=shutil.ignore_patterns("data"))
    done = subprocess.run(
        [sys.executable, str(copy / "generators" / "make_data.py")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    original = EXAMPLES / name
    committed = sorted(
        p.relative_to(original) for p in (original / "data").rglob("*") if p.is_file()
    )
    rebuilt = sorted(p.relative_to(copy) for p in (copy / "data").rglob("*") if p.is_file())
    assert rebuilt == committed
    differing = [p for p in committed if not filecmp.cmp(original / p, copy / p, shallow=False)]
    assert not differing, f"make_data.py writes different {differing}"
