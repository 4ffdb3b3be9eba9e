"""`generators/generators.yaml` (problem package format 2023-07, as BAPCtools writes
and runs it): which test cases a package's data is made of and how each is made.

Reading only: `read_generators(root)` turns the file into a `GeneratorPlan` of
plain data (the judge runs it: `judge.generate`). The supported subset:

* The `data:` tree: `sample`, `secret` and nested test groups, as a mapping
  (cases named by their keys) or as a list of one-key mappings (numbered cases
  and groups, `01-name`, numbered as BAPCtools numbers them: cases across the
  whole file, groups within their parent). Other top-level folders (`invalid_input`,
  `valid_output`, ..., BAPCtools' validator tests) are not test data: skipped.
* A case is a generator command string (`gen.py {seed} 10`, or `gen {name}` for a
  generator folder), or a mapping with `generate:`, `copy:` (a case's files next
  to generators/, without extension), literal `in:` / `ans:` / `desc:` / `hint:`
  contents, `count:` (that many cases, `{count}` in the command), `retries:`.
* Inherited by cases and groups: `solution:` (a path from the package root, e.g.
  `/submissions/accepted/sol.py`; null: no answers generated), `random_salt:`,
  `retries:`. Without `solution:` the first accepted submission (by name) makes
  the .ans files; BAPCtools picks one at random and writes it into the file.
* A group's `testdata.yaml:` mapping is written to data/<group>/testdata.yaml.
* Seeds as BAPCtools derives them: `{seed}` (and `{seed:N}`) is
  int(sha512(random_salt [+ ":" count_index] + command.strip()), 16) mod 2^31,
  plus the retry number on retries; `{name}` is `testcase`.

Anything else (`include:`, the root `generators:` dependency lists, `{{constants}}`,
`.out`/`.interaction`/statement-only files, unknown keys) is a ProblemError naming
generators.yaml and the key."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from problems.errors import ProblemError
from problems.fileio import read_yaml_mapping
from problems.programs import program_entries

GENERATORS_YAML = Path("generators") / "generators.yaml"
SEED_PATTERN = re.compile(r"\{seed(:[0-9]+)?\}")
NAME_VALUE = "testcase"  # what {name} stands for: generators write `testcase.in` etc.
DATA_FOLDERS = ("sample", "secret")
OTHER_FOLDERS = ("invalid_output", "invalid_answer", "invalid_input", "valid_output")
LITERAL_FILES = ("in", "ans", "desc", "hint")
CASE_MARKERS = frozenset(
    {"copy", "generate", "retries", "count", "in", "ans", "out", "desc", "hint"}
    | {"interaction", "in.statement", "ans.statement", "in.download", "ans.download", "yaml"}
)
INHERITED_KEYS = frozenset({"solution", "random_salt", "retries"})
CASE_KEYS = INHERITED_KEYS | {"type", "generate", "copy", "count", *LITERAL_FILES}
GROUP_KEYS = INHERITED_KEYS | {"type", "data", "testdata.yaml"}
ROOT_KEYS = GROUP_KEYS | {"version", "parallel"}
MAX_COUNT = 1000


@dataclass(frozen=True)
class Command:
    """A program with arguments: `program` relative to the package root, `args`
    still holding `{seed}` / `{name}` (see `argv`); `text` as written."""

    program: Path
    args: tuple[str, ...]
    text: str

    def argv(self, seed: int) -> tuple[str, ...]:
        """The arguments with `{seed}` and `{name}` filled in."""
        return tuple(
            SEED_PATTERN.sub(str(seed), arg).replace("{name}", NAME_VALUE) for arg in self.args
        )


@dataclass(frozen=True)
class PlannedCase:
    """One test case to make, at data/<path>.in (and .ans ...).

    Its input comes from `generate` (run with `seed`, retried `retries` times
    with seed + 1, ...), from `copy` (a host file, `.in` included) or from the
    literal `files` (extension -> text). `solution` makes the .ans unless the
    case has one already (literal, copied, or written by the generator)."""

    path: str
    generate: Command | None
    seed: int
    retries: int
    copy: Path | None
    files: tuple[tuple[str, str], ...]
    solution: Command | None


@dataclass(frozen=True)
class PlannedGroup:
    """A folder of data/: its path and the testdata.yaml written there (None: none)."""

    path: str
    testdata: dict[str, Any] | None


@dataclass(frozen=True)
class GeneratorPlan:
    """Everything generators.yaml asks for, in the order BAPCtools makes it."""

    source: Path
    groups: tuple[PlannedGroup, ...]
    cases: tuple[PlannedCase, ...]
    skipped: tuple[str, ...]

    def input_validator_flags(self, case: PlannedCase) -> tuple[str, ...]:
        """The input validator flags of the nearest group (the case's own first)
        whose testdata.yaml sets them (2023-07: a testdata.yaml holds for its
        folder and those below it)."""
        by_path = {group.path: group for group in self.groups}
        parts = PurePosixPath(case.path).parts[:-1]
        for depth in range(len(parts), 0, -1):
            group = by_path.get("/".join(parts[:depth]))
            if group is not None and group.testdata is not None:
                flags = group.testdata.get("input_validator_flags")
                if flags is None:
                    return ()
                return (
                    tuple(str(flags).split())
                    if not isinstance(flags, list)
                    else tuple(str(flag) for flag in flags)
                )
        return ()


def bapc_seed(command: str, random_salt: str = "", count_index: int = 0) -> int:
    """BAPCtools' seed for a generator command (see the module docstring)."""
    value = random_salt + (f":{count_index}" if count_index > 0 else "") + command.strip()
    return int(hashlib.sha512(value.encode()).hexdigest(), 16) % 2**31


@dataclass(frozen=True)
class _Inherited:
    solution: Command | None | bool  # True: the default (first accepted submission)
    random_salt: str
    retries: int


def read_generators(root: Path) -> GeneratorPlan:
    """The plan of the package's generators/generators.yaml (ProblemError naming
    the file and the key for anything malformed or unsupported)."""
    return _Reader(root).read()


class _Reader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / GENERATORS_YAML
        self.groups: list[PlannedGroup] = []
        self.cases: list[PlannedCase] = []
        self.skipped: list[str] = []
        self.case_number = 0
        self.numbered_cases = 0
        self._default_solution: Command | None = None

    def error(self, where: str, message: str) -> ProblemError:
        return ProblemError(self.path, f"{where or 'top level'}: {message}")

    def read(self) -> GeneratorPlan:
        if not self.path.is_file():
            raise ProblemError(self.path, "no such file: the package has no generators.yaml")
        data = read_yaml_mapping(self.path)
        if "generators" in data:
            raise self.error("", "`generators:` (generator dependency lists) is not supported")
        self._check_keys(data, ROOT_KEYS, "")
        self.numbered_cases = self._count_numbered(data)
        inherited = self._inherit(data, _Inherited(True, "", 1), "")
        self._group("", data, inherited, root=True)
        return GeneratorPlan(self.path, tuple(self.groups), tuple(self.cases), tuple(self.skipped))

    def _check_keys(
        self, data: dict[str, Any], allowed: frozenset[str] | set[str], where: str
    ) -> None:
        for key in data:
            if key == "include":
                raise self.error(where, "`include:` is not supported")
            if key not in allowed:
                raise self.error(where, f"unsupported key `{key}`")

    def _inherit(self, data: dict[str, Any], parent: _Inherited, where: str) -> _Inherited:
        solution: Command | None | bool = parent.solution
        if "solution" in data:
            value = data["solution"]
            if value is None:
                solution = None
            elif isinstance(value, str) and value.startswith("/"):
                solution = self._command(value, where, absolute_only=True)
            else:
                raise self.error(
                    where,
                    f"`solution:` must be a path from the package root (`/...`), got {value!r}",
                )
        salt = parent.random_salt
        if "random_salt" in data:
            value = data["random_salt"]
            if value is not None and not isinstance(value, str):
                raise self.error(where, f"`random_salt:` must be a string, got {value!r}")
            salt = value or ""
        retries = parent.retries
        if "retries" in data:
            value = data["retries"]
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise self.error(where, f"`retries:` must be a positive integer, got {value!r}")
            retries = value
        return _Inherited(solution, salt, retries)

    def _command(self, text: str, where: str, absolute_only: bool = False) -> Command:
        if "{{" in text:
            raise self.error(where, f"`{{{{constants}}}}` in commands are not supported: {text!r}")
        words = text.split()
        if not words:
            raise self.error(where, "empty command")
        if len(SEED_PATTERN.findall(" ".join(words[1:]))) > 1:
            raise self.error(where, f"{{seed}} may appear at most once: {text!r}")
        name = PurePosixPath(words[0])
        if name.is_absolute():
            program = Path(*name.parts[1:])
        elif absolute_only:
            raise self.error(where, f"expected a path from the package root: {text!r}")
        else:
            program = Path("generators") / name
        if ".." in program.parts:
            raise self.error(where, f"program outside the package: {words[0]!r}")
        if not (self.root / program).exists():
            raise self.error(where, f"no program {program} (from {text!r})")
        return Command(program, tuple(words[1:]), text)

    def default_solution(self, where: str) -> Command:
        """The first accepted submission, by name (file or folder)."""
        if self._default_solution is None:
            entries = program_entries(self.root / "submissions" / "accepted")
            if not entries:
                raise self.error(
                    where,
                    "no `solution:` given and no submission in submissions/accepted to make the "
                    ".ans files",
                )
            relative = entries[0].relative_to(self.root)
            self._default_solution = Command(relative, (), "/" + relative.as_posix())
        return self._default_solution

    @staticmethod
    def is_case(value: object) -> bool:
        return (
            value is None
            or isinstance(value, str)
            or (isinstance(value, dict) and any(key in value for key in CASE_MARKERS))
        )

    def _count_numbered(self, data: dict[str, Any]) -> int:
        """How many numbered cases the file holds (their numbers' width)."""
        total = 0
        children = data.get("data")
        numbered = isinstance(children, list)
        for entry in children if isinstance(children, list) else [children]:
            if not isinstance(entry, dict):
                continue
            for value in entry.values():
                if self.is_case(value):
                    total += _count_of(value) if numbered else 0
                elif isinstance(value, dict):
                    total += self._count_numbered(value)
        return total

    def _group(
        self, path: str, data: dict[str, Any], inherited: _Inherited, root: bool = False
    ) -> None:
        where = path
        testdata = data.get("testdata.yaml")
        if testdata is not None and testdata != "" and not isinstance(testdata, dict):
            raise self.error(where, f"`testdata.yaml:` must be a mapping, got {testdata!r}")
        if not root:
            self.groups.append(PlannedGroup(path, testdata or None))
        children = data.get("data")
        if children is None or children == "":
            return
        if not isinstance(children, list | dict):
            raise self.error(where, f"`data:` must be a mapping or a list, got {children!r}")
        numbered = isinstance(children, list)
        entries = children if isinstance(children, list) else [children]
        for entry in entries:
            if not isinstance(entry, dict) or (numbered and len(entry) != 1):
                raise self.error(
                    where, "each item of a `data:` list must be a mapping with exactly one key"
                )
        groups_here = sum(
            1 for entry in entries for value in entry.values() if not self.is_case(value)
        )
        group_number = 0
        for entry in entries:
            keys = [str(key) if key is not None else "" for key in entry]
            values = dict(zip(keys, entry.values(), strict=True))
            ordered = sorted(keys, key=_root_order) if root else sorted(keys)
            for key in ordered:
                value = values[key]
                if root and key not in DATA_FOLDERS:
                    if key in OTHER_FOLDERS or key.rstrip("s") in OTHER_FOLDERS:
                        self.skipped.append(key)
                        continue
                    raise self.error(key, "only sample and secret data are supported here")
                if self.is_case(value):
                    if root:
                        raise self.error(key, "a test case must be inside sample/ or secret/")
                    self._cases(path, key, value, inherited, numbered)
                    continue
                if not isinstance(value, dict):
                    raise self.error(_join(path, key), f"not a test case or group: {value!r}")
                if numbered:
                    group_number += 1
                    name = _numbered(key, group_number, groups_here)
                elif not key:
                    raise self.error(path, "a group needs a name")
                else:
                    name = key
                child = _join(path, name)
                self._check_keys(value, GROUP_KEYS, child)
                self._group(child, value, self._inherit(value, inherited, child))

    def _next_name(self, key: str, numbered: bool) -> str:
        if not numbered:
            if not key:
                raise self.error(key, "a test case needs a name")
            return key
        self.case_number += 1
        return _numbered(key, self.case_number, self.numbered_cases)

    def _cases(
        self, parent: str, key: str, value: object, inherited: _Inherited, numbered: bool
    ) -> None:
        where = _join(parent, key)
        if value is None:
            raise self.error(where, "empty test case (give a command, `in:` or `copy:`)")
        if isinstance(value, str):
            spec: dict[str, Any] = {"generate": value}
        elif isinstance(value, dict):
            spec = {str(name): item for name, item in value.items()}
        else:
            raise self.error(where, f"not a test case: {value!r}")
        for marker in CASE_MARKERS - CASE_KEYS:
            if marker in spec:
                raise self.error(where, f"unsupported key `{marker}`")
        self._check_keys(spec, CASE_KEYS, where)
        count = _count_of(spec)
        own = self._inherit(spec, inherited, where)
        for index in range(count):
            name = self._next_name(key, numbered) if index == 0 or numbered else key
            if "count" in spec:
                name += f"-{index + 1:0{len(str(count))}}"
            self.cases.append(self._case(_join(parent, name), spec, own, index))

    def _case(
        self, path: str, spec: dict[str, Any], inherited: _Inherited, index: int
    ) -> PlannedCase:
        generate = None
        seed = 0
        if "generate" in spec:
            text = spec["generate"]
            if not isinstance(text, str) or not text.strip():
                raise self.error(path, f"`generate:` must be a command, got {text!r}")
            if "count" in spec:
                text = text.replace("{count}", str(index + 1))
            generate = self._command(text, path)
            seed = bapc_seed(text, inherited.random_salt, index)
        copy = None
        if "copy" in spec:
            name = spec["copy"]
            if not isinstance(name, str) or not name:
                raise self.error(path, f"`copy:` must be a path, got {name!r}")
            relative = PurePosixPath(name)
            base = (
                Path(*relative.parts[1:])
                if relative.is_absolute()
                else Path("generators") / relative
            )
            copy = self.root / base.parent / (base.name + ".in")
            if ".." in base.parts or not copy.is_file():
                raise self.error(path, f"`copy: {name}`: no file {copy.relative_to(self.root)}")
        files = []
        for extension in LITERAL_FILES:
            if extension in spec:
                text = spec[extension]
                if not isinstance(text, str):
                    raise self.error(path, f"`{extension}:` must be a string, got {text!r}")
                files.append((extension, text if not text or text.endswith("\n") else text + "\n"))
        if generate is None and copy is None and "in" not in spec:
            raise self.error(path, "a test case needs `generate:`, `copy:` or `in:`")
        solution = inherited.solution
        if solution is True:
            solution = self.default_solution(path)
        return PlannedCase(
            path=path,
            generate=generate,
            seed=seed,
            retries=inherited.retries,
            copy=copy,
            files=tuple(files),
            solution=solution if isinstance(solution, Command) else None,
        )


def _count_of(value: object) -> int:
    if isinstance(value, dict) and isinstance(value.get("count"), int):
        return max(1, min(int(value["count"]), MAX_COUNT))
    return 1


def _numbered(key: str, number: int, total: int) -> str:
    prefix = f"{number:0{len(str(total))}}"
    return f"{prefix}-{key}" if key else prefix


def _join(parent: str, name: str) -> str:
    return f"{parent}/{name}" if parent else name


def _root_order(key: str) -> tuple[int, str]:
    order = DATA_FOLDERS + OTHER_FOLDERS
    return (order.index(key), key) if key in order else (len(order), key)
