"""Tests of the Kattis package reader, on the real packages in ../shared/problems
(facts re-read from the files here, independently of the reader) and on small
packages built in tmp_path."""

from __future__ import annotations

import math
import os
import shutil
from pathlib import Path

import pytest
import yaml

from problems.kattis import load_kattis
from problems.load import find_problems, load_problem
from problems.model import CheckerKind, GraderKind, Problem, ProblemType
from problems.model import TestGroup as Group
from problems.testdata import max_group_score

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "problems"
MIB = 1024 * 1024


def _marker_dirs(marker: str) -> list[Path]:
    """Folders below SHARED holding `marker`, found by plain globbing."""
    if not SHARED.is_dir():
        return []
    return sorted(path.parent for path in SHARED.rglob(marker))


KATTIS_DIRS = _marker_dirs("problem.yaml")
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"{SHARED} is absent")


def _shared(relative: str) -> Path:
    path = SHARED / relative
    if not path.is_dir():
        pytest.skip(f"{path} is absent")
    return path.resolve()  # the reader resolves symlinks in the package root


def _groups(group: Group) -> dict[str, Group]:
    """Every group of a tree by name."""
    found = {group.name: group}
    for item in group.items:
        if isinstance(item, Group):
            found.update(_groups(item))
    return found


def _write(root: Path, files: dict[str, str]) -> Path:
    """Create `files` (relative path -> text) below root; returns root."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


# ---- the real packages ---------------------------------------------------------


@needs_shared
def test_find_problems_finds_every_package_under_shared() -> None:
    expected = sorted(_marker_dirs("problem.yaml") + _marker_dirs("problem.json"))
    assert find_problems(SHARED) == expected
    assert len(expected) == 19  # 4 kattis-examples + 4 ioi2024 + 11 Swedish olympiad


@pytest.mark.parametrize("root", KATTIS_DIRS, ids=lambda path: path.name)
def test_every_kattis_package_loads_with_its_tests(root: Path) -> None:
    problem = load_problem(root)
    config = yaml.safe_load((root / "problem.yaml").read_text())
    interactive = "interactive" in str(config.get("type", "")) + str(config.get("validation", ""))
    inputs = sorted(
        path
        for kind in ("sample", "secret")
        for path in (root / "data" / kind).rglob("*.in")
        if interactive or path.with_suffix(".ans").is_file()
    )
    expected_names = {path.relative_to(root / "data").with_suffix("").as_posix() for path in inputs}
    assert {case.name for case in problem.tests} == expected_names
    assert len(problem.tests) == len(inputs)
    assert sorted(problem.root_group.test_names()) == sorted(expected_names)
    for case in problem.tests:
        assert case.input_path.is_file()
        assert case.kind == case.name.split("/")[0]
    expected_type = (
        ProblemType.SCORING if "scoring" in str(config.get("type")) else ProblemType.PASS_FAIL
    )
    assert problem.type is expected_type
    assert problem.statement.strip() != ""


@pytest.mark.parametrize("root", KATTIS_DIRS, ids=lambda path: path.name)
def test_submission_labels_match_the_verdict_folders(root: Path) -> None:
    problem = load_kattis(root)
    expected: dict[str, int] = {}
    for verdict in (root / "submissions").iterdir():
        if verdict.is_dir():
            expected[verdict.name] = sum(
                1 for entry in verdict.iterdir() if not entry.name.startswith(".")
            )
    labels: dict[str, int] = {}
    for submission in problem.submissions:
        labels[submission.label] = labels.get(submission.label, 0) + 1
    assert labels == expected


@needs_shared
def test_tests_are_in_lexicographic_order() -> None:
    problem = load_kattis(_shared("kattis-examples/oddecho"))
    subtask2 = [name for name in problem.root_group.test_names() if "subtask2" in name]
    assert subtask2[:4] == [
        "secret/subtask2/01",
        "secret/subtask2/02",
        "secret/subtask2/03",
        "secret/subtask2/04",
    ]
    assert subtask2[-4:] == [
        "secret/subtask2/1",
        "secret/subtask2/10",
        "secret/subtask2/2",
        "secret/subtask2/3",
    ]


@needs_shared
def test_oddecho_groups_and_scores() -> None:
    root = _shared("kattis-examples/oddecho")
    problem = load_kattis(root)
    assert problem.format == "kattis-2023-07"
    assert problem.title == "Odd Echo"
    top = problem.root_group
    assert top.name == "data"
    assert [item.name for item in top.items if isinstance(item, Group)] == ["sample", "secret"]
    groups = _groups(top)
    secret = groups["secret"]
    assert [item.name for item in secret.items if isinstance(item, Group)] == [
        "secret/subtask1",
        "secret/subtask2",
    ]
    for name in ("subtask1", "subtask2"):
        settings = yaml.safe_load((root / "data/secret" / name / "testdata.yaml").read_text())
        group = groups[f"secret/{name}"]
        assert group.scoring.accept_score == settings["accept_score"]
        assert group.scoring.grader_flags == tuple(settings["grader_flags"].split())
        assert group.scoring.on_reject == settings["on_reject"]
        assert group.scoring.input_validator_flags == (settings["input_validator_flags"],)
        assert len(group.items) == len(list((root / "data/secret" / name).glob("*.in")))
    root_settings = yaml.safe_load((root / "data/testdata.yaml").read_text())
    assert top.scoring.grader_flags == (root_settings["grader_flags"],)
    assert top.scoring.score_range == tuple(float(x) for x in root_settings["range"].split())
    assert groups["sample"].scoring.accept_score == 0
    assert problem.max_score == 100.0
    assert problem.checker.kind is CheckerKind.TOKENS
    assert problem.input_validators == (root / "input_validators" / "validator",)


@needs_shared
def test_swedish_problem_groups_points_and_expected_scores() -> None:
    root = _shared("swedish-olympiad-2025/skol/theodortrollkarlen")
    problem = load_kattis(root)
    assert problem.format == "kattis-legacy"
    assert problem.type is ProblemType.SCORING
    groups = _groups(problem.root_group)
    folders = sorted(path.name for path in (root / "data/secret").iterdir() if path.is_dir())
    assert sorted(name for name in groups if name.startswith("secret/")) == [
        f"secret/{folder}" for folder in folders
    ]
    points = []
    for folder in folders:
        settings = yaml.safe_load((root / "data/secret" / folder / "testdata.yaml").read_text())
        assert groups[f"secret/{folder}"].scoring.accept_score == settings["accept_score"]
        assert max_group_score(groups[f"secret/{folder}"]) == settings["accept_score"]
        points.append(float(settings["accept_score"]))
    assert problem.max_score == sum(points) == 100.0
    # "@EXPECTED_GRADES@ AC AC AC AC TLE TLE": groups 1-4 accepted.
    source = root / "submissions/partially_accepted/joshua_nk.cpp"
    assert "@EXPECTED_GRADES@ AC AC AC AC TLE TLE" in source.read_text().splitlines()[0]
    by_name = {submission.name: submission for submission in problem.submissions}
    assert by_name["partially_accepted/joshua_nk.cpp"].expected_score == sum(points[:4])
    assert by_name["accepted/olle.cpp"].expected_score is None
    assert by_name["accepted/nils.py"].language == "python"
    generators = {path.name for path in problem.generators}
    assert {"generator.sh", "gen_rand.py", "gen_print.py"} <= generators
    assert problem.title == "Theodor the Wizard"


@needs_shared
def test_different_has_custom_validator_and_all_languages() -> None:
    root = _shared("kattis-examples/different")
    problem = load_kattis(root)
    validator = root / "output_validators/different_validator"
    assert problem.checker.kind is CheckerKind.KATTIS_VALIDATOR
    assert problem.checker.sources == (validator / "validate.cc",)
    assert (validator / "validate.h").is_file()  # found next to the main file
    assert problem.limits.time_s is None
    assert problem.limits.memory_bytes == 1024 * MIB
    assert problem.type is ProblemType.PASS_FAIL and problem.max_score == 1.0
    by_name = {submission.name: submission for submission in problem.submissions}
    assert by_name["accepted/different_py2.py"].language == "python2"
    assert by_name["accepted/different_py3.py"].language == "python"
    assert by_name["accepted/different.cc"].language == "cpp"
    assert by_name["accepted/Different.java"].language == "java"
    prolog = by_name["accepted/prolog"]
    assert prolog.language == "prolog"
    assert {path.name for path in prolog.paths} == {"different.pl", "kattio.pl"}
    assert by_name["time_limit_exceeded/different_linear_search.cc"].label == "time_limit_exceeded"
    assert {path.name for path in problem.input_validators} == {"different.ctd", "validate.py"}


@needs_shared
def test_guess_is_interactive_and_skips_interaction_samples() -> None:
    root = _shared("kattis-examples/guess")
    problem = load_kattis(root)
    assert problem.grader.kind is GraderKind.INTERACTIVE
    assert problem.checker.kind is CheckerKind.KATTIS_VALIDATOR
    assert problem.checker.sources[0].name == "validate.cc"
    assert list((root / "data/sample").glob("*.interaction"))
    assert [case for case in problem.tests if case.kind == "sample"] == []
    assert len(problem.tests) == len(list((root / "data/secret").glob("*.in")))
    assert problem.title == "Guess the Number"
    assert problem.limits.memory_bytes == 2048 * MIB


@needs_shared
def test_hello_limits_and_english_statement() -> None:
    problem = load_kattis(_shared("kattis-examples/hello"))
    assert problem.limits.memory_bytes == 512 * MIB
    assert problem.title == "Hello World!"
    assert "\\problemname" in problem.statement
    assert [case.name for case in problem.tests] == ["secret/hello"]


@needs_shared
def test_karleksbrev_links_the_cpp_include_grader() -> None:
    root = _shared("swedish-olympiad-2025/online/karleksbrev")
    problem = load_kattis(root)
    assert problem.grader.kind is GraderKind.LINKED
    assert problem.grader.sources == (root / "include/cpp/runner.cpp",)
    assert problem.grader.include_dirs == (root / "include/cpp",)
    assert problem.grader.languages == ("cpp", "java", "python", "rust")
    java = problem.grader.include_for("java")
    assert java is not None and root / "include/java/unsigned/UnsignedLong.java" in java.files
    assert problem.checker.kind is CheckerKind.KATTIS_VALIDATOR
    assert problem.checker.sources == (root / "output_validators/validator/validate.cpp",)
    assert problem.limits.time_multiplier == 1.5
    assert not any(case.kind == "sample" for case in problem.tests)
    labels = {submission.label for submission in problem.submissions}
    assert labels == {path.name for path in (root / "submissions").iterdir() if path.is_dir()}
    assert (root / "submissions/generate_secret.cpp").is_file()
    assert not any(s.paths[0].name == "generate_secret.cpp" for s in problem.submissions)


# ---- small packages built here -------------------------------------------------


def test_symlinked_tests_resolve_and_keep_the_link_name(tmp_path: Path) -> None:
    root = _write(
        tmp_path / "echo",
        {
            "problem.yaml": "name: Echo\ntype: scoring\n",
            "data/secret/g1/a.in": "1\n",
            "data/secret/g1/a.ans": "1\n",
            "data/secret/g1/testdata.yaml": "accept_score: 30\ngrader_flags: min\n",
            "data/secret/g2/testdata.yaml": "accept_score: 70\ngrader_flags: min\n",
        },
    )
    g2 = root / "data/secret/g2"
    os.symlink("../g1/a.in", g2 / "a.in")
    os.symlink("../g1/a.ans", g2 / "a.ans")
    problem = load_kattis(root)
    linked = problem.test("secret/g2/a")
    assert linked.input_path == (root / "data/secret/g1/a.in").resolve()
    assert linked.answer_path == (root / "data/secret/g1/a.ans").resolve()
    assert [case.name for case in problem.tests] == ["secret/g1/a", "secret/g2/a"]
    assert problem.max_score == 100.0  # no range: sum of the groups' accept scores


def test_symlinked_group_folder_is_followed(tmp_path: Path) -> None:
    root = _write(
        tmp_path / "p",
        {"problem.yaml": "name: P\n", "data/secret/g1/a.in": "1\n", "data/secret/g1/a.ans": "1\n"},
    )
    os.symlink("g1", root / "data/secret/g2")
    problem = load_kattis(root)
    assert [case.name for case in problem.tests] == ["secret/g1/a", "secret/g2/a"]


def test_testdata_settings_inherit_key_by_key(tmp_path: Path) -> None:
    root = _write(
        tmp_path / "p",
        {
            "problem.yaml": "type: scoring\nname: P\n",
            "data/testdata.yaml": (
                "on_reject: continue\naccept_score: 5\n"
                "output_validator_flags: case_sensitive float_tolerance 1\n"
            ),
            "data/secret/testdata.yaml": "accept_score: 7\n",
            "data/secret/deep/deeper/x.in": "",
            "data/secret/deep/deeper/x.ans": "",
            "data/secret/deep/deeper/testdata.yaml": "range: 0 +inf\n",
            "data/secret/.scratch/y.in": "",  # hidden: not a test (and has no answer)
            "data/secret/deep/.z.in": "",
        },
    )
    groups = _groups(load_kattis(root).root_group)
    deeper = groups["secret/deep/deeper"].scoring
    assert deeper.accept_score == 7.0  # from secret/
    assert deeper.on_reject == "continue"  # from data/
    assert deeper.output_validator_flags == ("case_sensitive", "float_tolerance", "1")
    assert deeper.score_range == (0.0, math.inf)
    assert groups["secret/deep"].scoring.score_range is None
    assert max_group_score(groups["secret/deep/deeper"]) == 7.0


def test_legacy_defaults_and_2023_07_time_limit(tmp_path: Path) -> None:
    legacy = load_kattis(
        _write(
            tmp_path / "a",
            {"problem.yaml": "name: A\n", "data/secret/1.in": "", "data/secret/1.ans": ""},
        )
    )
    assert legacy.limits.time_s is None
    assert legacy.limits.time_multiplier == 2.0
    assert legacy.limits.output_bytes == 8 * MIB
    draft = load_kattis(
        _write(
            tmp_path / "b",
            {
                "problem.yaml": (
                    "problem_format_version: 2023-07-draft\nname: {sv: Bee, en: B}\n"
                    "limits:\n  time_limit: 2.5\n  memory: 256\n"
                    "  time_multipliers: {ac_to_time_limit: 3, time_limit_to_tle: 2}\n"
                ),
                "data/secret/1.in": "",
                "data/secret/1.ans": "",
                "statement/problem.sv.md": "# Svensk\n",
                "statement/problem.en.md": "# English title\n",
            },
        )
    )
    assert draft.limits.time_s == 2.5
    assert draft.limits.memory_bytes == 256 * MIB
    assert draft.limits.time_multiplier == 3.0
    assert draft.title == "B"
    assert draft.statement == "# English title\n"


def test_title_falls_back_to_problemname_and_validator_flags(tmp_path: Path) -> None:
    root = _write(
        tmp_path / "floaty",
        {
            "problem.yaml": "validator_flags: float_tolerance 1e-6\n",
            "data/sample/1.in": "",
            "data/sample/1.ans": "",
            "problem_statement/problem.tex": "\\problemname{Floating {\\em Point}}\nBody\n",
        },
    )
    problem = load_kattis(root)
    assert problem.title == "Floating {\\em Point}"
    assert problem.checker == problem.checker.__class__(
        kind=CheckerKind.TOKENS, flags=("float_tolerance", "1e-6")
    )
    assert problem.name == "floaty"


def test_find_problems_on_a_package_and_a_tree(tmp_path: Path) -> None:
    one = _write(tmp_path / "set/a", {"problem.yaml": "name: A\n"})
    two = _write(tmp_path / "set/deep/b", {"problem.json": "{}"})
    _write(tmp_path / "set/.hidden/c", {"problem.yaml": "name: C\n"})
    _write(tmp_path / "set/a/data/inner", {"problem.yaml": "name: not searched\n"})
    assert find_problems(tmp_path / "set") == [one, two]
    assert find_problems(one) == [one]
    assert find_problems(tmp_path / "set" / "deep" / "b") == [two]


def test_load_problem_dispatches_on_the_marker_file(tmp_path: Path) -> None:
    root = _write(
        tmp_path / "p",
        {"problem.yaml": "name: P\n", "data/secret/1.in": "", "data/secret/1.ans": ""},
    )
    problem: Problem = load_problem(str(root))
    assert problem.format == "kattis-legacy"
    assert problem.root == root.resolve()


def test_max_score_prefers_a_finite_range_and_ignores_samples(tmp_path: Path) -> None:
    root = _write(
        tmp_path / "p",
        {
            "problem.yaml": "type: scoring\nname: P\n",
            "data/testdata.yaml": "grader_flags: ignore_sample\n",
            "data/sample/1.in": "",
            "data/sample/1.ans": "",
            "data/secret/g1/testdata.yaml": "accept_score: 10\ngrader_flags: min\nrange: 0 6\n",
            "data/secret/g1/1.in": "",
            "data/secret/g1/1.ans": "",
            "data/secret/g2/testdata.yaml": "accept_score: 3\n",
            "data/secret/g2/1.in": "",
            "data/secret/g2/1.ans": "",
            "data/secret/g2/2.in": "",
            "data/secret/g2/2.ans": "",
        },
    )
    assert load_kattis(root).max_score == 6.0 + 2 * 3.0


def test_python_versions_from_shebang_and_print_statement(tmp_path: Path) -> None:
    root = _write(
        tmp_path / "p",
        {
            "problem.yaml": "name: P\n",
            "data/secret/1.in": "",
            "data/secret/1.ans": "",
            "submissions/accepted/shebang2.py": "#!/usr/bin/env python2\nprint(1)\n",
            "submissions/accepted/statement2.py": "import sys\nprint sys.argv\n",
            "submissions/accepted/three.py": "#!/usr/bin/env python3\nprint (1)\nprint\n",
            "submissions/wrong_answer/weird.xyz": "?",
            "submissions/loose.cpp": "int main() {}\n",
        },
    )
    languages = {s.name: s.language for s in load_kattis(root).submissions}
    assert languages == {
        "accepted/shebang2.py": "python2",
        "accepted/statement2.py": "python2",
        "accepted/three.py": "python",
        "wrong_answer/weird.xyz": None,
    }


def test_bytecode_caches_and_hidden_names_add_nothing_to_a_package(tmp_path: Path) -> None:
    """Importing a package's Python files leaves __pycache__ folders beside them;
    they (and hidden names) must not become submissions, tests or programs."""
    source = Path(__file__).resolve().parents[1] / "problems" / "examples" / "pairsum"
    clean = tmp_path / "clean" / "pairsum"
    dirty = tmp_path / "dirty" / "pairsum"
    shutil.copytree(source, clean, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(clean, dirty)
    for folder in [p for p in dirty.rglob("*") if p.is_dir()] + [dirty]:
        cache = folder / "__pycache__"
        cache.mkdir()
        (cache / "solution.cpython-311.pyc").write_bytes(b"\x00bytecode")
        (folder / ".hidden.py").write_text("print(1)\n")
    before, after = load_problem(clean), load_problem(dirty)
    assert [(s.name, s.label, len(s.paths)) for s in before.submissions] == [
        (s.name, s.label, len(s.paths)) for s in after.submissions
    ]
    assert [t.name for t in before.tests] == [t.name for t in after.tests]
    assert len(after.submissions) > 0 and len(after.tests) > 0
