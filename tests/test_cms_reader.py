"""Tests of the CMS/IOI package reader, on the IOI 2024 packages in
../shared/problems (facts re-read from problem.json and subtasks/ here) and on
small packages built in tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from problems.cms import checker_kind, is_cms_testlib, load_cms, subtask_numbers_in_name
from problems.errors import ProblemError
from problems.load import load_problem
from problems.model import CheckerKind, GraderKind, ProblemType
from problems.model import TestGroup as Group

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "problems"
IOI_DIRS = (
    sorted(path.parent.resolve() for path in SHARED.glob("ioi2024/*/problem.json"))
    if SHARED.is_dir()
    else []
)
MIB = 1024 * 1024


def _write(root: Path, files: dict[str, str]) -> Path:
    """Create `files` (relative path -> text) below root; returns root."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _batch_package(root: Path, extra: dict[str, str] | None = None, params: str = "") -> Path:
    """A tiny Batch task: two tests, two subtasks."""
    config = {
        "code": "tiny",
        "name": "Tiny",
        "time_limit": 0.5,
        "memory_limit": 268435456,
        "task_type": "Batch",
        "task_type_params": params,
    }
    return _write(
        root,
        {
            "problem.json": json.dumps(config),
            "tests/0-01.in": "1 2\n",
            "tests/0-01.out": "3\n",
            "tests/1-01.in": "5 5\n",
            "tests/1-01.out": "10\n",
            "subtasks/00-samples.json": json.dumps({"score": 0, "testcases": ["0-01"]}),
            "subtasks/01-all.json": json.dumps({"score": 100, "testcases": ["0-01", "1-01"]}),
            **(extra or {}),
        },
    )


# ---- the IOI 2024 packages -----------------------------------------------------


@pytest.mark.parametrize("root", IOI_DIRS, ids=lambda path: path.name)
def test_ioi_task_limits_subtasks_and_tests(root: Path) -> None:
    problem = load_problem(root)
    config = json.loads((root / "problem.json").read_text())
    assert problem.format == "cms"
    assert problem.type is ProblemType.SCORING
    assert problem.name == config["code"]
    assert problem.title == config["name"]
    assert problem.limits.time_s == config["time_limit"]
    assert problem.limits.memory_bytes == config["memory_limit"]
    subtask_files = sorted((root / "subtasks").glob("*.json"))
    subtasks = [json.loads(path.read_text()) for path in subtask_files]
    groups = [item for item in problem.root_group.items if isinstance(item, Group)]
    assert [group.name for group in groups] == [path.stem for path in subtask_files]
    for group, subtask in zip(groups, subtasks, strict=True):
        assert group.points == subtask["score"]
        assert list(group.items) == subtask["testcases"]
        assert group.scoring.grader_flags == ("min",)
    assert problem.max_score == sum(subtask["score"] for subtask in subtasks)
    inputs = sorted(path.stem for path in (root / "tests").glob("*.in"))
    assert [case.name for case in problem.tests] == inputs
    for case in problem.tests:
        assert case.answer_path == root / "tests" / f"{case.name}.out"
    samples = {
        name
        for path, data in zip(subtask_files, subtasks, strict=True)
        if "sample" in path.stem
        for name in data["testcases"]
    }
    assert {case.name for case in problem.tests if case.kind == "sample"} == samples


@pytest.mark.parametrize("root", IOI_DIRS, ids=lambda path: path.name)
def test_ioi_task_grader_from_task_type(root: Path) -> None:
    problem = load_cms(root)
    config = json.loads((root / "problem.json").read_text())
    params = json.loads(config["task_type_params"])
    graders = root / "graders"
    if config["task_type"] == "Communication":
        assert problem.grader.kind is GraderKind.COMMUNICATION
        assert (
            problem.grader.num_processes
            == params["task_type_parameters_Communication_num_processes"]
        )
        assert problem.grader.manager_sources == (graders / "manager.cpp",)
        assert problem.grader.sources == (graders / "stub.cpp",)
    else:
        assert params["task_type_parameters_Batch_compilation"] == "grader"
        assert problem.grader.kind is GraderKind.LINKED
        assert problem.grader.sources == (graders / "grader.cpp",)
    assert problem.grader.include_dirs == (graders,)
    assert problem.grader.languages == ("cpp",)


@pytest.mark.parametrize("root", IOI_DIRS, ids=lambda path: path.name)
def test_ioi_solution_labels_match_the_class_folders(root: Path) -> None:
    problem = load_cms(root)
    expected = {
        folder.name: len(list(folder.iterdir()))
        for folder in (root / "solutions").iterdir()
        if folder.is_dir()
    }
    counts: dict[str, int] = {}
    for submission in problem.submissions:
        counts[submission.label] = counts.get(submission.label, 0) + 1
        assert submission.language == "cpp"
    assert counts == expected


def test_aplusb_checker_speaks_the_cms_protocol() -> None:
    root = (SHARED / "ioi2024" / "aplusb").resolve()
    if not root.is_dir():
        pytest.skip(f"{root} is absent")
    problem = load_cms(root)
    assert "registerChecker" in (root / "checker/checker.cpp").read_text()
    assert problem.checker.kind is CheckerKind.CMS
    assert problem.checker.sources == (root / "checker/checker.cpp",)


def test_communication_tasks_without_checker_use_tokens() -> None:
    root = SHARED / "ioi2024" / "message"
    if not root.is_dir():
        pytest.skip(f"{root} is absent")
    assert not (root / "checker").exists()
    assert load_cms(root).checker.kind is CheckerKind.TOKENS


# ---- small packages built here -------------------------------------------------


def test_batch_alone_has_no_grader_and_samples_are_marked(tmp_path: Path) -> None:
    problem = load_cms(_batch_package(tmp_path / "tiny"))
    assert problem.grader.kind is GraderKind.NONE
    assert problem.limits.time_s == 0.5
    assert problem.limits.memory_bytes == 256 * MIB
    assert [(case.name, case.kind) for case in problem.tests] == [
        ("0-01", "sample"),
        ("1-01", "secret"),
    ]
    assert problem.max_score == 100.0
    assert problem.statement == ""


def test_memory_limit_below_one_mib_is_read_as_mib(tmp_path: Path) -> None:
    root = _batch_package(tmp_path / "tiny")
    config = json.loads((root / "problem.json").read_text())
    config["memory_limit"] = 512
    (root / "problem.json").write_text(json.dumps(config))
    assert load_cms(root).limits.memory_bytes == 512 * MIB


def test_checker_kinds(tmp_path: Path) -> None:
    plain = _write(tmp_path / "plain", {"checker.cpp": "int main(int c, char** v) { return 0; }\n"})
    assert checker_kind(plain / "checker.cpp") is CheckerKind.CMS
    standard = _write(
        tmp_path / "standard",
        {
            "checker.cpp": '#include "testlib.h"\n'
            "int main(int c, char** v) { registerTestlibCmd(c, v); }\n",
            "testlib.h": "void registerTestlibCmd(int argc, char* argv[]) {\n"
            "    inf.init(argv[1], _input);\n    ouf.init(argv[2], _output);\n"
            "    ans.init(argv[3], _answer);\n}\n",
        },
    )
    assert checker_kind(standard / "checker.cpp") is CheckerKind.TESTLIB
    cms_variant = _write(
        tmp_path / "cms",
        {
            "checker.cpp": '#include "testlib.h"\n'
            'int main(int c, char** v) { registerChecker("x", c, v); }\n',
            "testlib.h": "void registerTestlibCmd(int argc, char* argv[]) {\n"
            "    inf.init(argv[1], _input);\n    ans.init(argv[2], _answer);\n"
            "    ouf.init(argv[3], _output);\n}\n",
        },
    )
    assert checker_kind(cms_variant / "checker.cpp") is CheckerKind.CMS


@pytest.mark.parametrize("root", IOI_DIRS, ids=lambda path: path.name)
def test_real_ioi_testlib_is_the_cms_variant(root: Path) -> None:
    """Every testlib.h of the IOI packages is the CMS variant (it says so in its
    own words, which the rule does not read), and the standard one is not."""
    for header in root.rglob("testlib.h"):
        text = header.read_text(errors="replace")
        assert "Modified to be compatible with CMS" in text
        assert is_cms_testlib(text), header
    assert not is_cms_testlib('#define VERSION "0.9.41"\nint resultExitCode(TResult r)')


def test_checker_folder_main_file_first(tmp_path: Path) -> None:
    root = _batch_package(
        tmp_path / "tiny",
        {
            "checker/a_util.cpp": "int helper() { return 1; }\n",
            "checker/checker.cpp": "int helper();\nint main() { return helper(); }\n",
            "checker/util.h": "int helper();\n",
        },
    )
    checker = load_cms(root).checker
    assert checker.kind is CheckerKind.CMS
    assert checker.sources == (root / "checker/checker.cpp", root / "checker/a_util.cpp")


def test_statement_prefers_english(tmp_path: Path) -> None:
    root = _batch_package(
        tmp_path / "tiny", {"statement/sv.md": "Svenska\n", "statement/en.md": "English\n"}
    )
    assert load_cms(root).statement == "English\n"


# ---- correct/ solutions named for subtasks --------------------------------------


def _three_subtask_package(root: Path, solutions: dict[str, str]) -> Path:
    """The tiny Batch task with a third subtask, 02-more, and `solutions` (paths
    below solutions/ -> text)."""
    return _batch_package(
        root,
        {
            "subtasks/02-more.json": json.dumps({"score": 0, "testcases": ["1-01"]}),
            **{f"solutions/{name}": text for name, text in solutions.items()},
        },
    )


def test_subtask_numbers_in_file_names() -> None:
    cases = {
        "subtask1.cpp": (1,),
        "GA_subtask3.cpp": (3,),
        "BM-subtask4.cpp": (4,),
        "subtask3-author.cpp": (3,),
        "subtask-2.py": (2,),
        "Subtask_12.cpp": (12,),
        "subtask1-2.cpp": (1, 2),
        "subtasks_1_3.cpp": (1, 3),
        "subtask2+1+2.cpp": (2, 1),
        "solution.cpp": (),
        "mruxim-sub123.cpp": (),
        "subtasking.cpp": (),
    }
    assert {name: subtask_numbers_in_name(name) for name in cases} == cases


def test_correct_solutions_target_the_subtasks_their_names_name(tmp_path: Path) -> None:
    root = _three_subtask_package(
        tmp_path / "tiny",
        {
            "correct/subtask1.cpp": "",
            "correct/GA_subtask1_2.cpp": "",
            "correct/full.cpp": "",
            "correct/subtask0-folder/main.cpp": "",
            "model_solution/subtask1.cpp": "",
            "incorrect/subtask1.cpp": "",
            "partially_correct/subtask2-partial.cpp": "",
        },
    )
    targets = {s.name: s.target_subtasks for s in load_cms(root).submissions}
    assert targets == {
        "correct/GA_subtask1_2.cpp": ("01-all", "02-more"),
        "correct/full.cpp": (),
        "correct/subtask0-folder": ("00-samples",),
        "correct/subtask1.cpp": ("01-all",),
        "incorrect/subtask1.cpp": (),
        "model_solution/subtask1.cpp": (),
        "partially_correct/subtask2-partial.cpp": (),
    }


def test_a_name_naming_a_missing_subtask_is_an_error(tmp_path: Path) -> None:
    root = _three_subtask_package(tmp_path / "tiny", {"correct/subtask7.cpp": ""})
    with pytest.raises(ProblemError, match="names subtask 7, but subtasks/ has no subtask") as info:
        load_cms(root)
    assert info.value.path == root / "solutions/correct/subtask7.cpp"
    assert "00-samples, 01-all, 02-more" in info.value.message
    # outside correct/ the same name is no claim about subtasks, so no error
    (root / "solutions/correct/subtask7.cpp").rename(root / "solutions/incorrect.cpp")
    (root / "solutions/incorrect").mkdir()
    (root / "solutions/incorrect.cpp").rename(root / "solutions/incorrect/subtask7.cpp")
    assert load_cms(root).submissions[0].target_subtasks == ()


def test_two_subtasks_with_one_number_are_an_error_when_named(tmp_path: Path) -> None:
    root = _three_subtask_package(tmp_path / "tiny", {"correct/full.cpp": ""})
    (root / "subtasks/01-other.json").write_text(json.dumps({"score": 0, "testcases": ["1-01"]}))
    assert load_cms(root).submissions[0].target_subtasks == ()
    (root / "solutions/correct/subtask1.cpp").write_text("")
    with pytest.raises(ProblemError, match="subtasks/ has 2 subtasks numbered 1"):
        load_cms(root)


@pytest.mark.parametrize("root", IOI_DIRS, ids=lambda path: path.name)
def test_ioi_targets_only_in_correct_and_only_where_named(root: Path) -> None:
    """In the IOI 2024 packages only sphinx's correct/ solutions name subtasks
    (incorrect/subtask1.cpp, partially_correct/subtask3-partial.cpp and
    mruxim-sub123.cpp keep no targets); each targets the subtask numbered so."""
    problem = load_cms(root)
    expected = {
        "sphinx": {
            "correct/BM-subtask4.cpp": ("04-complete",),
            "correct/GA_subtask3.cpp": ("03-chain",),
            "correct/GA_subtask4.cpp": ("04-complete",),
            "correct/subtask1.cpp": ("01-N2",),
            "correct/subtask2.cpp": ("02-N50",),
            "correct/subtask3-author.cpp": ("03-chain",),
            "correct/subtask3.cpp": ("03-chain",),
            "correct/subtask4.cpp": ("04-complete",),
        }
    }.get(root.name, {})
    targeted = {s.name: s.target_subtasks for s in problem.submissions if s.target_subtasks}
    assert targeted == expected
