"""The problem model: plain, immutable data that every reader produces and every
later layer (judge, solver) consumes. Nothing here touches the disk."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path

from problems.flags import GraderFlags, TokenOptions, parse_grader_flags, parse_token_flags


class _Word(enum.StrEnum):
    """A str enum that prints as its plain string, in repr too: problem data is
    fingerprinted by its repr (solver.sample.problem_fingerprint), and a field
    that became an enum must not change that."""

    def __repr__(self) -> str:
        return repr(self.value)


class ProblemFormat(_Word):
    """The package format a problem was read from (its value is what reports,
    stores and cache keys write)."""

    KATTIS_LEGACY = "kattis-legacy"
    KATTIS_2023_07 = "kattis-2023-07"
    CMS = "cms"


class TestKind(_Word):
    """Where a test comes from: the package's samples or secret data, or inputs
    this project generated."""

    __test__ = False  # not a pytest class

    SAMPLE = "sample"
    SECRET = "secret"
    GENERATED = "generated"


class OnReject(_Word):
    """What a Kattis group does after a rejected item: stop judging it, or go on."""

    BREAK = "break"
    CONTINUE = "continue"


class Label(_Word):
    """The labels (submission folder names) of the supported formats. Kattis:
    accepted ... partially_accepted; CMS/IOI: model_solution ... protocol_violation."""

    ACCEPTED = "accepted"
    SLOW_ACCEPTED = "slow_accepted"
    WRONG_ANSWER = "wrong_answer"
    TIME_LIMIT_EXCEEDED = "time_limit_exceeded"
    RUN_TIME_ERROR = "run_time_error"
    PARTIALLY_ACCEPTED = "partially_accepted"
    MODEL_SOLUTION = "model_solution"
    CORRECT = "correct"
    PARTIALLY_CORRECT = "partially_correct"
    INCORRECT = "incorrect"
    TIME_LIMIT = "time_limit"
    RUNTIME_ERROR = "runtime_error"
    MEMORY_LIMIT = "memory_limit"
    FAILED = "failed"
    PROTOCOL_VIOLATION = "protocol_violation"


class ProblemType(enum.Enum):
    """How a problem is judged: by a fixed verdict or by points."""

    PASS_FAIL = "pass-fail"
    SCORING = "scoring"


class CheckerKind(enum.Enum):
    """How a candidate's output is compared with the answer."""

    # default Kattis diff: whitespace-separated tokens, optional float tolerance
    TOKENS = "tokens"
    # output validator: `validator in ans feedback_dir < out`, exit 42/43
    KATTIS_VALIDATOR = "kattis"
    # testlib checker: `checker in out ans`, exit 0 AC, 1 WA, 2 PE, 3 fail, 7 points
    TESTLIB = "testlib"
    # CMS checker: `checker in ans out`, score in [0,1] on stdout, message on stderr
    CMS = "cms"


class GraderKind(enum.Enum):
    """How the candidate's program is put together and run."""

    # stand-alone program reading stdin, writing stdout
    NONE = "none"
    # compiled together with grader sources (function-call / CMS Batch with grader)
    LINKED = "linked"
    # Kattis interactive: the output validator talks to the program
    INTERACTIVE = "interactive"
    # CMS Communication: a manager + N stub-linked processes via FIFOs
    COMMUNICATION = "communication"


@dataclass(frozen=True)
class Limits:
    """Resource limits of one run of a candidate. Times in seconds, sizes in bytes.

    `time_s` is None when the package stores no time limit (Kattis): the judge then
    derives it as the slowest accepted submission's time times `time_multiplier`,
    rounded up to whole seconds, as problemtools does. How far past the limit a
    run may go before it is killed is the judge's own policy
    (judge.execute.CPU_HEADROOM), not a package setting: see problems.kattis for
    why Kattis' time_safety_margin / time_limit_to_tle are not read."""

    time_s: float | None
    memory_bytes: int = 1024 * 1024 * 1024
    output_bytes: int = 64 * 1024 * 1024
    compile_time_s: float = 60.0
    time_multiplier: float = 2.0


@dataclass(frozen=True)
class TestCase:
    """One test: an input file and (when the package has it) its answer file.

    `name` is unique within the problem (the path below data/ for Kattis, the
    codename for CMS). `validator_flags` are the group's raw
    output_validator_flags (Kattis): arguments of an output validator program,
    after the problem's own. With the token checker the reader parses them into
    `token_options`, which the judge applies on top of Checker.token_options."""

    __test__ = False  # not a pytest class

    name: str
    input_path: Path
    answer_path: Path | None
    kind: TestKind = TestKind.SECRET
    validator_flags: tuple[str, ...] = ()
    token_options: TokenOptions = field(default_factory=TokenOptions)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", TestKind(self.kind))


@dataclass(frozen=True)
class Scoring:
    """Kattis testdata.yaml grading settings for one group (defaults per the spec).

    `grader_flags` keeps the raw flags: a custom grader (`custom_grading`) gets
    them as arguments; otherwise they are parsed on construction into `grading`
    (problems.flags.GraderFlags: "min", "first_error", "ignore_sample", ...), which
    is what the default grader reads; an unknown flag raises FlagError.
    `score_range` is (min, max), None when unbounded. `input_validator_flags` /
    `output_validator_flags` are the group's raw testdata.yaml validator flags
    (arguments of the validator programs)."""

    accept_score: float = 1.0
    reject_score: float = 0.0
    score_range: tuple[float, float] | None = None
    grader_flags: tuple[str, ...] = ()
    on_reject: OnReject = OnReject.BREAK
    input_validator_flags: tuple[str, ...] = ()
    output_validator_flags: tuple[str, ...] = ()
    custom_grading: bool = False  # `grading: custom`: Problem.group_grader grades the group
    grading: GraderFlags = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "on_reject", OnReject(self.on_reject))
        flags = GraderFlags() if self.custom_grading else parse_grader_flags(self.grader_flags)
        object.__setattr__(self, "grading", flags)


@dataclass(frozen=True)
class TestGroup:
    """A node of the test tree: a Kattis test-data group or an IOI subtask.

    `items` is the ordered list of children: TestCase names (str) or nested
    TestGroups. For IOI subtasks, `points` is the subtask's score and the
    group scores `points * min(test scores)` (GroupMin)."""

    name: str
    items: tuple[str | TestGroup, ...]
    scoring: Scoring = field(default_factory=Scoring)
    points: float | None = None

    def test_names(self) -> list[str]:
        """All test names below this group, in order, duplicates kept."""
        names: list[str] = []
        for item in self.items:
            if isinstance(item, TestGroup):
                names.extend(item.test_names())
            else:
                names.append(item)
        return names


@dataclass(frozen=True)
class Checker:
    """The output checker. For program checkers `sources` are the files to compile
    (first one is the main file) and `flags` (Kattis validator_flags) are extra
    arguments. For TOKENS the flags (float_tolerance, case_sensitive, ...) are
    parsed on construction into `token_options`, what the token checker reads;
    an unknown flag raises FlagError."""

    kind: CheckerKind = CheckerKind.TOKENS
    sources: tuple[Path, ...] = ()
    flags: tuple[str, ...] = ()
    token_options: TokenOptions = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        options = parse_token_flags(self.flags) if self.kind is CheckerKind.TOKENS else None
        object.__setattr__(self, "token_options", options or TokenOptions())


@dataclass(frozen=True)
class IncludeFiles:
    """A Kattis `include/<folder>/`: every file below `folder` (sorted, subfolders
    kept) goes into the build of each submission written in `language`."""

    language: str
    folder: Path
    files: tuple[Path, ...]


@dataclass(frozen=True)
class Grader:
    """Code that the candidate is compiled with or runs against.

    LINKED: `sources` (grader.cpp etc.) are compiled with the candidate, `headers`
    dirs go on the include path; Kattis packages list their include/<language>/
    folders in `includes` (one per language; `sources`/`include_dirs` then hold
    the C++ one, for prompts). COMMUNICATION: `manager_sources` build the manager,
    `sources` (stub.cpp) are linked with each of `num_processes` candidate processes.
    INTERACTIVE: the problem's Checker (a Kattis output validator) is the peer."""

    kind: GraderKind = GraderKind.NONE
    sources: tuple[Path, ...] = ()
    include_dirs: tuple[Path, ...] = ()
    manager_sources: tuple[Path, ...] = ()
    num_processes: int = 1
    languages: tuple[str, ...] = ()  # languages the grader supports; empty = any
    includes: tuple[IncludeFiles, ...] = ()

    def include_for(self, language: str) -> IncludeFiles | None:
        """The include folder of programs written in `language`, if the package has one."""
        return next((item for item in self.includes if item.language == language), None)


@dataclass(frozen=True)
class Submission:
    """A labelled reference submission shipped with the package.

    `label` is the folder it sits in: a Label when it is one the formats define
    (Kattis: accepted, wrong_answer, ...; CMS: model_solution, correct, ...), else
    the folder's name as it is (a label no rule knows). `paths` has one file, or
    several for multi-file submissions (a folder). `target_subtasks` names the
    top-level groups (CMS subtask names, "02-N50") a CMS `correct/` solution was
    written for, read from its file name (problems.cms): it must get the full
    score there and nothing is required elsewhere; empty = the whole problem."""

    name: str
    label: Label | str
    paths: tuple[Path, ...]
    language: str | None = None
    expected_score: float | None = None
    target_subtasks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Problem:
    """Everything needed to judge candidates for one problem."""

    name: str
    title: str
    root: Path
    format: ProblemFormat
    type: ProblemType
    statement: str
    limits: Limits
    tests: tuple[TestCase, ...]
    root_group: TestGroup
    checker: Checker = field(default_factory=Checker)
    grader: Grader = field(default_factory=Grader)
    submissions: tuple[Submission, ...] = ()
    input_validators: tuple[Path, ...] = ()
    generators: tuple[Path, ...] = ()
    max_score: float = 1.0
    # Kattis legacy `graders/`: the program that grades groups with `grading: custom`
    group_grader: tuple[Path, ...] = ()
    # The judge the package was written for, whose language rules apply (Python:
    # PyPy on "kattis", CPython on "cms" and on "cpsolve", this project's own).
    platform: str = "kattis"

    def test(self, name: str) -> TestCase:
        """The test called `name`; KeyError if there is none."""
        for case in self.tests:
            if case.name == name:
                return case
        raise KeyError(f"{self.name}: no test named {name!r}")
