"""The judge end to end on real problems: compile once, cache runs, lazy judging,
graders, checkers, and clear errors for bad sources and broken checkers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from judge.compile import Build, Compiled
from judge.programs import Program, SourceError, program_from_paths, program_from_text
from judge.session import Judge, JudgeOptions
from judge.timelimit import limit_from
from judge.verdicts import TestResult, Verdict
from problems.languages import HEADER_SUFFIXES
from problems.load import load_problem
from solver.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "problems" / "examples"

PAIRSUM_CPP = (EXAMPLES / "pairsum" / "submissions" / "accepted" / "pairsum.cpp").read_text()


@pytest.fixture()
def judge(tmp_path: Path):
    with Judge(JudgeOptions(workers=0, cache_dir=tmp_path / "cache")) as session:
        yield session


def test_accepted_and_wrong_programs_get_their_verdicts(judge: Judge) -> None:
    problem = load_problem(EXAMPLES / "pairsum")
    good = program_from_text(PAIRSUM_CPP, "cpp", "good")
    bad = program_from_text(PAIRSUM_CPP.replace("long long", "short"), "cpp", "narrow")
    good_result, bad_result = judge.judge_programs(problem, [good, bad])
    assert good_result.result.verdict is Verdict.AC and good_result.result.full_score
    assert len(good_result.tests) == len(problem.tests)
    assert bad_result.result.verdict is not Verdict.AC


def test_runs_are_cached_and_identical_programs_share_them(tmp_path: Path) -> None:
    problem = load_problem(EXAMPLES / "pairsum")
    program = program_from_text(PAIRSUM_CPP, "cpp", "a")
    twin = program_from_text(PAIRSUM_CPP, "cpp", "b")
    options = JudgeOptions(workers=0, cache_dir=tmp_path / "cache")
    with Judge(options) as judge:
        first = judge.judge_programs(problem, [program, twin])
    programs_dir = tmp_path / "cache" / "programs"
    builds = [p for p in programs_dir.glob("*/*") if (p / "result.json").exists()]
    assert len(builds) == 1, "one distinct source must be compiled once"
    with Judge(options) as judge:
        second = judge.judge_programs(problem, [program])
    assert [t.cpu_time_s for t in second[0].tests] == [t.cpu_time_s for t in first[0].tests]
    assert first[0].tests == first[1].tests


def test_compile_error_is_ce_with_message(judge: Judge) -> None:
    problem = load_problem(EXAMPLES / "pairsum")
    [result] = judge.judge_programs(problem, [program_from_text("int main( {", "cpp", "broken")])
    assert result.result.verdict is Verdict.CE
    assert "error" in result.compile_message


def test_python_syntax_error_is_ce(judge: Judge) -> None:
    problem = load_problem(EXAMPLES / "pairsum")
    [result] = judge.judge_programs(problem, [program_from_text("def f(:\n", "python", "bad")])
    assert result.result.verdict is Verdict.CE
    assert "SyntaxError" in result.compile_message


def test_lazy_judging_stops_at_first_rejection(tmp_path: Path) -> None:
    problem = load_problem(EXAMPLES / "pairsum")
    wrong = program_from_text("print(0)\n", "python", "zero")
    lazy = Judge(JudgeOptions(workers=0, cache_dir=tmp_path / "a"))
    full = Judge(JudgeOptions(workers=0, cache_dir=tmp_path / "b", lazy=False))
    with lazy, full:
        [lazy_result] = lazy.judge_programs(problem, [wrong])
        [full_result] = full.judge_programs(problem, [wrong])
    assert len(full_result.tests) == len(problem.tests)
    assert len(lazy_result.tests) < len(full_result.tests)
    assert lazy_result.result.verdict == full_result.result.verdict == Verdict.WA


def test_function_call_problem_links_the_grader(judge: Judge) -> None:
    problem = load_problem(EXAMPLES / "taller")
    folder = EXAMPLES / "taller" / "submissions"
    good = program_from_paths([folder / "accepted" / "stack.cpp"])
    wrong = program_from_paths([folder / "wrong_answer" / "ties.cpp"])
    python = program_from_text("print(1)\n", "python", "py")
    good_result, wrong_result, python_result = judge.judge_programs(problem, [good, wrong, python])
    assert good_result.result.verdict is Verdict.AC
    assert wrong_result.result.verdict is Verdict.WA
    assert python_result.result.verdict is Verdict.CE
    assert "grader" in python_result.compile_message


def test_custom_validator_accepts_any_shortest_path(judge: Judge) -> None:
    problem = load_problem(EXAMPLES / "mazepath")
    folder = EXAMPLES / "mazepath" / "submissions"
    bfs = program_from_paths([folder / "accepted" / "bfs.py"])
    dfs = program_from_paths([folder / "wrong_answer" / "dfs.cpp"])
    bfs_result, dfs_result = judge.judge_programs(problem, [bfs, dfs])
    assert bfs_result.result.verdict is Verdict.AC
    assert dfs_result.result.verdict is Verdict.WA
    assert any(t.message for t in dfs_result.tests if t.verdict is Verdict.WA)


def test_non_utf8_source_is_a_clear_error(tmp_path: Path) -> None:
    source = tmp_path / "latin1.cpp"
    source.write_bytes(b"int main() { /* caf\xe9 */ return 0; }\n")
    with pytest.raises(SourceError) as error:
        program_from_paths([source])
    assert "latin1.cpp" in str(error.value) and "UTF-8" in str(error.value)
    assert (
        main(
            [
                "judge",
                str(EXAMPLES / "pairsum"),
                str(source),
                "--workers",
                "0",
                "-q",
                "--cache",
                str(tmp_path / "cache"),
            ]
        )
        == 2
    )


def test_checker_that_does_not_compile_is_a_clear_error(tmp_path: Path) -> None:
    package = tmp_path / "mazepath"
    shutil.copytree(EXAMPLES / "mazepath", package)
    validator = next((package / "output_validators").rglob("*.cpp"))
    validator.write_text("this is not C++\n")
    problem = load_problem(package)
    program = program_from_paths([package / "submissions" / "accepted" / "bfs.cpp"])
    with Judge(JudgeOptions(workers=0, cache_dir=tmp_path / "cache")) as judge:
        with pytest.raises(SourceError) as error:
            judge.judge_programs(problem, [program])
    assert "does not compile" in str(error.value) and str(package) in str(error.value)


def test_cli_check_reports_agreement_and_exit_code(tmp_path: Path, capsys) -> None:
    code = main(
        [
            "check",
            str(EXAMPLES / "meandistance"),
            "--workers",
            "2",
            "-q",
            "--cache",
            str(tmp_path / "cache"),
        ]
    )
    out = capsys.readouterr().out
    last = out.strip().splitlines()[-1]
    submissions = list((EXAMPLES / "meandistance" / "submissions").glob("*/*"))
    assert last == f"{len(submissions)} agree, 0 disagree"
    assert code == 0


def test_cli_check_fails_on_a_mislabelled_submission(tmp_path: Path, capsys) -> None:
    package = tmp_path / "meandistance"
    shutil.copytree(EXAMPLES / "meandistance", package)
    wrong = next((package / "submissions" / "wrong_answer").iterdir())
    shutil.copy(wrong, package / "submissions" / "accepted" / ("mislabelled" + wrong.suffix))
    code = main(["check", str(package), "--workers", "0", "-q", "--cache", str(tmp_path / "c")])
    out = capsys.readouterr().out
    assert code == 1
    assert out.strip().splitlines()[-1].endswith("1 disagree")
    assert "mislabelled" in out


# -- the public API other modules use ---------------------------------------------------

# A header that compiles only after what its includer included first: given to
# the compiler on its own, it fails.
_LEANING_HEADER = "inline int two(const std::vector<int>& v) { return int(v.size()); }\n"
_INCLUDER = '#include <vector>\n#include "util{suffix}"\nint main() {{ return two({{1}}) - 1; }}\n'


@pytest.mark.parametrize("suffix", HEADER_SUFFIXES)
def test_a_header_is_copied_next_to_the_build_and_never_compiled(judge: Judge, suffix: str) -> None:
    files = (
        ("main.cpp", _INCLUDER.format(suffix=suffix).encode()),
        (f"util{suffix}", _LEANING_HEADER.encode()),
    )
    [compiled] = judge.compile([Build(Program("cpp", files, "leaning"))])
    assert compiled.ok, compiled.message


def test_compile_each_keeps_the_reasons_in_place(judge: Judge) -> None:
    build = Build(program_from_text(PAIRSUM_CPP, "cpp", "good"))
    reason, compiled, again = judge.compile_each(["no grader for it", build, build])
    assert reason == "no grader for it"
    assert isinstance(compiled, Compiled) and compiled.ok and compiled == again


def test_a_build_in_the_cache_folder_is_not_sent_to_a_worker(judge: Judge) -> None:
    """The first compile of a build is a pool job; later ones (in this session or
    any other on the same cache folder) read the record the first left."""
    sent: list[str] = []
    submit = judge.pool.submit

    def counting(function, *args):  # type: ignore[no-untyped-def]
        sent.append(function.__name__)
        return submit(function, *args)

    judge.pool.submit = counting  # type: ignore[method-assign]
    good = Build(program_from_text(PAIRSUM_CPP, "cpp", "good"))
    broken = Build(program_from_text("int main( {", "cpp", "broken"))
    first = judge.compile([good, broken])
    assert sent == ["compile_job", "compile_job"]
    again = judge.compile([broken, good, good])
    assert sent == ["compile_job", "compile_job"], "a cached build went to a worker"
    assert again == [first[1], first[0], first[0]]
    assert first[0].ok and not first[1].ok and "expected" in first[1].message


def test_judge_tests_runs_every_test_when_asked_even_in_a_lazy_session(judge: Judge) -> None:
    problem = load_problem(EXAMPLES / "pairsum")
    wrong = program_from_text("print(0)\n", "python", "zero")
    setup = judge.setup(problem)
    [lazy] = judge.judge_tests(setup, [wrong])
    [eager] = judge.judge_tests(setup, [wrong], lazy=False)
    assert judge.options.lazy, "the session's own option is left as it was"
    assert len(lazy.tests) < len(eager.tests) == len(problem.tests)
    assert lazy.result.verdict is eager.result.verdict is Verdict.WA


def test_a_derived_time_limit_is_remembered_in_the_cache_folder(tmp_path: Path) -> None:
    problem = load_problem(EXAMPLES / "taller")
    assert problem.limits.time_s is None, "taller's package gives no time limit"
    options = JudgeOptions(workers=0, cache_dir=tmp_path / "cache")
    with Judge(options) as judge:
        derived = judge.setup(problem).time_s
    [record] = (tmp_path / "cache" / "timelimits").glob("*.json")
    assert json.loads(record.read_text())["time_s"] == derived
    record.write_text(json.dumps({"time_s": derived + 7}))
    with Judge(options) as judge:
        assert judge.setup(problem).time_s == derived + 7


@given(
    times=st.lists(st.floats(min_value=0, max_value=100), max_size=8),
    verdicts=st.lists(st.sampled_from([Verdict.AC, Verdict.WA, Verdict.TLE]), max_size=8),
    multiplier=st.floats(min_value=1, max_value=5),
)
def test_a_time_limit_is_whole_seconds_above_the_slowest_accepted_run(
    times: list[float], verdicts: list[Verdict], multiplier: float
) -> None:
    runs = [
        TestResult(test=f"t{i}", verdict=v, cpu_time_s=t)
        for i, (t, v) in enumerate(zip(times, verdicts, strict=False))
    ]
    limit, slowest = limit_from(runs, multiplier)
    accepted = [run.cpu_time_s for run in runs if run.verdict is Verdict.AC]
    assert slowest == max(accepted, default=0.0)
    assert limit == int(limit) >= 1
    assert limit >= slowest * multiplier
    assert limit - 1 < max(1.0, slowest * multiplier)
