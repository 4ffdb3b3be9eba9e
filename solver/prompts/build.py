"""Building the prompts of a problem: the templates filled with the package's
material, one prompt per language, or with `per_subtask` one per subtask as o1-ioi
did (the statement with the other subtasks' constraint sections removed; the
surgery lives with the statement: `problems.subtask_statement`)."""

from __future__ import annotations

from problems.model import Problem
from problems.subtask_statement import statement_for_subtask
from solver.prompts.material import load_grader_files, load_samples, subtasks_of
from solver.prompts.templates import (
    GRADER_INSTRUCTIONS,
    LANGUAGE_TEMPLATES,
    format_messages,
    supported_languages,
)
from solver.sampling.engine import Prompt


def build_prompts(problem: Problem, language: str, per_subtask: bool) -> list[Prompt]:
    """The prompts for `problem` in `language`: one, or with `per_subtask` one per
    subtask (`subtasks_of`) whose statement targets that subtask. A problem without
    subtasks gets one prompt either way. Raises ValueError for a language with no
    template or one the problem's grader does not support."""
    if language not in LANGUAGE_TEMPLATES:
        raise ValueError(f"no prompt template for language {language!r}")
    if language not in supported_languages(problem):
        raise ValueError(
            f"{problem.name}: grader supports {problem.grader.languages}, not {language!r}"
        )
    samples = load_samples(problem)
    function_form = GRADER_INSTRUCTIONS[problem.grader.kind].uses_function_form
    grader_files = load_grader_files(problem) if function_form else ()
    template_name = f"{language}-{problem.grader.kind.value}"

    def prompt(statement: str, subtask: str | None) -> Prompt:
        messages = format_messages(
            title=problem.title,
            statement=statement,
            limits=problem.limits,
            samples=samples,
            language=language,
            grader_kind=problem.grader.kind,
            grader_files=grader_files,
        )
        return Prompt(messages=messages, language=language, subtask=subtask, template=template_name)

    subtasks = subtasks_of(problem) if per_subtask else []
    if not subtasks:
        return [prompt(problem.statement, None)]
    names = [s.name for s in subtasks]
    return [
        prompt(statement_for_subtask(problem.statement, i, names, points=s.points), s.name)
        for i, s in enumerate(subtasks)
    ]
