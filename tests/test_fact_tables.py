"""One table per fact: each test fails when a reader of a fact table disagrees
with the table (or two tables that must agree drift apart)."""

from __future__ import annotations

import argparse
import ast
from importlib import resources
from pathlib import Path

import pytest
import yaml

from judge import builds, labels, timelimit
from judge import compile as judge_compile
from judge.grading import grade
from judge.labels import FULL_SCORE_LABELS, LABEL_RULES, TIME_LIMIT_LABELS, label_agrees
from judge.languages import YAML_FIELDS, language_for_path, languages, read_languages
from judge.verdicts import ProblemResult, Verdict
from problems import kattis
from problems.languages import (
    HEADER_SUFFIXES,
    LANGUAGE_BY_EXTENSION,
    LANGUAGE_BY_NAME,
    LANGUAGES,
    language_named,
    language_of_suffix,
)
from problems.model import GraderKind, Limits, OnReject, Scoring
from problems.model import TestGroup as Group
from solver.cli import build_parser
from solver.code import extract, normalise
from solver.prompts import material
from solver.prompts import templates as prompts
from solver.sampling import hf_engine, llamacpp_engine, mutants, openai_engine, seeds, vllm_engine
from tests.test_grading import results_for, synthetic_problem

# -- labels ------------------------------------------------------------------------------

_SECRET = Group(
    "secret",
    (
        Group(
            "secret/g1",
            ("a", "b"),
            Scoring(accept_score=40.0, score_range=(0.0, 40.0), grader_flags=("min",)),
        ),
        Group(
            "secret/g2",
            ("c", "d"),
            Scoring(accept_score=60.0, score_range=(0.0, 60.0), grader_flags=("min",)),
        ),
    ),
    Scoring(
        on_reject=OnReject.CONTINUE,
        score_range=(0.0, 100.0),
        grader_flags=("first_error", "accept_if_any_accepted"),
    ),
)
_PROBLEM = synthetic_problem(Group("data", (_SECRET,), Scoring(on_reject=OnReject.CONTINUE)))


def _result(verdicts: dict[str, Verdict]) -> ProblemResult:
    return grade(_PROBLEM, results_for(_PROBLEM, verdicts, Verdict.AC))


FULL = _result({})
NOT_FULL = [
    _result({"a": Verdict.WA, "c": Verdict.WA}),
    _result({"a": Verdict.TLE, "c": Verdict.TLE}),
    _result({"a": Verdict.RE, "c": Verdict.RE}),
    _result({"a": Verdict.WA}),  # a partial score
]


def test_readers_use_the_labels_table() -> None:
    assert mutants.FULL_SCORE_LABELS is labels.FULL_SCORE_LABELS
    assert timelimit.TIME_LIMIT_LABELS is labels.TIME_LIMIT_LABELS
    for module in (mutants, timelimit):
        assert not hasattr(module, "ACCEPTED_LABELS"), f"{module.__name__} keeps its own table"


def test_time_limit_labels_promise_the_full_score() -> None:
    assert TIME_LIMIT_LABELS <= FULL_SCORE_LABELS


@pytest.mark.parametrize("label", sorted(LABEL_RULES))
def test_full_score_labels_are_exactly_those_only_a_full_score_earns(label: str) -> None:
    assert FULL.full_score and not any(result.full_score for result in NOT_FULL)
    agrees_with_less = any(label_agrees(label, r, _PROBLEM)[0] for r in NOT_FULL)
    if label in FULL_SCORE_LABELS:
        assert label_agrees(label, FULL, _PROBLEM)[0]
        assert not agrees_with_less
    else:
        assert agrees_with_less


# -- languages ---------------------------------------------------------------------------
# problems/languages.py LANGUAGES is the one identity table; every other reader names
# its keys and reads extensions, aliases, names and families from it.

ROOT = Path(__file__).resolve().parents[1]
IDENTITY_FILE = ROOT / "problems" / "languages.py"


def test_identity_table_is_one_to_one() -> None:
    for key, row in LANGUAGES.items():
        assert row.key == key, key
        assert row.family in LANGUAGES, (key, row.family)
        assert LANGUAGES[row.family].family == row.family, f"{key}: a family is its own"
        assert all(alias == alias.lower() for alias in row.aliases), key
        assert row.name, key
    extensions = [ext for row in LANGUAGES.values() for ext in row.extensions]
    assert len(extensions) == len(set(extensions)) == len(LANGUAGE_BY_EXTENSION)
    names = [name for row in LANGUAGES.values() for name in (row.key, *row.aliases)]
    assert len(names) == len(set(names)) == len(LANGUAGE_BY_NAME), "an alias names two"
    for name, key in LANGUAGE_BY_NAME.items():
        assert language_named(name) == language_named(name.upper()) == key, name
    for extension, key in LANGUAGE_BY_EXTENSION.items():
        assert language_of_suffix(extension) == key, extension
    assert not set(HEADER_SUFFIXES) & set(LANGUAGE_BY_EXTENSION)


def test_judge_yaml_adds_only_how_to_compile_and_run() -> None:
    raw = yaml.safe_load(resources.files("judge").joinpath("languages.yaml").read_text())
    for key, entry in raw.items():
        assert key in LANGUAGES, f"languages.yaml: {key} has no identity row"
        assert set(entry) <= YAML_FIELDS, (key, set(entry) - YAML_FIELDS)
    for key, language in languages().items():
        assert language.identity is LANGUAGES[key], key
        assert language.family in languages(), f"{key}: the judge cannot run its family"
        if language.stands_for:
            assert language.stands_for in languages(), key
    for extension, key in LANGUAGE_BY_EXTENSION.items():
        judged = language_for_path(Path(f"main{extension}"))
        assert (judged.key if judged else None) == (key if key in languages() else None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("cobol: {main: m, run: [x], artifact: m}\n", "'cobol' has no row"),
        ("cpp: {extensions: [.cpp], main: m, run: [x], artifact: m}\n", "extensions"),
        ("cpp: {name: C, main: m, run: [x], artifact: m}\n", "name"),
    ],
)
def test_judge_yaml_disagreeing_with_the_identity_table_fails_naming_the_file(
    text: str, message: str
) -> None:
    with pytest.raises(ValueError, match="custom/languages.yaml") as error:
        read_languages(text, "custom/languages.yaml")
    assert message in str(error.value)


def test_every_fence_alias_is_extracted_as_its_language() -> None:
    assert not hasattr(extract, "LANGUAGE_ALIASES"), "extract keeps its own alias table"
    for name, key in LANGUAGE_BY_NAME.items():
        text = f"```{name}\nfirst\n```\n```\nlast\n```\n"
        assert extract.extract_code(text, key) == "first\n", name


def test_prompt_languages_can_be_extracted_normalised_mutated_and_judged() -> None:
    for key in prompts.LANGUAGE_TEMPLATES:
        assert key in LANGUAGES and key in languages(), key
        assert key in normalise.NORMALISERS, key
        assert language_named(LANGUAGES[key].fence) == key, key
        messages = prompts.format_messages(
            title="t",
            statement="s",
            limits=Limits(time_s=1.0),
            samples=(),
            language=key,
            grader_kind=GraderKind.NONE,
        )
        assert f"```{LANGUAGES[key].fence} " in messages[-1]["content"], key
        assert f"Write {LANGUAGES[key].name} only" in messages[-1]["content"], key
    assert set(mutants.MUTATORS) <= set(prompts.LANGUAGE_TEMPLATES)


def test_judge_and_prompts_read_the_one_header_table() -> None:
    for module in (builds, judge_compile, material):
        assert module.HEADER_SUFFIXES is HEADER_SUFFIXES, module.__name__
    for suffix in HEADER_SUFFIXES:
        assert suffix not in LANGUAGE_BY_EXTENSION, suffix
        assert language_for_path(Path(f"grader{suffix}")) is None, suffix


def test_mutants_read_languages_as_the_other_tables_do() -> None:
    for name in ("SUFFIX_LANGUAGES", "LANGUAGE_NAMES"):
        assert not hasattr(mutants, name), f"mutants keeps its own {name}"
    for extension, key in LANGUAGE_BY_EXTENSION.items():
        expected = key if key in mutants.MUTATORS else None
        assert mutants.submission_language(None, extension) == expected, extension
    for key in LANGUAGES:
        expected = key if key in mutants.MUTATORS else None
        assert mutants.submission_language(key, ".txt") == expected, key
    for key in mutants.MUTATORS:
        block = mutants.fenced("x\n", key)
        assert extract.extract_code(block, key) == "x\n", key


def test_kattis_include_folders_are_named_by_the_identity_table() -> None:
    assert not hasattr(kattis, "INCLUDE_LANGUAGE_BY_FOLDER")
    problemtools_folders = {"cpp": "cpp", "c++": "cpp", "python3": "python", "java": "java"}
    for folder, key in problemtools_folders.items():
        assert language_named(folder) == key, folder


def _language_tables(path: Path) -> list[int]:
    """Lines in `path` of a copy of the identity table: a dict mapping two or more
    extensions or aliases to language keys, or a set, list or tuple of two or more
    extensions or aliases of one language."""
    by_word = {**LANGUAGE_BY_EXTENSION, **{n: k for n, k in LANGUAGE_BY_NAME.items() if n != k}}
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Dict):
            pairs = zip(node.keys, node.values, strict=True)
            mapped = [
                (k.value, v.value)
                for k, v in pairs
                if isinstance(k, ast.Constant) and isinstance(v, ast.Constant)
            ]
            if sum(word in by_word and key in LANGUAGES for word, key in mapped) >= 2:
                found.append(node.lineno)
        elif isinstance(node, ast.Set | ast.List | ast.Tuple):
            words = [e.value for e in node.elts if isinstance(e, ast.Constant)]
            languages_named = [by_word[w] for w in words if isinstance(w, str) and w in by_word]
            if any(languages_named.count(key) >= 2 for key in languages_named):
                found.append(node.lineno)
    return found


def _prefix_tests(path: Path) -> list[int]:
    """Lines that tell a language by a prefix of its key (`x.startswith("cpp")`)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "startswith"
        ):
            words = [
                c.value
                for arg in node.args
                for c in ast.walk(arg)
                if isinstance(c, ast.Constant) and isinstance(c.value, str)
            ]
            if any(word in LANGUAGES for word in words):
                found.append(node.lineno)
    return found


def test_no_module_keeps_a_copy_of_the_identity_table() -> None:
    copies, prefixes = {}, {}
    for package in ("problems", "judge", "solver"):
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if path != IDENTITY_FILE and (lines := _language_tables(path)):
                copies[name] = lines
            if lines := _prefix_tests(path):
                prefixes[name] = lines
    assert not copies, f"language tables outside problems/languages.py: {copies}"
    assert not prefixes, f"languages told by a key prefix, not the family: {prefixes}"


def test_the_copy_detectors_find_copies(tmp_path: Path) -> None:
    copy = tmp_path / "copy.py"
    copy.write_text(
        'A = {".cc": "cpp", ".py": "python"}\nB = ("c++", "cc")\nC = (".py", ".c", ".h")\n'
    )
    assert _language_tables(copy) == [1, 2], "C names three languages: no copy"
    prefix = tmp_path / "prefix.py"
    prefix.write_text('def f(k):\n    return k.startswith(("cpp", "x"))\n')
    assert _prefix_tests(prefix) == [2]


# -- seeds -------------------------------------------------------------------------------


def test_every_engine_reads_the_one_seed_derivation() -> None:
    for module in (hf_engine, openai_engine, vllm_engine, llamacpp_engine):
        assert module.derive_seed is seeds.derive_seed, module.__name__


def _language_choices(parser: argparse.ArgumentParser) -> dict[str, tuple[str, ...]]:
    """Command -> the choices of its --language option (commands that have one)."""
    found = {}
    for action in parser._subparsers._group_actions if parser._subparsers else ():
        for command, sub in getattr(action, "choices", {}).items():
            for option in sub._actions:
                if "--language" in option.option_strings and option.choices is not None:
                    found[command] = tuple(option.choices)
    return found


def test_cli_offers_the_prompt_languages() -> None:
    choices = _language_choices(build_parser())
    assert choices, "no command has a --language option"
    for command, offered in choices.items():
        assert sorted(offered) == sorted(prompts.LANGUAGE_TEMPLATES), command
        assert set(offered) <= set(LANGUAGES), command
