"""Checks that every example problem in problems/examples/ is well formed and that its
labelled submissions really earn their labels, by compiling and running them on the
host (no sandbox: these are the project's own trusted programs).

Semantics follow the Kattis problem package format: the folder a submission sits in
is its expected verdict; tests are judged in name order and a group stops at its
first failure (`on_reject: break`); the secret group's verdict is its first error,
or AC when any subgroup is accepted (`accept_if_any_accepted`). A legacy package's
time limit is derived from the slowest accepted submission (times the multiplier,
rounded up, at least 1 s); a time_limit_exceeded submission must run past the
limit times the safety margin and past 3x the slowest accepted time."""

from __future__ import annotations

import filecmp
import math
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

EXAMPLES = Path(__file__).resolve().parents[1] / "problems" / "examples"
PROBLEM_NAMES = sorted(p.name for p in EXAMPLES.iterdir() if (p / "problem.yaml").is_file())
REJECT_LABELS = ("wrong_answer", "time_limit_exceeded", "run_time_error", "partially_accepted")
LANGUAGE_SUFFIXES = (".cpp", ".py")
VALIDATOR_ACCEPT, VALIDATOR_REJECT = 42, 43
MAX_EXAMPLES_BYTES = 1024 * 1024

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Case:
    """One test file pair and the group folders it sits in (below data/)."""

    name: str
    input_path: Path
    answer_path: Path
    groups: tuple[Path, ...]


@dataclass(frozen=True)
class Group:
    """A scored group of secret tests with its testdata.yaml settings."""

    name: str
    cases: tuple[Case, ...]
    accept_score: float


@dataclass(frozen=True)
class Package:
    """The parts of a Kattis package these checks need, read straight from disk."""

    root: Path
    config: dict[str, object]
    samples: tuple[Case, ...]
    groups: tuple[Group, ...]
    scoring: bool

    @property
    def legacy(self) -> bool:
        """True for the legacy format (no problem_format_version)."""
        return "problem_format_version" not in self.config

    @property
    def limits(self) -> dict[str, object]:
        """The `limits:` mapping of problem.yaml (empty when absent)."""
        value = self.config.get("limits") or {}
        assert isinstance(value, dict)
        return value

    def secret_cases(self) -> list[Case]:
        """Every secret test, groups in order."""
        return [case for group in self.groups for case in group.cases]


@dataclass(frozen=True)
class RunResult:
    """What one run produced: verdict is AC, WA, RTE or TLE."""

    verdict: str
    seconds: float
    message: str = ""


@dataclass
class Grading:
    """The outcome of judging one program on the secret groups."""

    group_verdicts: dict[str, str] = field(default_factory=dict)
    score: float = 0.0

    def first_error(self) -> str:
        """The first non-AC group verdict, or AC."""
        return next((v for v in self.group_verdicts.values() if v != "AC"), "AC")


def read_yaml(path: Path) -> dict[str, object]:
    """A YAML mapping from `path` ({} if the file is absent or empty)."""
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text()) or {}
    assert isinstance(data, dict), f"{path}: expected a mapping"
    return data


def cases_in(folder: Path, data_root: Path) -> list[Case]:
    """All .in/.ans pairs directly in `folder`, sorted by name."""
    cases = []
    for input_path in sorted(folder.glob("*.in")):
        answer = input_path.with_suffix(".ans")
        assert answer.is_file(), f"{input_path}: no matching .ans file"
        relative = folder.relative_to(data_root)
        chain = tuple(reversed(relative.parents)) + (relative,)  # data/, data/secret/, ...
        cases.append(Case(input_path.stem, input_path, answer, chain))
    return cases


def load_package(name: str) -> Package:
    """Read problem.yaml and the test tree of example problem `name`."""
    root = EXAMPLES / name
    config = read_yaml(root / "problem.yaml")
    data = root / "data"
    secret = data / "secret"
    subgroups = sorted(p for p in secret.iterdir() if p.is_dir())
    if subgroups:
        groups = tuple(
            Group(
                g.name,
                tuple(cases_in(g, data)),
                float(str(read_yaml(g / "testdata.yaml").get("accept_score", 1))),
            )
            for g in subgroups
        )
    else:
        groups = (Group("secret", tuple(cases_in(secret, data)), 1.0),)
    return Package(
        root=root,
        config=config,
        samples=tuple(cases_in(data / "sample", data)),
        groups=groups,
        scoring=config.get("type") == "scoring",
    )


def submissions(name: str, labels: tuple[str, ...]) -> list[tuple[str, str]]:
    """(problem, label/file) for each submission of `name` under the given labels."""
    found = []
    for label in labels:
        for path in sorted((EXAMPLES / name / "submissions" / label).glob("*")):
            if path.suffix in LANGUAGE_SUFFIXES:
                found.append((name, f"{label}/{path.name}"))
    return found


def all_submissions(labels: tuple[str, ...]) -> list[tuple[str, str]]:
    """Every (problem, label/file) pair under `labels`, over all example problems."""
    return [item for name in PROBLEM_NAMES for item in submissions(name, labels)]


class Builder:
    """Compiles C++ sources once per session into a scratch folder."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.built: dict[tuple[Path, ...], Path] = {}

    def cpp(self, sources: list[Path], include: Path | None = None) -> Path:
        """Compile `sources` (plus the include folder's .cpp files) and return the binary."""
        every = list(sources) + (sorted(include.glob("*.cpp")) if include else [])
        key = tuple(every)
        if key not in self.built:
            binary = self.workdir / f"prog{len(self.built)}"
            flags = ["-I", str(include)] if include else []
            command = ["g++", "-O2", "-std=c++17", *flags, "-o", str(binary), *map(str, every)]
            done = subprocess.run(command, capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, f"{sources[0]}: compile error\n{done.stderr}"
            self.built[key] = binary
        return self.built[key]

    def program(self, package: Package, source: Path) -> list[str]:
        """The command that runs submission `source` of `package`."""
        if source.suffix == ".py":
            return [sys.executable, str(source)]
        include = package.root / "include" / "cpp"
        return [str(self.cpp([source], include if include.is_dir() else None))]

    def output_validator(self, package: Package) -> Path | None:
        """The compiled custom output validator, or None for the default checker."""
        if package.config.get("validation", "default") != "custom":
            return None
        folders = sorted(p for p in (package.root / "output_validators").iterdir() if p.is_dir())
        assert len(folders) == 1, f"{package.root}: expected one output validator"
        return self.cpp(sorted(folders[0].glob("*.cpp")))


def float_tolerance(package: Package) -> float | None:
    """The float tolerance from legacy `validator_flags`, or None."""
    flags = str(package.config.get("validator_flags", "")).split()
    for index, flag in enumerate(flags):
        if flag == "float_tolerance":
            return float(flags[index + 1])
    return None


def as_float(token: str) -> float | None:
    """`token` as a finite float, or None if it is not one."""
    try:
        value = float(token)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def tokens_match(output: str, answer: str, tolerance: float | None) -> bool:
    """Kattis default checker: tokens equal ignoring case, floats within tolerance."""
    got, want = output.split(), answer.split()
    if len(got) != len(want):
        return False
    return all(token_matches(team, judge, tolerance) for team, judge in zip(got, want, strict=True))


def token_matches(team: str, judge: str, tolerance: float | None) -> bool:
    """One token: a float within absolute or relative `tolerance`, else equal ignoring case."""
    judge_value = as_float(judge) if tolerance is not None else None
    if tolerance is None or judge_value is None:
        return team.lower() == judge.lower()
    team_value = as_float(team)
    if team_value is None:
        return False
    error = abs(team_value - judge_value)
    return error <= tolerance or error <= tolerance * abs(judge_value)


def check_output(
    package: Package, validator: Path | None, case: Case, output: str, feedback: Path
) -> str:
    """AC or WA for `output` on `case`; a validator crash fails the test (judge error)."""
    if validator is None:
        return (
            "AC"
            if tokens_match(output, case.answer_path.read_text(), float_tolerance(package))
            else "WA"
        )
    feedback.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [str(validator), str(case.input_path), str(case.answer_path), str(feedback)],
        input=output,
        capture_output=True,
        text=True,
        timeout=30,
    )
    message = (
        (feedback / "judgemessage.txt").read_text()
        if (feedback / "judgemessage.txt").exists()
        else ""
    )
    assert done.returncode in (VALIDATOR_ACCEPT, VALIDATOR_REJECT), (
        f"{case.input_path}: judge error from output validator: {message}"
    )
    return "AC" if done.returncode == VALIDATOR_ACCEPT else "WA"


def run_program(command: list[str], case: Case, timeout: float) -> tuple[str, float, str]:
    """Run `command` on the case input; (RTE/TLE/ok, wall seconds, stdout)."""
    with case.input_path.open("rb") as stdin:
        start = time.monotonic()
        process = subprocess.Popen(
            command, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        try:
            out, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            return "TLE", time.monotonic() - start, ""
        seconds = time.monotonic() - start
    if process.returncode != 0:
        return "RTE", seconds, ""
    return "ok", seconds, out.decode(errors="replace")


@dataclass
class Judge:
    """Runs programs of one package on its tests."""

    package: Package
    builder: Builder
    scratch: Path

    def run(self, command: list[str], case: Case, timeout: float) -> RunResult:
        """Run and check one test."""
        status, seconds, output = run_program(command, case, timeout)
        if status != "ok":
            return RunResult(status, seconds)
        validator = self.builder.output_validator(self.package)
        verdict = check_output(self.package, validator, case, output, self.scratch / "feedback")
        return RunResult(verdict, seconds, output[:200])

    def grade(self, command: list[str], timeout: float) -> Grading:
        """Judge every secret group, each stopping at its first failure."""
        grading = Grading()
        for group in self.package.groups:
            verdict = "AC"
            for case in group.cases:
                verdict = self.run(command, case, timeout).verdict
                if verdict != "AC":
                    break
            grading.group_verdicts[group.name] = verdict
            if verdict == "AC":
                grading.score += group.accept_score
        return grading


@pytest.fixture(scope="session")
def builder(tmp_path_factory: pytest.TempPathFactory) -> Builder:
    """One compile cache for the whole session."""
    if shutil.which("g++") is None:
        pytest.skip("g++ is not installed")
    return Builder(tmp_path_factory.mktemp("examples-build"))


@pytest.fixture(scope="session")
def accepted_times(builder: Builder, tmp_path_factory: pytest.TempPathFactory) -> dict[str, float]:
    """Slowest accepted run per problem (seconds), measured on every test."""
    slowest: dict[str, float] = {}
    for name in PROBLEM_NAMES:
        package = load_package(name)
        judge = Judge(package, builder, tmp_path_factory.mktemp(f"{name}-acc"))
        for _, submission in submissions(name, ("accepted",)):
            command = builder.program(package, package.root / "submissions" / submission)
            for case in package.samples + tuple(package.secret_cases()):
                result = judge.run(command, case, timeout=10.0)
                slowest[name] = max(slowest.get(name, 0.0), result.seconds)
    return slowest


def time_limit(package: Package, slowest_accepted: float) -> float:
    """The package's time limit: stored (2023-07) or derived from accepted runs."""
    if not package.legacy:
        return float(str(package.limits["time_limit"]))
    multiplier = float(str(package.limits.get("time_multiplier", 2)))
    return max(1.0, math.ceil(slowest_accepted * multiplier))


def tle_bar(package: Package, slowest_accepted: float) -> float:
    """How long a time_limit_exceeded submission must run to count as TLE."""
    if package.legacy:
        margin = float(str(package.limits.get("time_safety_margin", 2)))
    else:
        multipliers = package.limits.get("time_multipliers") or {}
        assert isinstance(multipliers, dict)
        margin = float(str(multipliers.get("time_limit_to_tle", 2)))
    return max(3 * slowest_accepted, margin * time_limit(package, slowest_accepted))


def validator_flags(package: Package, case: Case) -> list[str]:
    """input_validator_flags of the innermost group of `case` that sets them."""
    flags: list[str] = []
    for group in case.groups:
        value = read_yaml(package.root / "data" / group / "testdata.yaml").get(
            "input_validator_flags"
        )
        if value is not None:
            flags = str(value).split()
    return flags


def input_validators(package: Package) -> Iterator[Path]:
    """The input validator scripts of `package`."""
    found = sorted((package.root / "input_validators").glob("*.py"))
    assert found, f"{package.root}: no input validator"
    yield from found


@pytest.mark.parametrize("name", PROBLEM_NAMES)
def test_package_layout(name: str) -> None:
    """problem.yaml, statement, tests, generators and submissions are all present."""
    package = load_package(name)
    root = package.root
    assert package.config.get("license") and package.config.get("rights_owner")
    if package.legacy:
        assert (root / "problem_statement" / "problem.en.tex").is_file()
    else:
        assert package.config["problem_format_version"] == "2023-07-draft"
        assert package.config.get("uuid") and package.config.get("name")
        assert (root / "statement" / "problem.en.md").is_file()
        assert float(str(package.limits["time_limit"])) > 0
    assert 1 <= len(package.samples) <= 3
    assert 6 <= len({c.input_path.name for c in package.secret_cases()}) <= 30
    assert (root / "generators" / "gen.py").is_file()
    assert (root / "generators" / "make_data.py").is_file()
    labels = {label for label in ("accepted",) + REJECT_LABELS if submissions(name, (label,))}
    assert {"accepted", "wrong_answer", "time_limit_exceeded"} <= labels
    if package.scoring:
        assert len(package.groups) >= 3 and "partially_accepted" in labels
        assert read_yaml(root / "data" / "testdata.yaml")["grader_flags"] == "ignore_sample"
        secret = read_yaml(root / "data" / "secret" / "testdata.yaml")
        assert secret["grader_flags"] == "first_error accept_if_any_accepted"
        assert secret["range"] == "0 100"
        assert sum(g.accept_score for g in package.groups) == 100
        for group in package.groups:
            settings = read_yaml(root / "data" / "secret" / group.name / "testdata.yaml")
            assert settings["grader_flags"] == "min" and settings["on_reject"] == "break"
            assert settings["range"] == f"0 {settings['accept_score']}"


def test_examples_fit_the_size_budget() -> None:
    """The whole examples folder stays small enough to ship inside the package."""
    total = sum(p.stat().st_size for p in EXAMPLES.rglob("*") if p.is_file())
    assert total < MAX_EXAMPLES_BYTES, f"examples take {total} bytes"


def test_examples_cover_every_feature() -> None:
    """At least one problem of each kind the design promises."""
    packages = [load_package(name) for name in PROBLEM_NAMES]
    assert len(packages) >= 5
    assert any(not p.legacy for p in packages)
    assert any(p.scoring for p in packages)
    assert any(float_tolerance(p) for p in packages)
    assert any(p.config.get("validation") == "custom" for p in packages)
    assert any((p.root / "include" / "cpp" / "grader.cpp").is_file() for p in packages)
    assert any(submissions(p.root.name, ("run_time_error",)) for p in packages)


@pytest.mark.parametrize("name", PROBLEM_NAMES)
def test_input_validators_accept_every_input(name: str) -> None:
    """Every .in passes the validator with its group's flags; broken inputs fail it."""
    package = load_package(name)
    for validator in input_validators(package):
        for case in package.samples + tuple(package.secret_cases()):
            done = subprocess.run(
                [sys.executable, str(validator), *validator_flags(package, case)],
                stdin=case.input_path.open("rb"),
                capture_output=True,
                timeout=30,
            )
            assert done.returncode == VALIDATOR_ACCEPT, f"{validator} rejects {case.input_path}"
        text = package.samples[0].input_path.read_text()
        for broken in ("", text + "7\n", text.rstrip("\n"), text.replace(" ", "  ", 1), "x" + text):
            done = subprocess.run(
                [sys.executable, str(validator)],
                input=broken.encode(),
                capture_output=True,
                timeout=30,
            )
            assert done.returncode == VALIDATOR_REJECT, f"{validator} accepts {broken[:40]!r}"


@pytest.mark.parametrize("name", [n for n in PROBLEM_NAMES if load_package(n).scoring])
def test_group_flags_are_checked(name: str) -> None:
    """Scoring groups' input_validator_flags really restrict: a group-4 input that
    uses the full range is rejected under some earlier group's flags."""
    package = load_package(name)
    last = package.groups[-1]
    rejected_somewhere = False
    for validator in input_validators(package):
        for case in last.cases:
            for group in package.groups[:-1]:
                flags = read_yaml(package.root / "data" / "secret" / group.name / "testdata.yaml")
                done = subprocess.run(
                    [sys.executable, str(validator), *str(flags["input_validator_flags"]).split()],
                    stdin=case.input_path.open("rb"),
                    capture_output=True,
                    timeout=30,
                )
                rejected_somewhere |= done.returncode == VALIDATOR_REJECT
    assert rejected_somewhere


@pytest.mark.parametrize(("name", "submission"), all_submissions(("accepted",)))
def test_accepted_reproduce_every_answer(
    name: str, submission: str, builder: Builder, tmp_path: Path
) -> None:
    """An accepted submission is AC on every sample and secret test within the limit."""
    package = load_package(name)
    judge = Judge(package, builder, tmp_path)
    command = builder.program(package, package.root / "submissions" / submission)
    for case in package.samples + tuple(package.secret_cases()):
        result = judge.run(command, case, timeout=10.0)
        assert result.verdict == "AC", f"{submission} on {case.input_path}: {result}"
        assert result.seconds < 1.0, f"{submission} on {case.input_path} took {result.seconds:.2f}s"


@pytest.mark.parametrize(("name", "submission"), all_submissions(REJECT_LABELS))
def test_rejected_submissions_earn_their_label(
    name: str,
    submission: str,
    builder: Builder,
    accepted_times: dict[str, float],
    tmp_path: Path,
) -> None:
    """Each non-accepted submission gets exactly the verdict of its folder."""
    package = load_package(name)
    label = submission.split("/")[0]
    judge = Judge(package, builder, tmp_path)
    command = builder.program(package, package.root / "submissions" / submission)
    slowest = accepted_times[name]
    limit = time_limit(package, slowest)
    if label != "partially_accepted":
        for case in package.samples:
            result = judge.run(command, case, timeout=limit)
            assert result.verdict == "AC", f"{submission} fails sample {case.name}: {result}"
    timeout = tle_bar(package, slowest) if label == "time_limit_exceeded" else limit
    grading = judge.grade(command, timeout)
    if label == "partially_accepted":
        assert 0 < grading.score < sum(g.accept_score for g in package.groups), grading
        return
    expected = {"wrong_answer": "WA", "time_limit_exceeded": "TLE", "run_time_error": "RTE"}[label]
    assert grading.first_error() == expected, grading
    if package.scoring:
        assert grading.score == 0, grading


@pytest.mark.parametrize("name", PROBLEM_NAMES)
def test_make_data_rebuilds_the_committed_tests(name: str, tmp_path: Path) -> None:
    """generators/make_data.py is deterministic and reproduces data/ byte for byte."""
    if shutil.which("g++") is None:
        pytest.skip("g++ is not installed")
    copy = tmp_path / name
    shutil.copytree(EXAMPLES / name, copy, ignore=shutil.ignore_patterns("data"))
    done = subprocess.run(
        [sys.executable, str(copy / "generators" / "make_data.py")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    original = EXAMPLES / name
    committed = sorted(
        p.relative_to(original) for p in (original / "data").rglob("*") if p.is_file()
    )
    rebuilt = sorted(p.relative_to(copy) for p in (copy / "data").rglob("*") if p.is_file())
    assert rebuilt == committed
    differing = [p for p in committed if not filecmp.cmp(original / p, copy / p, shallow=False)]
    assert not differing, f"make_data.py writes different {differing}"
