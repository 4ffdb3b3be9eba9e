"""The mutants engine on the project's own example problems: every accepted
reference solution yields at least 500 distinct candidates from one call."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from problems.load import find_problems, load_problem
from solver.code.extract import extract_code
from solver.code.normalise import source_hash
from solver.prompts.build import build_prompts
from solver.sampling.engine import SamplingParams
from solver.sampling.mutants import MutantsEngine

EXAMPLES = Path(__file__).resolve().parents[1] / "problems" / "examples"
LANGUAGES = {".cpp": "cpp", ".py": "python"}
REFERENCES = [
    (package.name, submission.name)
    for package in find_problems(EXAMPLES)
    for submission in load_problem(package).submissions
    if submission.label == "accepted" and submission.paths[0].suffix in LANGUAGES
]


@pytest.mark.slow
@pytest.mark.parametrize(("problem_name", "submission_name"), REFERENCES)
def test_each_reference_solution_gives_500_distinct_mutants(
    problem_name: str, submission_name: str
) -> None:
    problem = load_problem(EXAMPLES / problem_name)
    [submission] = [s for s in problem.submissions if s.name == submission_name]
    language = LANGUAGES[submission.paths[0].suffix]
    engine = MutantsEngine(dataclasses.replace(problem, submissions=(submission,)), (language,))
    prompt = build_prompts(problem, language, per_subtask=False)[0]
    [completions] = engine.generate([prompt], SamplingParams(n=520, seed=3))
    hashes = set()
    for completion in completions:
        code = extract_code(completion.text, language)
        assert code is not None
        hashes.add(source_hash(code, language))
    original = submission.paths[0].read_text()
    assert source_hash(original, language) not in hashes
    assert len(hashes) >= 500, f"{problem_name}/{submission_name}: {len(hashes)} distinct"
