"""One table per fact: each test fails when a reader of a fact table disagrees
with the table (or two tables that must agree drift apart)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from judge import builds, labels, timelimit
from judge import compile as judge_compile
from judge.grading import grade
from judge.labels import FULL_SCORE_LABELS, LABEL_RULES, TIME_LIMIT_LABELS, label_agrees
from judge.languages import language_for_path, languages
from judge.verdicts import ProblemResult, Verdict
from problems.languages import HEADER_SUFFIXES, LANGUAGE_BY_EXTENSION
from problems.model import Scoring
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
        on_reject="continue",
        score_range=(0.0, 100.0),
        grader_flags=("first_error", "accept_if_any_accepted"),
    ),
)
_PROBLEM = synthetic_problem(Group("data", (_SECRET,), Scoring(on_reject="continue")))


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


def test_judge_and_problem_readers_agree_on_extensions() -> None:
    for key, language in languages().items():
        for extension in language.extensions:
            assert LANGUAGE_BY_EXTENSION.get(extension) == key, (key, extension)
    for extension, key in LANGUAGE_BY_EXTENSION.items():
        judged = language_for_path(Path(f"main{extension}"))
        if key in languages():
            assert judged is not None and judged.key == key, (extension, key)


def test_prompt_languages_can_be_extracted_normalised_and_judged() -> None:
    for key in prompts.LANGUAGE_TEMPLATES:
        assert key in languages(), key
        assert key in extract.LANGUAGE_ALIASES, key
        assert key in normalise.NORMALISERS, key
        fence = prompts.LANGUAGE_TEMPLATES[key].fence
        assert extract.language_of_info(fence) == key, (key, fence)


def test_judge_and_prompts_read_the_one_header_table() -> None:
    for module in (builds, judge_compile, material):
        assert module.HEADER_SUFFIXES is HEADER_SUFFIXES, module.__name__
    for suffix in HEADER_SUFFIXES:
        assert suffix not in LANGUAGE_BY_EXTENSION, suffix
        assert language_for_path(Path(f"grader{suffix}")) is None, suffix


def test_mutants_read_languages_as_the_other_tables_do() -> None:
    for suffix, key in mutants.SUFFIX_LANGUAGES.items():
        assert LANGUAGE_BY_EXTENSION[suffix] == key, suffix
    for name, key in mutants.LANGUAGE_NAMES.items():
        assert extract.language_of_info(name) == key, name
        assert key in prompts.LANGUAGE_TEMPLATES, key


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
