"""The test data tree of a Kattis package: data/sample and data/secret.

Decisions, following problemtools where the spec is loose:
- A test is a `NAME.in` with its `NAME.ans` next to it; the test's name is its path
  below data/ without the extension ("secret/group1/01"). Entries are visited in
  lexicographic order of their names, folders and tests interleaved, as Kattis does.
- Every folder below data/sample and data/secret is a test group, recursively.
  Groups are named by their path below data/ ("secret/group1"); the root is "data"
  and holds only the "sample" and "secret" groups (other folders of data/, such as
  2023-07's invalid_input/, and loose files in data/ are not tests to run).
- Symlinked tests and groups are followed: paths are resolved, names keep the
  link's location. A symlink cycle or a dangling link is an error.
- For interactive problems an `.in` may lack its `.ans`; samples given only as
  `.interaction` transcripts (no `.in`) are illustrations for the statement, not
  tests, and are skipped.
- testdata.yaml settings are inherited key by key from the parent folder (as
  problemtools merges them), so a child file overrides only the keys it names.
  A test's score when accepted is its group's accept_score.
- Flags are parsed here (problems.flags): `grader_flags` of every group not graded
  by a custom grader, and, when the problem uses the token checker,
  `output_validator_flags`; a bad flag is a ProblemError naming the testdata.yaml
  that sets it."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from problems.errors import ProblemError
from problems.fields import get_flags, get_number, get_string
from problems.fileio import is_ignored_name, read_yaml_mapping
from problems.flags import SCORE_AGGREGATES, FlagError, TokenOptions, parse_token_flags
from problems.model import OnReject, Scoring, TestCase, TestGroup, TestKind

TEST_KINDS = (TestKind.SAMPLE, TestKind.SECRET)
GRADING_VALUES = ("default", "custom")
# Settings keys that are not testdata.yaml keys: the file that set grader_flags
# (for errors found once the group's grading is known), and the parsed
# output_validator_flags; each is set together with its key, so both inherit alike.
_GRADER_FLAGS_FILE = "grader_flags file"
_TOKEN_OPTIONS = "output_validator_flags parsed"


@dataclass(frozen=True)
class TestData:
    """The tests of a package in order, and the group tree that holds their names."""

    tests: tuple[TestCase, ...]
    root: TestGroup


def parse_range(value: object, path: Path) -> tuple[float, float]:
    """A testdata.yaml `range` ("min max") as two floats, min <= max."""
    parts = str(value).split() if isinstance(value, str | int | float) else []
    try:
        low, high = (float(part) for part in parts)
    except ValueError as error:
        raise ProblemError(path, f"`range` must be two numbers 'min max', got {value!r}") from error
    if math.isnan(low) or math.isnan(high) or low > high:
        raise ProblemError(path, f"`range` must satisfy min <= max, got {value!r}")
    return (low, high)


def read_settings(path: Path, token_checker: bool = False) -> dict[str, Any]:
    """The settings one testdata.yaml sets, type-checked (keys it omits are absent).

    Raises ProblemError for wrong types and unknown on_reject or grading values
    (`grading: custom` needs the package's graders/ program, see problems.kattis),
    and, with `token_checker`, for bad output_validator_flags."""
    data = read_yaml_mapping(path)
    settings: dict[str, Any] = {}
    if "on_reject" in data:
        on_reject = get_string(data, "on_reject", path, "break")
        if on_reject not in {mode.value for mode in OnReject}:
            raise ProblemError(
                path, f"`on_reject` must be 'break' or 'continue', got {on_reject!r}"
            )
        settings["on_reject"] = OnReject(on_reject)
    if "grading" in data:
        grading = get_string(data, "grading", path, "default")
        if grading not in GRADING_VALUES:
            raise ProblemError(path, f"`grading` must be 'default' or 'custom', got {grading!r}")
        settings["grading"] = grading
    for key in ("accept_score", "reject_score"):
        if key in data:
            settings[key] = get_number(data, key, path, 0.0)
    if "range" in data:
        settings["range"] = parse_range(data["range"], path)
    if "grader_flags" in data:
        settings["grader_flags"] = get_flags(data, "grader_flags", path)
        settings[_GRADER_FLAGS_FILE] = path
    if "input_validator_flags" in data:
        settings["input_validator_flags"] = get_flags(data, "input_validator_flags", path)
    for key in ("output_validator_flags", "output_validator_args"):
        if key in data:
            flags = get_flags(data, key, path)
            settings["output_validator_flags"] = flags
            if token_checker:
                try:
                    settings[_TOKEN_OPTIONS] = parse_token_flags(flags)
                except FlagError as error:
                    raise ProblemError(path, f"`{key}`: {error}") from error
    return settings


def scoring_from_settings(settings: Mapping[str, Any]) -> Scoring:
    """The Scoring of a group from its merged settings (spec defaults elsewhere).
    Raises ProblemError naming the testdata.yaml of a bad grader flag."""
    score_range = settings.get("range")
    if score_range is not None and math.isinf(score_range[0]) and math.isinf(score_range[1]):
        score_range = None
    try:
        return Scoring(
            accept_score=settings.get("accept_score", 1.0),
            reject_score=settings.get("reject_score", 0.0),
            score_range=score_range,
            grader_flags=settings.get("grader_flags", ()),
            on_reject=settings.get("on_reject", OnReject.BREAK),
            input_validator_flags=settings.get("input_validator_flags", ()),
            output_validator_flags=settings.get("output_validator_flags", ()),
            custom_grading=settings.get("grading", "default") == "custom",
        )
    except FlagError as error:
        where = settings.get(_GRADER_FLAGS_FILE, "testdata.yaml")
        raise ProblemError(where, f"`grader_flags`: {error}") from error


@dataclass(frozen=True)
class _Walk:
    """What stays fixed while walking one package's data/ folder."""

    data_dir: Path
    answers_required: bool
    overrides: Mapping[str, Any]
    token_checker: bool  # the problem's checker compares tokens: parse output flags


# A symlink checked out where links are unsupported becomes a tiny file holding
# the link's target path; such "link stubs" are followed like the link would be.
LINK_STUB_MAX_BYTES = 512


def follow_link_stub(path: Path) -> Path:
    """`path`, or the file a link stub at `path` names (see LINK_STUB_MAX_BYTES)."""
    if path.is_symlink() or not path.is_file() or path.stat().st_size > LINK_STUB_MAX_BYTES:
        return path
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (UnicodeDecodeError, OSError):
        return path
    if not text or "\n" in text or text.startswith("/") or Path(text).suffix != path.suffix:
        return path
    target = (path.parent / text).resolve()
    data_root = path.resolve().parents[2] if len(path.resolve().parents) > 2 else path.parent
    if target.is_file() and target != path.resolve() and data_root in target.parents:
        return target
    return path


def _test_case(
    walk: _Walk, input_path: Path, kind: TestKind, settings: Mapping[str, Any]
) -> TestCase:
    """The TestCase for one `.in` file, resolving symlinks and finding its answer;
    its group's `settings` give its validator flags."""
    answer_path = input_path.with_suffix(".ans")
    if answer_path.is_symlink() and not answer_path.exists():
        raise ProblemError(answer_path, "symlink points to a missing file")
    if not answer_path.is_file():
        if walk.answers_required:
            raise ProblemError(input_path, f"test input has no answer file {answer_path.name}")
        answer: Path | None = None
    else:
        answer = follow_link_stub(answer_path.resolve())
    name = input_path.relative_to(walk.data_dir).with_suffix("").as_posix()
    return TestCase(
        name=name,
        input_path=follow_link_stub(input_path.resolve()),
        answer_path=answer,
        kind=kind,
        validator_flags=settings.get("output_validator_flags", ()),
        token_options=settings.get(_TOKEN_OPTIONS, TokenOptions()),
    )


def _read_group(
    walk: _Walk,
    folder: Path,
    kind: TestKind,
    inherited: Mapping[str, Any],
    ancestors: frozenset[Path],
    tests: list[TestCase],
) -> TestGroup:
    """The group of one folder (and, recursively, its subfolders); appends its
    tests to `tests` in visiting order."""
    settings = dict(inherited)
    config = folder / "testdata.yaml"
    if config.is_file():
        settings.update(read_settings(config, walk.token_checker))
    settings.update(walk.overrides)
    items: list[str | TestGroup] = []
    scoring = scoring_from_settings(settings)
    for entry in sorted(folder.iterdir(), key=lambda path: path.name):
        if is_ignored_name(entry.name):
            continue
        if entry.is_symlink() and not entry.exists():
            raise ProblemError(entry, "symlink points to a missing file")
        if entry.is_dir():
            resolved = entry.resolve()
            if resolved in ancestors:
                raise ProblemError(entry, "symlinked folder forms a cycle")
            items.append(_read_group(walk, entry, kind, settings, ancestors | {resolved}, tests))
        elif entry.suffix == ".in":
            case = _test_case(walk, entry, kind, settings)
            tests.append(case)
            items.append(case.name)
    name = folder.relative_to(walk.data_dir).as_posix()
    return TestGroup(name=name, items=tuple(items), scoring=scoring)


def read_test_tree(
    data_dir: Path,
    answers_required: bool = True,
    overrides: Mapping[str, Any] | None = None,
    token_checker: bool = False,
) -> TestData:
    """All tests below data/sample and data/secret and their group tree.

    `answers_required` is False for interactive problems, whose inputs may have no
    answer file. `overrides` are settings forced on every group (legacy
    problem.yaml `grading:` keys, which problemtools still honours).
    `token_checker` is True when the problem uses the token checker: then the
    groups' output_validator_flags are parsed into each test's
    TestCase.token_options. Raises
    ProblemError for a missing data/ folder, an input without its answer (when
    required), bad testdata.yaml files (bad flags included) and broken symlinks."""
    if not data_dir.is_dir():
        message = "problem package has no data/ folder"
        if (data_dir.parent / "generators" / "generators.yaml").is_file():
            message += (
                "; it is made by generators/generators.yaml: run "
                f"`cpsolve generate {data_dir.parent}` first"
            )
        raise ProblemError(data_dir, message)
    walk = _Walk(data_dir, answers_required, dict(overrides or {}), token_checker)
    settings: dict[str, Any] = {}
    root_config = data_dir / "testdata.yaml"
    if root_config.is_file():
        settings = read_settings(root_config, token_checker)
    settings.update(walk.overrides)
    tests: list[TestCase] = []
    groups: list[str | TestGroup] = []
    for kind in TEST_KINDS:
        folder = data_dir / kind
        if folder.is_dir():
            ancestors = frozenset({data_dir.resolve(), folder.resolve()})
            groups.append(_read_group(walk, folder, kind, settings, ancestors, tests))
    root = TestGroup(name="data", items=tuple(groups), scoring=scoring_from_settings(settings))
    return TestData(tests=tuple(tests), root=root)


def max_group_score(group: TestGroup) -> float:
    """The most a group can score under Kattis default grading.

    The upper bound of its `range` when finite; otherwise its children's maxima
    (a test's is the group's accept_score) combined by the group's aggregation.
    With `ignore_sample` the sample group does not count."""
    if group.scoring.score_range is not None and math.isfinite(group.scoring.score_range[1]):
        return group.scoring.score_range[1]
    grading = group.scoring.grading
    maxima = [
        max_group_score(item) if isinstance(item, TestGroup) else group.scoring.accept_score
        for item in group.items
        if not (grading.ignore_sample and isinstance(item, TestGroup) and item.name == "sample")
    ]
    return SCORE_AGGREGATES[grading.score_mode](maxima) if maxima else 0.0


def has_custom_grading(group: TestGroup) -> bool:
    """True when `group` or a group below it is graded by the package's own grader
    (`grading: custom`)."""
    return group.scoring.custom_grading or any(
        has_custom_grading(item) for item in group.items if isinstance(item, TestGroup)
    )
