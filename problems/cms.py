"""Reader for CMS/IOI task packages (the IOI 2024 layout).

Layout: problem.json (time_limit in seconds, memory_limit in bytes, task_type,
task_type_params as a JSON string), subtasks/NN-name.json ({"score", "testcases"}),
tests/NAME.in + NAME.out, checker/ (checker.cpp, testlib.h), graders/, solutions/
<class>/, optional statement(s)/.

Decisions:
- Each subtask is a TestGroup under the root, in file-name order, named by the
  file's stem ("01-smallAB"), with points=score and GroupMin scoring
  (grader_flags=("min",)). A package without subtasks/ is an error.
- Tests are every tests/*.in in name order; a test is a "sample" when a subtask
  whose name contains "sample" lists it. A missing .out is an error except for
  Communication tasks, whose manager needs no answer file.
- Checker kind. CMS runs a checker as `checker input answer output` and reads a
  score in [0, 1] from stdout. The IOI testlib.h shipped next to checker.cpp is
  CMS-adapted: its registerChecker() calls registerTestlibCmd(), which there opens
  argv[1] as input, argv[2] as the answer and argv[3] as the contestant output,
  prints the score to stdout and always exits 0. So a checker is CMS unless it
  includes testlib.h and the bundled testlib.h is the standard one (or absent):
  then it is TESTLIB (`checker in out ans`, verdict in the exit code). A testlib.h
  is the CMS variant when its registerTestlibCmd opens the answer from argv[2]
  (`is_cms_testlib`, the one rule the project uses). Without
  checker/ the checker is TOKENS (Communication managers report the score
  themselves).
- Graders: Batch with compilation "grader" links graders/grader.<ext>
  (headers found through include_dirs=(graders/,)); Communication runs
  graders/manager.cpp with num_processes copies of the candidate, each linked
  with graders/stub.<ext>. OutputOnly and Batch "alone" have no grader.
- memory_limit is in bytes; a value below 1 MiB cannot be a byte limit and is
  read as MiB, as older CMS task formats store it.
- Subtask solutions. The IOI `correct/` folder holds solutions correct for the
  subtasks they were written for, and their file names say which: `subtask1.cpp`,
  `GA_subtask3.cpp`, `BM-subtask4.cpp`, `subtask3-author.cpp` (IOI 2024 sphinx).
  A `correct/` entry whose name matches `subtask[s][-_]N` (any case), optionally
  followed by more numbers joined by `-`, `_`, `+` or `,` (`subtask1-2`,
  `subtask1_3`: each number is a subtask, never a range, so the claim read is
  never wider than the author's), targets subtask N = the subtasks/ file whose
  number prefix is N ("02-N50" for 2); `Submission.target_subtasks` holds those
  group names and judge.labels requires the full score on them only. A name that
  names a subtask the package does not have is a ProblemError naming the file.
  Other folders are not read this way (`incorrect/subtask1.cpp`,
  `partially_correct/subtask3-partial.cpp` keep their folder's rule), nor is a
  `model_solution/`, which must solve the whole task."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from problems.errors import ProblemError
from problems.fields import get_number, get_optional_number, get_string
from problems.fileio import read_json_object, read_text
from problems.languages import language_of
from problems.model import (
    Checker,
    CheckerKind,
    Grader,
    GraderKind,
    Label,
    Limits,
    Problem,
    ProblemFormat,
    ProblemType,
    Scoring,
    Submission,
    TestCase,
    TestGroup,
    TestKind,
)
from problems.programs import program_entries, program_sources
from problems.statement import read_statement
from problems.submissions import read_labelled_submissions

MIB = 1024 * 1024
CONFIG_FILE = "problem.json"
TASK_TYPES = ("Batch", "Communication", "OutputOnly")
_INCLUDES_TESTLIB = re.compile(r'#\s*include\s*[<"]testlib\.h[>"]')
_CMS_ARGUMENT_ORDER = re.compile(r"ans\.init\(\s*argv\[2\]")
# `subtask3`, `subtask-3`, `Subtasks_1_3`, `subtask1-2`: the numbers named.
_SUBTASK_IN_NAME = re.compile(r"subtasks?[-_]?(\d+(?:[-_+,]\d+)*)", re.IGNORECASE)
_NUMBER_PREFIX = re.compile(r"\d+")
# The solution folders whose file names may narrow what they must solve.
TARGETED_LABELS = frozenset({Label.CORRECT})


def _task_params(config: dict[str, Any], path: Path) -> dict[str, Any]:
    """task_type_params as a dict; CMS stores it as a JSON string."""
    raw = config.get("task_type_params", {})
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip() else {}
        except json.JSONDecodeError as error:
            raise ProblemError(
                path, f"`task_type_params` is not valid JSON: {error.msg}"
            ) from error
    if not isinstance(raw, dict):
        raise ProblemError(path, f"`task_type_params` must be a JSON object, got {raw!r}")
    return raw


def _limits(config: dict[str, Any], path: Path) -> Limits:
    """Time and memory limits from problem.json."""
    time_limit = get_optional_number(config, "time_limit", path)
    if time_limit is not None and time_limit <= 0:
        raise ProblemError(path, f"`time_limit` must be positive, got {time_limit}")
    memory = get_number(config, "memory_limit", path, Limits(None).memory_bytes)
    if memory <= 0:
        raise ProblemError(path, f"`memory_limit` must be positive, got {memory}")
    memory_bytes = int(memory * MIB) if memory < MIB else int(memory)
    return Limits(time_s=time_limit, memory_bytes=memory_bytes)


def _language_files(folder: Path, stem: str) -> tuple[Path, ...]:
    """The files `folder/stem.<ext>` in a known language, sorted (C++ first)."""
    if not folder.is_dir():
        return ()
    files = [p for p in folder.glob(f"{stem}.*") if p.is_file() and language_of(p) is not None]
    return tuple(sorted(files, key=lambda p: (language_of(p) != "cpp", p.name)))


def _languages(paths: tuple[Path, ...]) -> tuple[str, ...]:
    """The distinct languages of `paths`, in order."""
    return tuple(dict.fromkeys(lang for lang in map(language_of, paths) if lang is not None))


def _batch_grader(root: Path, params: dict[str, Any], path: Path) -> Grader:
    """Batch: linked with graders/grader.* when compilation is "grader"."""
    compilation = get_string(params, "task_type_parameters_Batch_compilation", path, "alone")
    if compilation == "alone":
        return Grader()
    if compilation != "grader":
        raise ProblemError(
            path, f"Batch compilation must be 'alone' or 'grader', got {compilation!r}"
        )
    sources = _language_files(root / "graders", "grader")
    if not sources:
        raise ProblemError(root / "graders", "Batch task with a grader has no graders/grader.*")
    return Grader(
        kind=GraderKind.LINKED,
        sources=sources,
        include_dirs=(root / "graders",),
        languages=_languages(sources),
    )


def _communication_grader(root: Path, params: dict[str, Any], path: Path) -> Grader:
    """Communication: graders/manager.cpp plus num_processes stub-linked candidates."""
    processes = get_number(params, "task_type_parameters_Communication_num_processes", path, 1)
    if processes < 1 or processes != int(processes):
        raise ProblemError(path, f"num_processes must be a positive integer, got {processes}")
    managers = _language_files(root / "graders", "manager")
    if not managers:
        raise ProblemError(root / "graders", "Communication task has no graders/manager.*")
    stubs = _language_files(root / "graders", "stub")
    return Grader(
        kind=GraderKind.COMMUNICATION,
        sources=stubs,
        include_dirs=(root / "graders",),
        manager_sources=managers[:1],
        num_processes=int(processes),
        languages=_languages(stubs),
    )


def _no_grader(root: Path, params: dict[str, Any], path: Path) -> Grader:
    """OutputOnly: nothing is compiled with the candidate."""
    return Grader()


GRADER_READERS: dict[str, Callable[[Path, dict[str, Any], Path], Grader]] = {
    "Batch": _batch_grader,
    "Communication": _communication_grader,
    "OutputOnly": _no_grader,
}


def is_cms_testlib(header_text: str) -> bool:
    """True when a testlib.h is the CMS/IOI variant, whose checkers take
    `input answer output`, print the score on stdout and always exit 0 (so their
    results are read as a CMS checker's): its registerTestlibCmd opens the
    answer from argv[2]."""
    return bool(_CMS_ARGUMENT_ORDER.search(header_text))


def checker_kind(main_source: Path) -> CheckerKind:
    """CMS or TESTLIB for a checker program (see the module docstring)."""
    if not _INCLUDES_TESTLIB.search(read_text(main_source)):
        return CheckerKind.CMS
    testlib = main_source.parent / "testlib.h"
    if testlib.is_file() and is_cms_testlib(read_text(testlib)):
        return CheckerKind.CMS
    return CheckerKind.TESTLIB


def _checker(root: Path) -> Checker:
    """The checker in checker/, or the token comparison without one."""
    folder = root / "checker"
    sources = program_sources(folder) if folder.is_dir() else ()
    if not sources:
        return Checker(kind=CheckerKind.TOKENS)
    return Checker(kind=checker_kind(sources[0]), sources=sources)


def _read_subtask(path: Path, known_tests: set[str]) -> TestGroup:
    """One subtasks/*.json file as a GroupMin TestGroup."""
    data = read_json_object(path)
    score = get_number(data, "score", path, 0.0)
    if score < 0:
        raise ProblemError(path, f"`score` must not be negative, got {score}")
    names = data.get("testcases")
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise ProblemError(path, f"`testcases` must be a list of test names, got {names!r}")
    for name in names:
        if name not in known_tests:
            raise ProblemError(path, f"subtask lists test {name!r}, which is not in tests/")
    return TestGroup(
        name=path.stem, items=tuple(names), scoring=Scoring(grader_flags=("min",)), points=score
    )


def subtask_numbers_in_name(file_name: str) -> tuple[int, ...]:
    """The subtask numbers a solution's file name names (`subtask1-2.cpp` -> (1, 2)),
    in order, without repeats; () when it names none."""
    numbers = (
        int(number)
        for match in _SUBTASK_IN_NAME.finditer(file_name)
        for number in re.split(r"[-_+,]", match.group(1))
    )
    return tuple(dict.fromkeys(numbers))


def _subtask_numbers(subtasks: Sequence[TestGroup]) -> dict[int, list[str]]:
    """Subtask number (the file name's number prefix, "02-N50" -> 2) -> group names."""
    by_number: dict[int, list[str]] = {}
    for group in subtasks:
        prefix = _NUMBER_PREFIX.match(group.name)
        if prefix:
            by_number.setdefault(int(prefix.group()), []).append(group.name)
    return by_number


def _with_targets(
    submission: Submission, by_number: dict[int, list[str]], solutions: Path
) -> Submission:
    """`submission` with the subtasks its file name names (see the module docstring)."""
    if submission.label not in TARGETED_LABELS:
        return submission
    numbers = subtask_numbers_in_name(Path(submission.name).name)
    if not numbers:
        return submission
    targets: list[str] = []
    for number in numbers:
        names = by_number.get(number, [])
        if len(names) != 1:
            known = ", ".join(name for n in sorted(by_number) for name in by_number[n])
            problem = "no subtask" if not names else f"{len(names)} subtasks"
            raise ProblemError(
                solutions / submission.name,
                f"the file name names subtask {number}, but subtasks/ has {problem} "
                f"numbered {number} (subtasks: {known or 'none numbered'})",
            )
        targets.append(names[0])
    return dataclasses.replace(submission, target_subtasks=tuple(targets))


def _read_tests(root: Path, sample_names: set[str], answers_required: bool) -> tuple[TestCase, ...]:
    """Every tests/NAME.in with its NAME.out, in name order."""
    tests: list[TestCase] = []
    for input_path in sorted((root / "tests").glob("*.in"), key=lambda p: p.name):
        answer_path = input_path.with_suffix(".out")
        if not answer_path.is_file():
            if answers_required:
                raise ProblemError(input_path, f"test input has no answer file {answer_path.name}")
            answer: Path | None = None
        else:
            answer = answer_path
        name = input_path.stem
        kind = TestKind.SAMPLE if name in sample_names else TestKind.SECRET
        tests.append(TestCase(name=name, input_path=input_path, answer_path=answer, kind=kind))
    return tuple(tests)


def load_cms(path: Path) -> Problem:
    """Read a CMS/IOI task package into a Problem.

    Runs nothing. Raises ProblemError naming the file for a malformed problem.json
    or subtask file, a subtask listing a missing test, a test without answer, or a
    `correct/` solution whose name names a subtask the package does not have."""
    root = Path(path).resolve()
    config_path = root / CONFIG_FILE
    if not config_path.is_file():
        raise ProblemError(root, f"not a CMS task package: no {CONFIG_FILE}")
    config = read_json_object(config_path)
    task_type = get_string(config, "task_type", config_path, "Batch")
    if task_type not in GRADER_READERS:
        raise ProblemError(
            config_path, f"unsupported task_type {task_type!r} (known: {', '.join(TASK_TYPES)})"
        )
    grader = GRADER_READERS[task_type](root, _task_params(config, config_path), config_path)
    if not (root / "tests").is_dir():
        raise ProblemError(root, "CMS task package has no tests/ folder")
    subtask_dir = root / "subtasks"
    subtask_files = sorted(subtask_dir.glob("*.json"), key=lambda p: p.name)
    if not subtask_files:
        raise ProblemError(subtask_dir, "CMS task package has no subtasks/*.json")
    known = {input_path.stem for input_path in (root / "tests").glob("*.in")}
    subtasks = tuple(_read_subtask(file, known) for file in subtask_files)
    samples = {name for group in subtasks if "sample" in group.name for name in group.test_names()}
    tests = _read_tests(root, samples, answers_required=task_type != "Communication")
    statement, _ = read_statement([root / "statement", root / "statements"], prefix="")
    code = get_string(config, "code", config_path, root.name)
    return Problem(
        name=code,
        title=get_string(config, "name", config_path, code),
        root=root,
        format=ProblemFormat.CMS,
        platform="cms",
        type=ProblemType.SCORING,
        statement=statement,
        limits=_limits(config, config_path),
        tests=tests,
        root_group=TestGroup(name="subtasks", items=subtasks),
        checker=_checker(root),
        grader=grader,
        submissions=tuple(
            _with_targets(submission, _subtask_numbers(subtasks), root / "solutions")
            for submission in read_labelled_submissions(root / "solutions")
        ),
        input_validators=program_entries(root / "validators"),
        generators=program_entries(root / "gen") + program_entries(root / "generators"),
        max_score=sum(group.points or 0.0 for group in subtasks),
    )
