"""Package formats the judge must take as Kattis and problemtools do: every file of
`include/<language>/` in each build, custom graders (`grading: custom`), no
judging without secret data, and Python judged by the package's platform."""

from __future__ import annotations

import shutil
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from judge.builds import grader_build
from judge.grading import grade, grader_input, parse_grader_output
from judge.labelcheck import LabelCheck, check_packages, check_problem
from judge.languages import get_language, platform_language
from judge.programs import program_from_paths
from judge.session import Judge, JudgeOptions
from judge.verdicts import TestResult, Verdict
from problems.load import load_problem

PYPY = Path("/usr/bin/pypy3")


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


ADD_TESTS = {
    "data/sample/1.in": "1 2\n",
    "data/sample/1.ans": "3\n",
    "data/secret/1.in": "5 7\n",
    "data/secret/1.ans": "12\n",
    "data/secret/2.in": "100 -3\n",
    "data/secret/2.ans": "97\n",
}


def _include_package(root: Path) -> Path:
    """A function-call package: the grader includes its task header and a header
    in a subfolder; Python gets its own main.py that imports the candidate."""
    return _write(
        root / "addtwo",
        {
            "problem.yaml": "name: Add Two\n",
            **ADD_TESTS,
            "include/cpp/grader.cpp": """
                #include <cstdio>
                #include "task.h"
                #include "detail/scale.h"
                int main() {
                    long long a, b;
                    if (scanf("%lld %lld", &a, &b) != 2) return 1;
                    printf("%lld\\n", SCALE * add(a, b));
                }
            """,
            "include/cpp/task.h": "long long add(long long a, long long b);\n",
            "include/cpp/detail/scale.h": "#define SCALE 1\n",
            "include/python3/main.py": """
                from addtwo import add
                a, b = map(int, input().split())
                print(add(a, b))
            """,
            "submissions/accepted/add.cpp": """
                #include "task.h"
                long long add(long long a, long long b) { return a + b; }
            """,
            "submissions/accepted/add.py": "def add(a, b):\n    return a + b\n",
            "submissions/wrong_answer/sub.cpp": """
                #include "task.h"
                long long add(long long a, long long b) { return a - b; }
            """,
            "submissions/wrong_answer/sub.py": "def add(a, b):\n    return a - b\n",
        },
    )


def _custom_grader_package(root: Path) -> Path:
    """A legacy scoring package whose two groups are graded by graders/grader.py:
    `grader_flags` (7) points per accepted test, as a custom grader may decide."""
    group = "grading: custom\ngrader_flags: 7\nrange: 0 14\non_reject: continue\n"
    files = {
        "problem.yaml": "type: scoring\n",
        "data/secret/g1/testdata.yaml": group,
        "data/secret/g2/testdata.yaml": group,
        "graders/grader.py": """
            import sys
            points = float(sys.argv[1])
            lines = [line.split() for line in sys.stdin if line.strip()]
            good = sum(1 for verdict, _score in lines if verdict == "AC")
            print(f"AC {points * good}" if good else "WA 0")
        """,
        "submissions/accepted/echo.py": "print(input())\n",
        "submissions/partially_accepted/half.py": """
            word = input()
            print("nope" if word == "d" else word)
        """,
        "submissions/wrong_answer/nope.py": "input()\nprint('nope')\n",
    }
    for index, word in enumerate("abcd"):
        name = f"data/secret/g{1 + index // 2}/{index}"
        files[f"{name}.in"] = word + "\n"
        files[f"{name}.ans"] = word + "\n"
    return _write(root / "customgrade", files)


@pytest.fixture(scope="module")
def judge(tmp_path_factory: pytest.TempPathFactory):
    with Judge(JudgeOptions(workers=2, cache_dir=tmp_path_factory.mktemp("cache"))) as session:
        yield session


def _by_submission(rows: list[LabelCheck]) -> dict[str, LabelCheck]:
    return {row.submission: row for row in rows}


@pytest.mark.slow
def test_every_include_file_goes_into_the_build(judge: Judge, tmp_path: Path) -> None:
    problem = load_problem(_include_package(tmp_path))
    assert {item.language for item in problem.grader.includes} == {"cpp", "python"}
    rows = _by_submission(check_problem(judge, problem))
    assert set(rows) == {
        "accepted/add.cpp",
        "accepted/add.py",
        "wrong_answer/sub.cpp",
        "wrong_answer/sub.py",
    }
    for row in rows.values():
        assert row.agrees, (row.submission, row.reason, row.result)
    assert rows["wrong_answer/sub.py"].result is not None
    assert rows["wrong_answer/sub.py"].result.result.verdict is Verdict.WA
    # Kattis runs Python on PyPy: so does the judge, for Kattis packages.
    assert rows["accepted/add.py"].language == ("pypy" if PYPY.exists() else "python")


@pytest.mark.slow
def test_a_header_left_out_of_the_build_fails_to_compile(judge: Judge, tmp_path: Path) -> None:
    """The same package without the subfolder header: the grader cannot compile
    (so the test above passes because the header went in, not by luck)."""
    root = _include_package(tmp_path)
    shutil.rmtree(root / "include/cpp/detail")
    rows = _by_submission(check_problem(judge, load_problem(root)))
    result = rows["accepted/add.cpp"].result
    assert result is not None and result.result.verdict is Verdict.CE
    assert "scale.h" in result.compile_message


@pytest.mark.slow
def test_a_custom_grader_grades_its_groups(judge: Judge, tmp_path: Path) -> None:
    problem = load_problem(_custom_grader_package(tmp_path))
    assert problem.group_grader and problem.max_score == 28
    rows = _by_submission(check_problem(judge, problem))
    scores = {}
    for name, row in rows.items():
        assert row.result is not None, name
        scores[name] = row.result.result.score
        assert row.agrees, (name, row.reason)
    assert scores == {
        "accepted/echo.py": 28,
        "partially_accepted/half.py": 21,
        "wrong_answer/nope.py": 0,
    }


@pytest.mark.slow
def test_a_grader_that_writes_nonsense_is_a_judge_error(judge: Judge, tmp_path: Path) -> None:
    root = _custom_grader_package(tmp_path)
    (root / "graders/grader.py").write_text("print('all good')\n")
    rows = _by_submission(check_problem(judge, load_problem(root)))
    result = rows["accepted/echo.py"].result
    assert result is not None and result.result.verdict is Verdict.JE
    assert rows["accepted/echo.py"].agrees is False


def test_grader_protocol_lines() -> None:
    """problemtools' protocol: "VERDICT SCORE" lines in, one "VERDICT SCORE" out."""
    text = grader_input([(Verdict.AC, 1.0), (Verdict.MLE, 0.0), (Verdict.PE, 0.0)])
    assert text == "AC 1.0\nRTE 0.0\nWA 0.0\n"
    assert parse_grader_output("TLE 3.5\n") == (Verdict.TLE, 3.5)
    assert parse_grader_output("RTE 0") == (Verdict.RE, 0.0)
    for bad in ("", "AC", "OK 1", "AC one", "AC 1 2", "AC nan"):
        assert parse_grader_output(bad) is None


def test_grading_without_the_custom_grader_is_a_judge_error(tmp_path: Path) -> None:
    problem = load_problem(_custom_grader_package(tmp_path))
    results = {test.name: TestResult(test.name, Verdict.AC) for test in problem.tests}
    assert grade(problem, results).verdict is Verdict.JE
    graded = grade(problem, results, lambda group, outcomes: (Verdict.AC, 5.0, ""))
    assert graded.verdict is Verdict.AC and graded.score == 10


def test_custom_grading_without_graders_folder_is_an_error(tmp_path: Path) -> None:
    root = _custom_grader_package(tmp_path)
    shutil.rmtree(root / "graders")
    with pytest.raises(Exception, match="no graders/"):
        load_problem(root)


def test_a_package_without_secret_data_is_an_error_row(tmp_path: Path) -> None:
    root = _write(
        tmp_path / "ungenerated",
        {
            "problem.yaml": "problem_format_version: 2023-07-draft\nname: Ungenerated\n",
            "data/sample/1.in": "1 2\n",
            "data/sample/1.ans": "3\n",
            "generators/generators.yaml": "data:\n  secret:\n    data:\n      - gen: gen 1\n",
            "submissions/accepted/add.py": "print(sum(map(int, input().split())))\n",
        },
    )
    with Judge(JudgeOptions(workers=0, cache_dir=tmp_path / "cache")) as judge:
        [row] = check_packages(judge, [root])
    assert row.problem == "ungenerated" and row.agrees is None
    assert "no secret test data" in row.error
    assert "generators.yaml" in row.error and "generate" in row.error


def test_python_runs_as_the_platform_runs_it(examples_dir: Path, shared_problems: Path) -> None:
    kattis = load_problem(shared_problems / "swedish-olympiad-2025/online/danska")
    cms = load_problem(shared_problems / "ioi2024/aplusb")
    ours = load_problem(examples_dir / "pairsum")
    assert (kattis.platform, cms.platform, ours.platform) == ("kattis", "cms", "cpsolve")
    assert platform_language("python", "cms").key == "python"
    assert platform_language("python", "cpsolve").key == "python"
    assert platform_language("cpp", "kattis").key == "cpp"
    expected = "pypy" if PYPY.exists() else "python"
    assert platform_language("python", "kattis").key == expected
    assert "PyPy" in get_language("pypy").interpreter


def test_cpython_include_builds_of_several_files_are_refused_with_the_reason(
    tmp_path: Path,
) -> None:
    """CPython candidates run from one file by the pre-started interpreter: on a
    CPython platform a Python include build is refused (a skip with the reason),
    never run without the grader's main.py."""
    problem = replace(load_problem(_include_package(tmp_path)), platform="cpsolve")
    program = program_from_paths([problem.root / "submissions/accepted/add.py"])
    build = grader_build(problem, program)
    assert isinstance(build, str) and "single file" in build and "python3" in build
    cpp = grader_build(problem, program_from_paths([problem.root / "submissions/accepted/add.cpp"]))
    assert not isinstance(cpp, str)
    names = {name for name, _ in cpp.extra_files} | {name for name, _ in cpp.extra_sources}
    assert names == {"grader.cpp", "task.h", "detail/scale.h"}
