"""Malformed packages: each gives one ProblemError that names the offending file
and says what is wrong (and a few odd-but-valid inputs load instead of crashing)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from problems.errors import ProblemError
from problems.load import find_problems, load_problem


def _write(root: Path, files: dict[str, str | bytes]) -> Path:
    """Create `files` (relative path -> text or bytes) below root; returns root."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return root


def _kattis(root: Path, problem_yaml: str, extra: dict[str, str | bytes] | None = None) -> Path:
    """A Kattis package with one valid secret test plus `extra` files."""
    files: dict[str, str | bytes] = {
        "problem.yaml": problem_yaml,
        "data/secret/1.in": "1\n",
        "data/secret/1.ans": "1\n",
    }
    return _write(root, {**files, **(extra or {})})


def _cms(root: Path, config: object, subtask: object, raw_config: str | None = None) -> Path:
    """A CMS package with one test and one subtask file."""
    return _write(
        root,
        {
            "problem.json": raw_config if raw_config is not None else json.dumps(config),
            "tests/a.in": "1\n",
            "tests/a.out": "1\n",
            "subtasks/01-all.json": subtask if isinstance(subtask, str) else json.dumps(subtask),
        },
    )


BATCH = {"code": "t", "name": "T", "time_limit": 1, "memory_limit": 1 << 28, "task_type": "Batch"}


def _error(path: Path) -> ProblemError:
    """The ProblemError that loading `path` raises."""
    with pytest.raises(ProblemError) as caught:
        load_problem(path)
    return caught.value


def test_yaml_syntax_error_names_problem_yaml_and_line(tmp_path: Path) -> None:
    root = _kattis(tmp_path / "p", "name: A\nlimits: [1, 2\n")
    error = _error(root)
    assert error.path == root / "problem.yaml"
    assert "YAML syntax error" in error.message
    assert "line 3" in error.message or "line 2" in error.message


def test_limits_must_be_a_mapping(tmp_path: Path) -> None:
    root = _kattis(tmp_path / "p", "name: A\nlimits: 5\n")
    error = _error(root)
    assert error.path == root / "problem.yaml"
    assert "`limits` must be a mapping" in error.message


def test_limit_values_must_be_numbers(tmp_path: Path) -> None:
    root = _kattis(tmp_path / "p", "name: A\nlimits:\n  memory: lots\n")
    error = _error(root)
    assert error.path == root / "problem.yaml"
    assert "`limits.memory` must be a number" in error.message


def test_problem_yaml_must_be_a_mapping(tmp_path: Path) -> None:
    root = _kattis(tmp_path / "p", "- just\n- a list\n")
    assert "expected a mapping" in _error(root).message


def test_unknown_type_and_format_version(tmp_path: Path) -> None:
    error = _error(_kattis(tmp_path / "a", "type: golf\n"))
    assert "`type` must be 'pass-fail' or 'scoring'" in error.message
    error = _error(_kattis(tmp_path / "b", "problem_format_version: 1999\n"))
    assert "unsupported problem_format_version" in error.message
    error = _error(_kattis(tmp_path / "c", "problem_format_version: 2023-07-draft\ntype: [golf]\n"))
    assert "unknown problem type 'golf'" in error.message


def test_name_of_wrong_type(tmp_path: Path) -> None:
    error = _error(_kattis(tmp_path / "p", "name: [a, b]\n"))
    assert "`name` must be a string or a map" in error.message


def test_input_without_answer(tmp_path: Path) -> None:
    root = _kattis(tmp_path / "p", "name: A\n", {"data/secret/2.in": "2\n"})
    error = _error(root)
    assert error.path == root / "data/secret/2.in"
    assert "no answer file 2.ans" in error.message


def test_interactive_input_may_lack_its_answer(tmp_path: Path) -> None:
    root = _kattis(
        tmp_path / "p",
        "validation: custom interactive\n",
        {"data/secret/2.in": "2\n", "output_validators/v/validate.cpp": "int main() {}\n"},
    )
    problem = load_problem(root)
    assert problem.test("secret/2").answer_path is None


def test_bad_testdata_yaml(tmp_path: Path) -> None:
    root = _kattis(tmp_path / "p", "type: scoring\n", {"data/secret/testdata.yaml": "range: 0\n"})
    error = _error(root)
    assert error.path == root / "data/secret/testdata.yaml"
    assert "`range` must be two numbers" in error.message
    root = _kattis(tmp_path / "q", "type: scoring\n", {"data/testdata.yaml": "on_reject: maybe\n"})
    error = _error(root)
    assert error.path == root / "data/testdata.yaml"
    assert "`on_reject` must be 'break' or 'continue'" in error.message
    root = _kattis(
        tmp_path / "r", "type: scoring\n", {"data/testdata.yaml": "accept_score: {a: 1}\n"}
    )
    assert "`accept_score` must be a number" in _error(root).message


def test_custom_validation_without_validator(tmp_path: Path) -> None:
    root = _kattis(tmp_path / "p", "validation: custom\n")
    error = _error(root)
    assert error.path == root / "problem.yaml"
    assert "needs an output_validators/ folder" in error.message


def test_two_output_validators_are_ambiguous(tmp_path: Path) -> None:
    root = _kattis(
        tmp_path / "p",
        "validation: custom\n",
        {
            "output_validators/a/a.cpp": "int main(){}\n",
            "output_validators/b/b.cpp": "int main(){}\n",
        },
    )
    error = _error(root)
    assert error.path == root / "output_validators"
    assert "expected exactly one program, found: a, b" in error.message


def test_dangling_symlink_test(tmp_path: Path) -> None:
    root = _kattis(tmp_path / "p", "name: A\n")
    os.symlink("missing.in", root / "data/secret/2.in")
    error = _error(root)
    assert error.path == root / "data/secret/2.in"
    assert "symlink points to a missing file" in error.message


def test_symlinked_folder_cycle(tmp_path: Path) -> None:
    root = _kattis(tmp_path / "p", "name: A\n")
    os.symlink("..", root / "data/secret/loop")
    error = _error(root)
    assert error.path == root / "data/secret/loop"
    assert "cycle" in error.message


def test_non_utf8_statement_loads_with_replacement(tmp_path: Path) -> None:
    root = _kattis(
        tmp_path / "p",
        "name: A\n",
        {
            "problem_statement/problem.en.tex": (
                b"\\problemname{Caf\xe9}\nCr\xe8me \xff br\xfbl\xe9e\n"
            )
        },
    )
    problem = load_problem(root)
    assert "\ufffd" in problem.statement
    assert problem.statement.startswith("\\problemname{Caf")


def test_non_utf8_problem_yaml_is_an_error(tmp_path: Path) -> None:
    root = _write(tmp_path / "p", {"problem.yaml": b"name: Caf\xe9\n"})
    error = _error(root)
    assert error.path == root / "problem.yaml"
    assert "not valid UTF-8" in error.message


def test_not_a_problem_package(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    error = _error(empty)
    assert error.path == empty
    assert "not a problem package" in error.message
    missing = tmp_path / "missing"
    assert "no such file or folder" in _error(missing).message
    a_file = _write(tmp_path, {"notes.txt": "hi"}) / "notes.txt"
    assert "expected a folder" in _error(a_file).message
    with pytest.raises(ProblemError, match="no such file or folder"):
        find_problems(missing)


def test_kattis_package_without_data(tmp_path: Path) -> None:
    root = _write(tmp_path / "p", {"problem.yaml": "name: A\n"})
    error = _error(root)
    assert error.path == root / "data"
    assert "no data/ folder" in error.message


def test_malformed_problem_json(tmp_path: Path) -> None:
    root = _cms(
        tmp_path / "p", None, {"score": 100, "testcases": ["a"]}, raw_config='{"code": "t",'
    )
    error = _error(root)
    assert error.path == root / "problem.json"
    assert "JSON syntax error at line 1" in error.message


def test_problem_json_wrong_types(tmp_path: Path) -> None:
    root = _cms(tmp_path / "a", {**BATCH, "time_limit": "1s"}, {"score": 1, "testcases": ["a"]})
    assert "`time_limit` must be a number" in _error(root).message
    root = _cms(tmp_path / "b", [1, 2], {"score": 1, "testcases": ["a"]})
    assert "expected a JSON object" in _error(root).message
    root = _cms(tmp_path / "c", {**BATCH, "task_type": "Quantum"}, {"score": 1, "testcases": ["a"]})
    assert "unsupported task_type 'Quantum'" in _error(root).message
    root = _cms(
        tmp_path / "d", {**BATCH, "task_type_params": "{not json"}, {"score": 1, "testcases": ["a"]}
    )
    error = _error(root)
    assert error.path == root / "problem.json"
    assert "`task_type_params` is not valid JSON" in error.message


def test_malformed_subtask_json(tmp_path: Path) -> None:
    root = _cms(tmp_path / "a", BATCH, '{"score": 10, "testcases": ["a"]')
    error = _error(root)
    assert error.path == root / "subtasks/01-all.json"
    assert "JSON syntax error" in error.message
    root = _cms(tmp_path / "b", BATCH, {"score": 10, "testcases": "a"})
    error = _error(root)
    assert error.path == root / "subtasks/01-all.json"
    assert "`testcases` must be a list of test names" in error.message
    root = _cms(tmp_path / "c", BATCH, {"score": "ten", "testcases": ["a"]})
    assert "`score` must be a number" in _error(root).message


def test_subtask_refers_to_missing_test(tmp_path: Path) -> None:
    root = _cms(tmp_path / "p", BATCH, {"score": 100, "testcases": ["a", "zz-99"]})
    error = _error(root)
    assert error.path == root / "subtasks/01-all.json"
    assert "'zz-99', which is not in tests/" in error.message


def test_cms_test_without_answer(tmp_path: Path) -> None:
    root = _cms(tmp_path / "p", BATCH, {"score": 100, "testcases": ["a"]})
    (root / "tests/a.out").unlink()
    error = _error(root)
    assert error.path == root / "tests/a.in"
    assert "no answer file a.out" in error.message


def test_cms_grader_files_required(tmp_path: Path) -> None:
    params = json.dumps({"task_type_parameters_Batch_compilation": "grader"})
    root = _cms(
        tmp_path / "a", {**BATCH, "task_type_params": params}, {"score": 1, "testcases": ["a"]}
    )
    error = _error(root)
    assert error.path == root / "graders"
    assert "no graders/grader.*" in error.message
    root = _cms(
        tmp_path / "b", {**BATCH, "task_type": "Communication"}, {"score": 1, "testcases": ["a"]}
    )
    assert "no graders/manager.*" in _error(root).message


def test_cms_package_without_subtasks(tmp_path: Path) -> None:
    root = _write(
        tmp_path / "p", {"problem.json": json.dumps(BATCH), "tests/a.in": "", "tests/a.out": ""}
    )
    error = _error(root)
    assert error.path == root / "subtasks"
    assert "no subtasks/*.json" in error.message
