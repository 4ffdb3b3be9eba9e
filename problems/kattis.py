"""Reader for the Kattis problem package format, legacy and 2023-07-draft.

Decisions where the formats leave room (see also problems.testdata):
- Limits: legacy `limits.time_multiplier` defaults to 2; 2023-07
  `limits.time_multipliers.ac_to_time_limit` defaults to 2 (the 2023-07 spec).
  `limits.time_limit` (2023-07) is the time limit when present; otherwise
  Limits.time_s is None and the judge derives it from the slowest accepted
  submission. Memory defaults to 1024 MiB (legacy) / 2048 MiB (2023-07), output
  to 8 MiB.
- Not read: legacy `limits.time_safety_margin` and 2023-07
  `limits.time_multipliers.time_limit_to_tle`. In problemtools they serve
  verifyproblem's check of the package: an accepted submission should run within
  the derived limit divided by the margin, a time_limit_exceeded one past the
  limit times the margin (else it is "sensitive to the time limit"). This project
  checks labels against verdicts only, and a verdict depends on the time limit
  alone; how far past the limit a run may go before it is killed is the judge's
  own constant (judge.execute.CPU_HEADROOM), the same for every format.
- Output validation: legacy `validation: custom [interactive] [score]` uses the one
  program in output_validators/; 2023-07 uses output_validator/ when present (both
  folder names are accepted in either version). problem.yaml `validator_flags`
  become Checker.flags; testdata.yaml output_validator_flags stay per group in
  Scoring and per test in TestCase.validator_flags. With the default (token)
  checker both are parsed while the package is read (problems.flags), so a bad
  flag fails the load naming its file and key.
- Interactive problems get Grader(INTERACTIVE) with the output validator as peer.
  Otherwise `include/<language>/` folders make a LINKED grader with one
  IncludeFiles per language: every file below the folder (headers, subfolders)
  goes into each build in that language.
- Platform: "kattis" (Python runs on PyPy, as Kattis does), except this
  project's own packages (`rights_owner: cpsolve authors`), written and labelled
  for CPython: "cpsolve".
- Custom grading (`grading: custom` in a testdata.yaml, legacy format): the one
  program in graders/ grades those groups (Problem.group_grader).
- Title: problem.yaml `name` (English when it is a map), else the statement's
  `\\problemname{}`, else the folder name. `name` of the Problem is the folder name.
- max_score: 1 for pass-fail; for scoring problems the most the root group can
  score (problems.testdata.max_group_score)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from problems.errors import ProblemError
from problems.fields import (
    get_flags,
    get_mapping,
    get_optional_number,
    get_positive_number,
    get_string,
)
from problems.fileio import has_ignored_part, is_ignored_name, read_yaml_mapping
from problems.flags import FlagError
from problems.languages import language_named, language_of_files
from problems.model import (
    Checker,
    CheckerKind,
    Grader,
    GraderKind,
    IncludeFiles,
    Limits,
    OnReject,
    Problem,
    ProblemFormat,
    ProblemType,
    TestGroup,
)
from problems.programs import program_entries, program_sources, single_program
from problems.statement import read_statement, title_from_statement
from problems.submissions import read_labelled_submissions
from problems.testdata import (
    TestData,
    has_custom_grading,
    max_group_score,
    parse_range,
    read_test_tree,
)

MIB = 1024 * 1024
CONFIG_FILE = "problem.yaml"
LEGACY = ProblemFormat.KATTIS_LEGACY
DRAFT_2023 = ProblemFormat.KATTIS_2023_07
FORMAT_BY_VERSION = {
    "legacy": LEGACY,
    "legacy-icpc": LEGACY,
    "2023-07-draft": DRAFT_2023,
    "2023-07": DRAFT_2023,
}
LEGACY_VALIDATION_WORDS = ("custom", "interactive", "score")
DRAFT_TYPES = ("pass-fail", "scoring", "interactive", "multi-pass", "submit-answer")
UNSUPPORTED_DRAFT_TYPES = ("multi-pass", "submit-answer")
ON_REJECT_BY_LEGACY_GRADING = {"first_error": OnReject.BREAK, "grade": OnReject.CONTINUE}
OWN_RIGHTS_OWNER = "cpsolve authors"  # problems/examples: judged as this project judges


@dataclass(frozen=True)
class Judging:
    """How a package is judged, from problem.yaml: points or not, interactive or
    not, and whether a custom output validator is used."""

    scoring: bool
    interactive: bool
    custom_validator: bool


def package_format(config: dict[str, Any], path: Path) -> ProblemFormat:
    """ "kattis-legacy" or "kattis-2023-07" from `problem_format_version`."""
    version = config.get("problem_format_version", "legacy")
    if str(version) not in FORMAT_BY_VERSION:
        known = ", ".join(FORMAT_BY_VERSION)
        raise ProblemError(path, f"unsupported problem_format_version {version!r} (known: {known})")
    return FORMAT_BY_VERSION[str(version)]


def _legacy_judging(config: dict[str, Any], path: Path, root: Path) -> Judging:
    """Judging of a legacy package: `type` and `validation`."""
    problem_type = get_string(config, "type", path, "pass-fail")
    if problem_type not in ("pass-fail", "scoring"):
        raise ProblemError(path, f"`type` must be 'pass-fail' or 'scoring', got {problem_type!r}")
    words = get_string(config, "validation", path, "default").split()
    if words != ["default"] and (
        not words or words[0] != "custom" or not set(words) <= set(LEGACY_VALIDATION_WORDS)
    ):
        raise ProblemError(
            path, f"`validation` must be 'default' or 'custom [interactive] [score]', got {words}"
        )
    return Judging(
        scoring=problem_type == "scoring",
        interactive="interactive" in words,
        custom_validator=words[0] == "custom",
    )


def _draft_judging(config: dict[str, Any], path: Path, root: Path) -> Judging:
    """Judging of a 2023-07 package: `type` (a string or list); a custom output
    validator is used when output_validator(s)/ exists."""
    raw = config.get("type", "pass-fail")
    types = [raw] if isinstance(raw, str) else raw
    if not isinstance(types, list) or not all(isinstance(item, str) for item in types):
        raise ProblemError(path, f"`type` must be a string or a list of strings, got {raw!r}")
    for item in types:
        if item not in DRAFT_TYPES:
            raise ProblemError(path, f"unknown problem type {item!r} in `type`")
        if item in UNSUPPORTED_DRAFT_TYPES:
            raise ProblemError(path, f"problem type {item!r} is not supported")
    custom = any((root / name).is_dir() for name in ("output_validator", "output_validators"))
    return Judging(
        scoring="scoring" in types, interactive="interactive" in types, custom_validator=custom
    )


def _legacy_limits(limits: dict[str, Any], path: Path) -> Limits:
    """Limits of a legacy package (no stored time limit)."""
    return Limits(
        time_s=None,
        memory_bytes=int(get_positive_number(limits, "memory", path, 1024, "limits.memory") * MIB),
        output_bytes=int(get_positive_number(limits, "output", path, 8, "limits.output") * MIB),
        compile_time_s=get_positive_number(
            limits, "compilation_time", path, 60, "limits.compilation_time"
        ),
        time_multiplier=get_positive_number(
            limits, "time_multiplier", path, 2, "limits.time_multiplier"
        ),
    )


def _draft_limits(limits: dict[str, Any], path: Path) -> Limits:
    """Limits of a 2023-07 package (time_limit when stored)."""
    multipliers = get_mapping(limits, "time_multipliers", path, "limits.time_multipliers")
    time_limit = get_optional_number(limits, "time_limit", path, "limits.time_limit")
    if time_limit is not None and time_limit <= 0:
        raise ProblemError(path, f"`limits.time_limit` must be positive, got {time_limit}")
    return Limits(
        time_s=time_limit,
        memory_bytes=int(get_positive_number(limits, "memory", path, 2048, "limits.memory") * MIB),
        output_bytes=int(get_positive_number(limits, "output", path, 8, "limits.output") * MIB),
        compile_time_s=get_positive_number(
            limits, "compilation_time", path, 60, "limits.compilation_time"
        ),
        time_multiplier=get_positive_number(
            multipliers, "ac_to_time_limit", path, 2, "limits.time_multipliers.ac_to_time_limit"
        ),
    )


JUDGING_READERS: dict[ProblemFormat, Callable[[dict[str, Any], Path, Path], Judging]] = {
    LEGACY: _legacy_judging,
    DRAFT_2023: _draft_judging,
}
LIMITS_READERS: dict[ProblemFormat, Callable[[dict[str, Any], Path], Limits]] = {
    LEGACY: _legacy_limits,
    DRAFT_2023: _draft_limits,
}
VALIDATOR_FOLDERS = {
    LEGACY: ("output_validators", "output_validator"),
    DRAFT_2023: ("output_validator", "output_validators"),
}
STATEMENT_FOLDERS = {
    LEGACY: ("problem_statement", "statement"),
    DRAFT_2023: ("statement", "problem_statement"),
}


def _title(config: dict[str, Any], path: Path, statement: str, fallback: str) -> str:
    """The display title: problem.yaml `name` (English first), the statement's, or
    the folder name."""
    name = config.get("name")
    if isinstance(name, dict) and name and all(isinstance(v, str) for v in name.values()):
        return str(name.get("en", next(iter(name.values()))))
    if isinstance(name, str):
        return name
    if name is not None:
        raise ProblemError(
            path, f"`name` must be a string or a map of language to string, got {name!r}"
        )
    return title_from_statement(statement) or fallback


def _checker(root: Path, fmt: ProblemFormat, judging: Judging, flags: tuple[str, ...]) -> Checker:
    """The output checker: the package's one output validator program, or the
    default token comparison with the problem's validator flags (parsed here:
    ProblemError naming problem.yaml for a bad one)."""
    if not judging.custom_validator:
        try:
            return Checker(kind=CheckerKind.TOKENS, flags=flags)
        except FlagError as error:
            raise ProblemError(root / CONFIG_FILE, f"`validator_flags`: {error}") from error
    for name in VALIDATOR_FOLDERS[fmt]:
        folder = root / name
        if folder.is_dir():
            sources = single_program(folder)
            return Checker(kind=CheckerKind.KATTIS_VALIDATOR, sources=sources, flags=flags)
    raise ProblemError(
        root / CONFIG_FILE, f"custom output validation needs an {VALIDATOR_FOLDERS[fmt][0]}/ folder"
    )


def _include_files(folder: Path) -> tuple[Path, ...]:
    """Every visible file below an include folder, sorted by relative path."""
    return tuple(
        sorted(
            (
                path
                for path in folder.rglob("*")
                if path.is_file() and not has_ignored_part(path, folder)
            ),
            key=lambda path: path.relative_to(folder).as_posix(),
        )
    )


def _include_grader(root: Path) -> Grader:
    """A LINKED grader from include/<language>/ (every file of the folder goes
    into each build in that language); NONE without one. `sources` and
    `include_dirs` describe the C++ folder when there is one (else the first by
    name), as prompts show it."""
    include = root / "include"
    if not include.is_dir():
        return Grader()
    folders = sorted(
        (entry for entry in include.iterdir() if entry.is_dir() and _include_files(entry)),
        key=lambda entry: (entry.name != "cpp", entry.name),
    )
    if not folders:
        return Grader()
    includes = []
    for folder in folders:
        files = _include_files(folder)
        language = language_named(folder.name) or language_of_files(files)
        if language is None:
            raise ProblemError(folder, "cannot tell which language this include folder is for")
        includes.append(IncludeFiles(language=language, folder=folder, files=files))
    first = folders[0]
    return Grader(
        kind=GraderKind.LINKED,
        sources=program_sources(first),
        include_dirs=(first,),
        languages=tuple(item.language for item in includes),
        includes=tuple(includes),
    )


def _platform(config: dict[str, Any]) -> str:
    """ "cpsolve" for this project's own packages (rights owner OWN_RIGHTS_OWNER,
    written and labelled for CPython), else "kattis"."""
    return "cpsolve" if config.get("rights_owner") == OWN_RIGHTS_OWNER else "kattis"


def _group_grader(root: Path, data: TestData) -> tuple[Path, ...]:
    """The legacy graders/ program that grades `grading: custom` groups (empty when
    no group asks for one). Raises ProblemError when a group does and the package
    has no such program."""
    if not has_custom_grading(data.root):
        return ()
    folder = root / "graders"
    if not folder.is_dir():
        raise ProblemError(
            root / "data", "a test group has `grading: custom` but the package has no graders/"
        )
    return single_program(folder)


def _generators(root: Path) -> tuple[Path, ...]:
    """Generator programs: source files directly in data/ (generator.sh, gen_*.py)
    and the entries of generators/ (including a 2023-07 generators.yaml)."""
    in_data = program_entries(root / "data")
    folder = root / "generators"
    in_folder = (
        tuple(sorted(p for p in folder.iterdir() if not is_ignored_name(p.name)))
        if folder.is_dir()
        else ()
    )
    return tuple(entry for entry in in_data if entry.is_file()) + in_folder


def _legacy_grading_overrides(config: dict[str, Any], path: Path) -> dict[str, Any]:
    """Deprecated problem.yaml `grading:` keys that problemtools still forces on
    every test group (accept_score, reject_score, range, on_reject)."""
    grading = get_mapping(config, "grading", path)
    overrides: dict[str, Any] = {}
    for key in ("accept_score", "reject_score"):
        value = get_optional_number(grading, key, path, f"grading.{key}")
        if value is not None:
            overrides[key] = value
    if "range" in grading:
        overrides["range"] = parse_range(grading["range"], path)
    on_reject = get_string(grading, "on_reject", path, "", "grading.on_reject")
    if on_reject:
        if on_reject not in ON_REJECT_BY_LEGACY_GRADING:
            raise ProblemError(
                path, f"`grading.on_reject` must be first_error or grade, got {on_reject!r}"
            )
        overrides["on_reject"] = ON_REJECT_BY_LEGACY_GRADING[on_reject]
    return overrides


def _secret_group_points(root_group: TestGroup) -> list[float]:
    """Maximum scores of the groups directly inside secret/, in order."""
    for item in root_group.items:
        if isinstance(item, TestGroup) and item.name == "secret":
            return [max_group_score(sub) for sub in item.items if isinstance(sub, TestGroup)]
    return []


def load_kattis(path: Path) -> Problem:
    """Read a Kattis problem package (legacy or 2023-07-draft) into a Problem.

    Runs nothing: validators, graders and submissions are recorded as paths.
    Raises ProblemError naming the file for any malformed part."""
    root = Path(path).resolve()
    config_path = root / CONFIG_FILE
    if not config_path.is_file():
        raise ProblemError(root, f"not a Kattis problem package: no {CONFIG_FILE}")
    config = read_yaml_mapping(config_path)
    fmt = package_format(config, config_path)
    judging = JUDGING_READERS[fmt](config, config_path, root)
    limits = LIMITS_READERS[fmt](get_mapping(config, "limits", config_path), config_path)
    overrides = _legacy_grading_overrides(config, config_path) if fmt == LEGACY else {}
    flags = get_flags(config, "validator_flags", config_path)
    checker = _checker(root, fmt, judging, flags)
    data: TestData = read_test_tree(
        root / "data",
        answers_required=not judging.interactive,
        overrides=overrides,
        token_checker=checker.kind is CheckerKind.TOKENS,
    )
    statement, _ = read_statement([root / name for name in STATEMENT_FOLDERS[fmt]])
    grader = Grader(kind=GraderKind.INTERACTIVE) if judging.interactive else _include_grader(root)
    max_score = max_group_score(data.root) if judging.scoring else 1.0
    return Problem(
        name=root.name,
        title=_title(config, config_path, statement, root.name),
        root=root,
        format=fmt,
        type=ProblemType.SCORING if judging.scoring else ProblemType.PASS_FAIL,
        statement=statement,
        limits=limits,
        tests=data.tests,
        root_group=data.root,
        checker=checker,
        grader=grader,
        submissions=read_labelled_submissions(
            root / "submissions", _secret_group_points(data.root)
        ),
        input_validators=program_entries(root / "input_validators"),
        generators=_generators(root),
        max_score=max_score,
        group_grader=_group_grader(root, data),
        platform=_platform(config),
    )
