"""Prompt templates: turn a Problem into chat prompts asking for a program.

One template per language (a registry of `LanguageTemplate`s) and one set of
instructions per grader kind (a registry keyed by `GraderKind`). Reading the
sample tests and grader headers from disk (`load_samples`, `load_grader_files`) is
the only I/O; `format_messages` is pure.

IOI-style problems get one prompt per subtask, as o1-ioi did: the statement with
the other subtasks' constraint sections removed (the surgery lives with the
statement: `problems.subtask_statement.statement_for_subtask`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from problems.model import GraderKind, Limits, Problem, ProblemType, TestGroup
from problems.subtask_statement import last_component, statement_for_subtask
from solver.sampling.engine import Prompt

MAX_SAMPLE_CHARS = 2000
HEADER_SUFFIXES = (".h", ".hpp", ".hh", ".hxx")


@dataclass(frozen=True)
class LanguageTemplate:
    """How to ask for a program in one language."""

    name: str  # shown to the model, e.g. "C++17"
    fence: str  # the fence info string the answer must use
    program_form: str  # what a stand-alone answer is
    function_form: str  # what a function-call (grader) answer is


LANGUAGE_TEMPLATES: dict[str, LanguageTemplate] = {
    "cpp": LanguageTemplate(
        name="C++17",
        fence="cpp",
        program_form="a complete C++17 program that reads standard input and writes "
        "standard output (with a `main` function)",
        function_form="C++17 code that implements the function(s) declared in the grader "
        "header; do not write a `main` function and do not read input or write output "
        "yourself - the grader does that",
    ),
    "python": LanguageTemplate(
        name="Python 3",
        fence="python",
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


@dataclass(frozen=True)
class Sample:
    """One sample test as text (answer None when the package has no answer file)."""

    name: str
    input: str
    answer: str | None


@dataclass(frozen=True)
class GraderFile:
    """A grader header shown to the model: its file name and content."""

    name: str
    content: str


@dataclass(frozen=True)
class Subtask:
    """A scored part of an IOI-style problem: its test-group name and points."""

    name: str
    points: float | None


def supported_languages(problem: Problem) -> tuple[str, ...]:
    """Languages a prompt can be built for: all templates, narrowed to the grader's
    languages when the problem has a grader that names them."""
    if problem.grader.kind is GraderKind.NONE or not problem.grader.languages:
        return tuple(LANGUAGE_TEMPLATES)
    return tuple(lang for lang in LANGUAGE_TEMPLATES if lang in problem.grader.languages)


def _read_text(path: Path, limit: int) -> str:
    """The first `limit` characters of a text file, marked when cut."""
    with path.open(encoding="utf-8", errors="replace") as handle:
        text = handle.read(limit + 1)
    if len(text) > limit:
        return text[:limit] + "\n... (truncated)\n"
    return text


def load_samples(problem: Problem, max_chars: int = MAX_SAMPLE_CHARS) -> tuple[Sample, ...]:
    """Read the problem's sample tests (kind "sample") from disk, each file cut to
    `max_chars` characters so that a huge sample cannot swamp the prompt."""
    samples = []
    for case in problem.tests:
        if case.kind != "sample":
            continue
        answer = None if case.answer_path is None else _read_text(case.answer_path, max_chars)
        samples.append(Sample(case.name, _read_text(case.input_path, max_chars), answer))
    return tuple(samples)


def load_grader_files(problem: Problem) -> tuple[GraderFile, ...]:
    """The grader headers to show for a function-call task: header files among the
    grader sources and in its include directories, sorted by name per directory."""
    grader = problem.grader
    if not GRADER_INSTRUCTIONS[grader.kind].uses_function_form:
        return ()
    paths = [p for p in grader.sources if p.suffix in HEADER_SUFFIXES]
    for directory in grader.include_dirs:
        if directory.is_dir():
            paths.extend(sorted(p for p in directory.iterdir() if p.suffix in HEADER_SUFFIXES))
    unique = list(dict.fromkeys(paths))
    return tuple(
        GraderFile(p.name, p.read_text(encoding="utf-8", errors="replace")) for p in unique
    )


def _all_groups(group: TestGroup) -> list[TestGroup]:
    """`group` and every group below it, depth first."""
    found = [group]
    for item in group.items:
        if isinstance(item, TestGroup):
            found.extend(_all_groups(item))
    return found


def subtasks_of(problem: Problem) -> list[Subtask]:
    """The subtasks to prompt for separately: groups that carry positive `points`
    (IOI/CMS); else, for scoring problems, the groups directly under the "secret"
    group (Kattis scoring groups), with points from their score range or accept
    score. Empty for pass/fail problems and scoring problems without groups."""
    groups = _all_groups(problem.root_group)
    pointed = [g for g in groups if g.points is not None and g.points > 0]
    if pointed:
        return [Subtask(g.name, g.points) for g in pointed]
    if problem.type is not ProblemType.SCORING:
        return []
    secret = next((g for g in groups if last_component(g.name) == "secret"), None)
    if secret is None:
        return []
    subtasks = []
    for item in secret.items:
        if isinstance(item, TestGroup):
            score_range = item.scoring.score_range
            points = score_range[1] if score_range is not None else item.scoring.accept_score
            subtasks.append(Subtask(item.name, points))
    return subtasks


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
        f"Answer with a single ```{template.fence} fenced block containing {form}. "
        f"Write {template.name} only; anything outside the block is ignored.",
    ]
    user = "\n\n".join(sections) + "\n"
    return ({"role": "system", "content": SYSTEM_MESSAGE}, {"role": "user", "content": user})


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
    grader_files = load_grader_files(problem)
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
