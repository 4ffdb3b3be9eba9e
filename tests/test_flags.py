"""Typed Kattis flags: parsed once when a package is read, bad ones fail the load
naming the file and the key, good ones judge as before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from judge.checkers import check_token_files
from judge.grading import grade
from judge.verdicts import TestResult, Verdict
from problems.errors import ProblemError
from problems.flags import (
    FlagError,
    GraderFlags,
    ScoreMode,
    TokenOptions,
    VerdictMode,
    parse_grader_flags,
    parse_token_flags,
)
from problems.load import load_problem
from problems.model import (
    Checker,
    CheckerKind,
    Label,
    Limits,
    OnReject,
    Problem,
    ProblemFormat,
    ProblemType,
    Scoring,
    TestKind,
)
from problems.model import TestCase as Case
from problems.model import TestGroup as Group
from problems.testdata import max_group_score


def _write(root: Path, files: dict[str, str]) -> Path:
    """Create `files` (relative path -> text) below root; returns root."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _package(root: Path, problem_yaml: str, group_yaml: str | None = None) -> Path:
    """A one-group Kattis package; `group_yaml` is data/secret/g1/testdata.yaml."""
    files = {
        "problem.yaml": problem_yaml,
        "data/sample/1.in": "1\n",
        "data/sample/1.ans": "1\n",
        "data/secret/g1/1.in": "1\n",
        "data/secret/g1/1.ans": "0.5\n",
    }
    if group_yaml is not None:
        files["data/secret/g1/testdata.yaml"] = group_yaml
    return _write(root, files)


# --- the token checker's flags ---------------------------------------------------------


def test_parse_token_flags() -> None:
    assert parse_token_flags(()) == TokenOptions()
    both = parse_token_flags(("float_tolerance", "1e-6", "case_sensitive"))
    assert both == TokenOptions(
        case_sensitive=True, float_absolute_tolerance=1e-6, float_relative_tolerance=1e-6
    )
    only_rel = parse_token_flags(("float_relative_tolerance", "0.01", "space_change_sensitive"))
    assert only_rel == TokenOptions(space_change_sensitive=True, float_relative_tolerance=0.01)
    assert only_rel.uses_floats and not TokenOptions().uses_floats
    # a later tolerance overrides an earlier one
    assert parse_token_flags(
        ("float_tolerance", "1", "float_absolute_tolerance", "0x1p-2")
    ) == TokenOptions(float_absolute_tolerance=0.25, float_relative_tolerance=1.0)


@pytest.mark.parametrize(
    ("flags", "problem"),
    [
        (("bogus",), "unknown output validator flag 'bogus'"),
        (("float_tolerance",), "needs a number"),
        (("float_tolerance", "abc"), "finite non-negative"),
        (("float_tolerance", "inf"), "finite non-negative"),
        (("float_absolute_tolerance", "-1"), "finite non-negative"),
    ],
)
def test_bad_token_flags(flags: tuple[str, ...], problem: str) -> None:
    with pytest.raises(FlagError, match=problem):
        parse_token_flags(flags)


_TOKEN_FLAG = st.one_of(
    st.sampled_from([("case_sensitive",), ("space_change_sensitive",)]),
    st.tuples(
        st.sampled_from(
            ["float_tolerance", "float_absolute_tolerance", "float_relative_tolerance"]
        ),
        st.sampled_from(["0", "1e-6", "0.5", "2", "0x1p-3"]),
    ),
)
_TOKEN_FLAGS = st.lists(_TOKEN_FLAG, max_size=5).map(lambda parts: sum(parts, ()))


@given(_TOKEN_FLAGS, _TOKEN_FLAGS)
def test_group_flags_apply_after_the_problems(
    first: tuple[str, ...], second: tuple[str, ...]
) -> None:
    """Applying a group's parsed options on top of the problem's is the same as
    parsing the problem's words followed by the group's (how they were judged
    before the flags were typed)."""
    assert parse_token_flags(first).then(parse_token_flags(second)) == parse_token_flags(
        first + second
    )


def test_the_checker_parses_token_flags_only() -> None:
    tokens = Checker(kind=CheckerKind.TOKENS, flags=("float_tolerance", "0.1"))
    assert tokens.token_options.float_absolute_tolerance == 0.1
    with pytest.raises(FlagError):
        Checker(kind=CheckerKind.TOKENS, flags=("--strict",))
    # a validator program takes any arguments; they stay raw
    program = Checker(kind=CheckerKind.KATTIS_VALIDATOR, flags=("--strict",))
    assert program.token_options == TokenOptions() and program.flags == ("--strict",)


def test_bad_validator_flag_fails_the_load_naming_problem_yaml(tmp_path: Path) -> None:
    root = _package(tmp_path / "p", "name: P\nvalidator_flags: float_tolerance x\n")
    with pytest.raises(ProblemError, match="validator_flags.*'float_tolerance'") as caught:
        load_problem(root)
    assert caught.value.path == root.resolve() / "problem.yaml"


def test_bad_group_validator_flag_fails_the_load_naming_its_file(tmp_path: Path) -> None:
    root = _package(tmp_path / "p", "name: P\n", "output_validator_flags: float_tolerence 1\n")
    with pytest.raises(ProblemError, match="output_validator_flags.*float_tolerence") as caught:
        load_problem(root)
    assert caught.value.path == root.resolve() / "data/secret/g1/testdata.yaml"


def test_validator_programs_take_any_flags(tmp_path: Path) -> None:
    root = _package(
        tmp_path / "p",
        "name: P\nvalidation: custom\nvalidator_flags: --mode strict\n",
        "output_validator_flags: --group 1\n",
    )
    _write(root, {"output_validators/v/validate.py": "import sys\nsys.exit(42)\n"})
    problem = load_problem(root)
    assert problem.checker.kind is CheckerKind.KATTIS_VALIDATOR
    assert problem.checker.flags == ("--mode", "strict")
    assert problem.test("secret/g1/1").validator_flags == ("--group", "1")


def test_good_token_flags_judge_as_before(tmp_path: Path) -> None:
    """The problem's flags and the group's both reach the token checker, the
    group's after the problem's; the raw words stay for cache keys."""
    root = _package(
        tmp_path / "p",
        "name: P\nvalidator_flags: float_tolerance 0.01 case_sensitive\n",
        "output_validator_flags: float_absolute_tolerance 0.1\n",
    )
    problem = load_problem(root)
    test = problem.test("secret/g1/1")
    assert test.validator_flags == ("float_absolute_tolerance", "0.1")
    options = problem.checker.token_options.then(test.token_options)
    assert options == parse_token_flags(problem.checker.flags + test.validator_flags)
    assert options == TokenOptions(
        case_sensitive=True, float_absolute_tolerance=0.1, float_relative_tolerance=0.01
    )
    output = tmp_path / "out"
    output.write_text("0.58\n")  # within the group's 0.1, not the problem's 0.01
    assert check_token_files(output, test.answer_path, options).verdict is Verdict.AC
    assert (
        check_token_files(output, test.answer_path, problem.checker.token_options).verdict
        is Verdict.WA
    )
    sample = problem.test("sample/1")
    assert sample.token_options == TokenOptions()  # the sample group sets none


# --- the default grader's flags --------------------------------------------------------


def test_last_conflicting_grader_mode_wins() -> None:
    flags = parse_grader_flags(["min", "sum", "first_error", "worst_error", "ignore_sample"])
    assert flags == GraderFlags(
        verdict_mode=VerdictMode.WORST_ERROR, score_mode=ScoreMode.SUM, ignore_sample=True
    )
    assert parse_grader_flags(()) == GraderFlags()


def test_scoring_parses_grader_flags_unless_a_custom_grader_takes_them() -> None:
    assert Scoring(grader_flags=("min", "accept_if_any_accepted")).grading == GraderFlags(
        score_mode=ScoreMode.MIN, accept_if_any_accepted=True
    )
    with pytest.raises(FlagError, match="unknown grader flag '7'"):
        Scoring(grader_flags=("7",))
    custom = Scoring(grader_flags=("7",), custom_grading=True)
    assert custom.grader_flags == ("7",) and custom.grading == GraderFlags()


def test_bad_grader_flag_fails_the_load_naming_its_file(tmp_path: Path) -> None:
    root = _package(tmp_path / "p", "name: P\ntype: scoring\n", "grader_flags: minimum\n")
    with pytest.raises(ProblemError, match="grader_flags.*'minimum'") as caught:
        load_problem(root)
    assert caught.value.path == root.resolve() / "data/secret/g1/testdata.yaml"


def test_inherited_bad_grader_flag_names_the_file_that_sets_it(tmp_path: Path) -> None:
    root = _package(tmp_path / "p", "name: P\n")
    _write(root, {"data/secret/testdata.yaml": "grader_flags: first_error bogus\n"})
    with pytest.raises(ProblemError, match="grader_flags.*'bogus'") as caught:
        load_problem(root)
    assert caught.value.path == root.resolve() / "data/secret/testdata.yaml"


def test_good_grader_flags_grade_as_before(tmp_path: Path) -> None:
    root = _package(
        tmp_path / "p",
        "name: P\ntype: scoring\n",
        "accept_score: 10\ngrader_flags: min\non_reject: continue\n",
    )
    _write(
        root,
        {
            "data/secret/g1/2.in": "2\n",
            "data/secret/g1/2.ans": "2\n",
            "data/testdata.yaml": "on_reject: continue\ngrader_flags: ignore_sample\n",
        },
    )
    problem = load_problem(root)
    assert max_group_score(problem.root_group) == 10.0  # min of the group, sample ignored
    verdicts = {"sample/1": Verdict.WA, "secret/g1/1": Verdict.AC, "secret/g1/2": Verdict.WA}
    results = {name: TestResult(test=name, verdict=v) for name, v in verdicts.items()}
    graded = grade(problem, results)
    assert graded.score == 0.0  # min over the group: one WA
    results["secret/g1/2"] = TestResult(test="secret/g1/2", verdict=Verdict.AC)
    assert grade(problem, results).score == 10.0  # the sample's WA is ignored


# --- enums that were strings -----------------------------------------------------------


def test_enum_fields_serialise_as_the_strings_they_were() -> None:
    """Formats, test kinds, on_reject and labels print, repr and dump to JSON as
    the plain strings they replaced (problem fingerprints hash these reprs)."""
    scoring = Scoring(on_reject="continue")
    assert scoring.on_reject is OnReject.CONTINUE
    assert repr(scoring).startswith(
        "Scoring(accept_score=1.0, reject_score=0.0, score_range=None, grader_flags=(), "
        "on_reject='continue', "
    )
    for word in (ProblemFormat.KATTIS_2023_07, TestKind.SAMPLE, OnReject.BREAK, Label.ACCEPTED):
        assert repr(word) == repr(word.value)
        assert f"{word}" == str(word) == word.value
        assert json.dumps({word: word}) == json.dumps({word.value: word.value})
        assert hash(word) == hash(word.value) and word == word.value


@pytest.mark.parametrize("mode", list(ScoreMode))
def test_the_reader_and_the_grader_agree_on_a_groups_maximum(mode: ScoreMode) -> None:
    """problems.testdata.max_group_score (the reader's maximum) and the default
    grader's max_score read one aggregation table: an all-accepted group scores
    its maximum under every score mode."""
    group = Group(
        name="data",
        items=("a", "b", "c"),
        scoring=Scoring(accept_score=4.0, grader_flags=(mode.value,), on_reject="continue"),
    )
    tests = tuple(Case(name, Path(f"/{name}.in"), None) for name in ("a", "b", "c"))
    problem = Problem(
        name="p",
        title="p",
        root=Path("/p"),
        format=ProblemFormat.KATTIS_LEGACY,
        type=ProblemType.SCORING,
        statement="",
        limits=Limits(time_s=1.0),
        tests=tests,
        root_group=group,
    )
    results = {name: TestResult(test=name, verdict=Verdict.AC) for name in ("a", "b", "c")}
    graded = grade(problem, results)
    assert graded.max_score == max_group_score(group) == graded.score
