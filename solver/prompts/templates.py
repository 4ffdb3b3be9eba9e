"""Prompt templates: one per language a prompt can ask for (a registry of
`LanguageTemplate`s keyed by problems.languages keys, whose identity table gives
the name and fence), one set of instructions per grader kind (a registry keyed by
`GraderKind`), and `format_messages`, the pure function that writes the chat of
one prompt."""

from __future__ import annotations

from dataclasses import dataclass

from problems.languages import LANGUAGES
from problems.model import GraderKind, Limits, Problem
from solver.prompts.material import GraderFile, Sample


@dataclass(frozen=True)
class LanguageTemplate:
    """How to ask for a program in one language (its name and fence: LANGUAGES)."""

    program_form: str  # what a stand-alone answer is
    function_form: str  # what a function-call (grader) answer is


LANGUAGE_TEMPLATES: dict[str, LanguageTemplate] = {
    "cpp": LanguageTemplate(
        program_form="a complete C++17 program that reads standard input and writes "
        "standard output (with a `main` function)",
        function_form="C++17 code that implements the function(s) declared in the grader "
        "header; do not write a `main` function and do not read input or write output "
        "yourself - the grader does that",
    ),
    "python": LanguageTemplate(
        program_form="a complete Python 3 program that reads standard input and writes "
        "standard output",
        function_form="Python 3 code that implements the function(s) the grader calls; do "
        "not read input or write output yourself - the grader does that",
    ),
}


@dataclass(frozen=True)
class GraderInstructions:
    """What the answer must be for one way of running a candidate."""

    uses_function_form: bool
    extra: str


GRADER_INSTRUCTIONS: dict[GraderKind, GraderInstructions] = {
    GraderKind.NONE: GraderInstructions(uses_function_form=False, extra=""),
    GraderKind.LINKED: GraderInstructions(
        uses_function_form=True,
        extra="This is a function-call task: your code is compiled together with the "
        "grader below. Implement the function(s) only.",
    ),
    GraderKind.COMMUNICATION: GraderInstructions(
        uses_function_form=True,
        extra="This is a communication task: your code is linked with a stub that talks "
        "to the judge's manager process. Implement the function(s) only.",
    ),
    GraderKind.INTERACTIVE: GraderInstructions(
        uses_function_form=False,
        extra="This is an interactive problem: the judge answers what your program "
        "prints. Flush standard output after every line you write.",
    ),
}

SYSTEM_MESSAGE = (
    "You are an expert competitive programmer. You read a problem statement, think "
    "about a correct and efficient algorithm, and answer with code that passes all "
    "tests within the limits."
)


def supported_languages(problem: Problem) -> tuple[str, ...]:
    """Languages a prompt can be built for: all templates, narrowed to the grader's
    languages when the problem has a grader that names them."""
    if problem.grader.kind is GraderKind.NONE or not problem.grader.languages:
        return tuple(LANGUAGE_TEMPLATES)
    return tuple(lang for lang in LANGUAGE_TEMPLATES if lang in problem.grader.languages)


def _format_limits(limits: Limits) -> str:
    if limits.time_s is None:
        time = "not fixed by the package (set from the reference solutions' running time)"
    else:
        time = f"{limits.time_s:g} second" + ("" if limits.time_s == 1 else "s")
    memory = f"{limits.memory_bytes / (1024 * 1024):g} MiB"
    return f"Time limit: {time}\nMemory limit: {memory}"


def _format_samples(samples: tuple[Sample, ...]) -> str:
    parts = []
    for number, sample in enumerate(samples, start=1):
        block = f"Sample {number} input:\n```\n{sample.input.rstrip()}\n```"
        if sample.answer is not None:
            block += f"\nSample {number} output:\n```\n{sample.answer.rstrip()}\n```"
        parts.append(block)
    return "\n\n".join(parts)


def _format_grader_files(files: tuple[GraderFile, ...]) -> str:
    return "\n\n".join(f"Grader file `{f.name}`:\n```\n{f.content.rstrip()}\n```" for f in files)


def format_messages(
    *,
    title: str,
    statement: str,
    limits: Limits,
    samples: tuple[Sample, ...],
    language: str,
    grader_kind: GraderKind,
    grader_files: tuple[GraderFile, ...] = (),
) -> tuple[dict[str, str], ...]:
    """The chat (system + user message) for one prompt; pure, so it can be tested
    without files."""
    template = LANGUAGE_TEMPLATES[language]
    identity = LANGUAGES[language]
    instructions = GRADER_INSTRUCTIONS[grader_kind]
    form = template.function_form if instructions.uses_function_form else template.program_form
    sections = [f"# {title}", statement.strip(), "## Limits", _format_limits(limits)]
    if samples:
        sections += ["## Samples", _format_samples(samples)]
    if instructions.extra:
        sections += ["## Task type", instructions.extra]
    if grader_files:
        sections += ["## Grader", _format_grader_files(grader_files)]
    sections += [
        "## Answer format",
        f"Answer with a single ```{identity.fence} fenced block containing {form}. "
        f"Write {identity.name} only; anything outside the block is ignored.",
    ]
    user = "\n\n".join(sections) + "\n"
    return ({"role": "system", "content": SYSTEM_MESSAGE}, {"role": "user", "content": user})
