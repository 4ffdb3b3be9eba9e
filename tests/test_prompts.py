"""Prompt building: statement, limits, samples, answer form, per-subtask statements."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from problems import model
from problems.model import Grader, GraderKind, Limits, Problem, ProblemType, Scoring
from problems.subtask_statement import statement_for_subtask
from solver.prompts.build import build_prompts
from solver.prompts.material import subtasks_of
from solver.prompts.templates import format_messages, supported_languages

LATEX_STATEMENT = r"""\problemname{Pairs}
Count the pairs.

\section*{Input}
One line with $N$.

\section*{Scoring}
\begin{tabular}{| l | l | l |}
  \hline
  \textbf{Group} & \textbf{Points} & \textbf{Constraints} \\ \hline
  $1$ & $20$ & $N \le 10$ \\ \hline
  $2$ & $30$ & $N \le 1000$ \\ \hline
  $3$ & $50$ & No additional constraints. \\ \hline
\end{tabular}

\section*{Explanation of sample}
Easy.
"""

MARKDOWN_STATEMENT = """Find the sum.

## Subtask 1 (10 points)
All numbers are zero.

## Subtask 2 (90 points)
No additional constraints.

## Notes
Use 64-bit integers.
"""


def _problem(
    tmp_path: Path,
    *,
    statement: str = "Print the sum of A and B.",
    problem_type: ProblemType = ProblemType.PASS_FAIL,
    groups: tuple[model.TestGroup, ...] = (),
    grader: Grader | None = None,
    time_s: float | None = 2.0,
) -> Problem:
    (tmp_path / "1.in").write_text("3 4\n")
    (tmp_path / "1.ans").write_text("7\n")
    (tmp_path / "2.in").write_text("10 -2\n")
    (tmp_path / "2.ans").write_text("8\n")
    (tmp_path / "3.in").write_text("1 1\n")
    tests = (
        model.TestCase("sample/1", tmp_path / "1.in", tmp_path / "1.ans", kind="sample"),
        model.TestCase("sample/2", tmp_path / "2.in", tmp_path / "2.ans", kind="sample"),
        model.TestCase("secret/1", tmp_path / "3.in", None, kind="secret"),
    )
    secret = model.TestGroup("secret", groups or ("secret/1",))
    return Problem(
        name="sum",
        title="Sum",
        root=tmp_path,
        format="kattis-legacy",
        type=problem_type,
        statement=statement,
        limits=Limits(time_s=time_s, memory_bytes=256 * 1024 * 1024),
        tests=tests,
        root_group=model.TestGroup(
            "", (model.TestGroup("sample", ("sample/1", "sample/2")), secret)
        ),
        grader=grader or Grader(),
    )


def _user(problem: Problem, language: str = "cpp") -> str:
    (prompt,) = build_prompts(problem, language, per_subtask=False)
    return prompt.messages[1]["content"]


def test_prompt_has_statement_limits_samples_and_answer_form(tmp_path: Path) -> None:
    problem = _problem(tmp_path)
    (prompt,) = build_prompts(problem, "cpp", per_subtask=False)
    assert [m["role"] for m in prompt.messages] == ["system", "user"]
    user = prompt.messages[1]["content"]
    assert "Print the sum of A and B." in user
    assert "Time limit: 2 seconds" in user
    assert "Memory limit: 256 MiB" in user
    for text in ("3 4", "7", "10 -2", "8"):
        assert f"```\n{text}\n```" in user
    assert "1 1" not in user  # secret tests stay secret
    assert "```cpp fenced block" in user and "complete C++17 program" in user
    assert prompt.language == "cpp" and prompt.subtask is None
    python = _user(problem, "python")
    assert "```python fenced block" in python and "Python 3 program" in python


def test_missing_time_limit_is_said_plainly(tmp_path: Path) -> None:
    assert "not fixed by the package" in _user(_problem(tmp_path, time_s=None))


def test_prompt_keys_differ_by_language_and_content(tmp_path: Path) -> None:
    problem = _problem(tmp_path)
    cpp = build_prompts(problem, "cpp", per_subtask=False)[0]
    python = build_prompts(problem, "python", per_subtask=False)[0]
    again = build_prompts(problem, "cpp", per_subtask=False)[0]
    assert cpp.key() != python.key()
    assert cpp.key() == again.key()


def test_function_call_task_asks_for_functions_and_shows_header(tmp_path: Path) -> None:
    graders = tmp_path / "graders"
    graders.mkdir()
    (graders / "sum.h").write_text("long long sum(int A, int B);\n")
    (graders / "grader.cpp").write_text('#include "sum.h"\nint main() {}\n')
    grader = Grader(
        kind=GraderKind.LINKED,
        sources=(graders / "grader.cpp",),
        include_dirs=(graders,),
        languages=("cpp",),
    )
    problem = _problem(tmp_path, grader=grader)
    user = _user(problem)
    assert "long long sum(int A, int B);" in user
    assert "Implement the function(s) only" in user
    assert "do not write a `main` function" in user
    assert "int main() {}" not in user  # the grader's own code is not shown
    assert supported_languages(problem) == ("cpp",)
    with pytest.raises(ValueError, match="python"):
        build_prompts(problem, "python", per_subtask=False)


def test_format_messages_is_pure_and_mentions_interaction() -> None:
    messages = format_messages(
        title="Guess",
        statement="Guess the number.",
        limits=Limits(time_s=1.0),
        samples=(),
        language="python",
        grader_kind=GraderKind.INTERACTIVE,
    )
    user = messages[1]["content"]
    assert "Time limit: 1 second\n" in user
    assert "Flush standard output" in user
    assert "## Samples" not in user


def _scoring_problem(tmp_path: Path, statement: str) -> Problem:
    groups = tuple(
        model.TestGroup(f"secret/group{i}", ("secret/1",), scoring=Scoring(accept_score=points))
        for i, points in ((1, 20.0), (2, 30.0), (3, 50.0))
    )
    return _problem(tmp_path, statement=statement, problem_type=ProblemType.SCORING, groups=groups)


def test_subtasks_of_kattis_scoring_groups(tmp_path: Path) -> None:
    problem = _scoring_problem(tmp_path, LATEX_STATEMENT)
    subtasks = subtasks_of(problem)
    assert [(s.name, s.points) for s in subtasks] == [
        ("secret/group1", 20.0),
        ("secret/group2", 30.0),
        ("secret/group3", 50.0),
    ]
    assert subtasks_of(_problem(tmp_path)) == []


def test_subtasks_of_ioi_groups_skip_zero_point_samples(tmp_path: Path) -> None:
    base = _problem(tmp_path)
    root = model.TestGroup(
        "",
        (
            model.TestGroup("00-samples", ("sample/1",), points=0.0),
            model.TestGroup("01-small", ("sample/1", "secret/1"), points=40.0),
            model.TestGroup("02-full", ("secret/1",), points=60.0),
        ),
    )
    problem = dataclasses.replace(base, root_group=root, type=ProblemType.SCORING)
    assert [(s.name, s.points) for s in subtasks_of(problem)] == [
        ("01-small", 40.0),
        ("02-full", 60.0),
    ]


def test_per_subtask_prompts_drop_other_subtasks_rows(tmp_path: Path) -> None:
    problem = _scoring_problem(tmp_path, LATEX_STATEMENT)
    prompts = build_prompts(problem, "cpp", per_subtask=True)
    assert [p.subtask for p in prompts] == ["secret/group1", "secret/group2", "secret/group3"]
    users = [p.messages[1]["content"] for p in prompts]
    assert len(set(users)) == 3 and len({p.key() for p in prompts}) == 3
    assert r"$N \le 10$" in users[0] and r"$N \le 1000$" not in users[0]
    assert r"$N \le 1000$" in users[1] and r"$N \le 10$ " not in users[1]
    assert "No additional constraints" in users[2] and r"$N \le 1000$" not in users[2]
    assert "Target subtask: 2 (30 points)" in users[1]
    for user in users:
        assert r"\textbf{Group} & \textbf{Points}" in user  # the table header stays
        assert "Explanation of sample" in user
    whole = build_prompts(problem, "cpp", per_subtask=False)
    assert len(whole) == 1 and r"$N \le 1000$" in whole[0].messages[1]["content"]


def test_statement_for_subtask_drops_markdown_sections() -> None:
    first = statement_for_subtask(MARKDOWN_STATEMENT, 0, ["subtask1", "subtask2"], points=10)
    second = statement_for_subtask(MARKDOWN_STATEMENT, 1, ["subtask1", "subtask2"])
    assert "All numbers are zero." in first and "No additional constraints." not in first
    assert "No additional constraints." in second and "All numbers are zero." not in second
    assert "Use 64-bit integers." in first and "Use 64-bit integers." in second
    assert first.endswith("Target subtask: 1 (10 points)\n")
    assert second.endswith("Target subtask: 2\n")


def test_statement_for_subtask_drops_subtask_paragraphs() -> None:
    statement = "Intro.\n\nSubtask 1: n = 1.\n\nSubtask 2: n <= 100.\n\nOutro."
    text = statement_for_subtask(statement, 1, ["a", "b"])
    assert "n <= 100" in text and "n = 1." not in text and "Outro." in text


def test_statement_without_subtask_sections_only_gets_the_target_line() -> None:
    statement = "Add two numbers.\n\nThey fit in | a table | maybe |\n"
    text = statement_for_subtask(statement, 0, ["03-full"], points=50)
    assert text == statement.rstrip() + "\n\nTarget subtask: 3 (50 points)\n"


def test_real_scoring_problem_statement(shared_problems: Path) -> None:
    path = shared_problems / "swedish-olympiad-2025/skol/virus3/problem_statement/problem.en.tex"
    statement = path.read_text(encoding="utf-8")
    names = ["secret/group1", "secret/group2", "secret/group3", "secret/group4"]
    texts = [statement_for_subtask(statement, i, names) for i in range(4)]
    assert len(set(texts)) == 4
    assert "$|H| = |F|+1$" in texts[1] and "$|H| = |F|+2$" not in texts[1]
    assert "$|H| = |F|+2$" in texts[2] and "$|H| = |F|+1$" not in texts[2]
    for text in texts:
        assert "Boschua is not very good at cybersecurity" in text
        assert r"\section*{Explanation of Samples}" in text
