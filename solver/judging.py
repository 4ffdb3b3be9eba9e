"""The one bridge from candidate programs to the judge: hidden outcomes per
subtask (the ground truth of a pool), public-test results, and behaviour on
generated inputs, assembled into `solver.candidates` values.

The judge knows nothing of candidates; this module turns sources into builds,
runs them through one `Judge` (its cache and worker pool), and reads the graded
results back as `Outcome`s and `Candidate` fields.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from judge.builds import grader_build
from judge.cache import file_digest
from judge.compile import Build
from judge.programs import Program, program_from_text
from judge.session import Judge, SubmissionResult
from judge.verdicts import GroupResult
from problems.model import Problem, ProblemType, TestCase, TestGroup
from solver.candidates import Candidate, Outcome, Subtask
from solver.prompts.material import subtasks_of
from solver.testgen import GeneratedInput

ALL = "all"


@dataclass(frozen=True)
class Source:
    """A distinct candidate program before judging, with what sampling knows."""

    id: str
    language: str
    code: str
    sample_count: int = 1
    logprob: float | None = None
    target_subtask: str | None = None

    def program(self) -> Program:
        """The judge's Program of this source."""
        return program_from_text(self.code, self.language, self.id)


def run_tests(
    judge: Judge, problem: Problem, programs: Sequence[Program], tests: Sequence[TestCase]
) -> list[SubmissionResult]:
    """Every program on exactly these tests (samples, generated inputs), without
    the problem's grading: they are judged as a pass/fail problem of those tests
    alone, under the problem's own set-up (limits, checker, grader), every test
    run (not only those that could change a grade)."""
    setup = judge.setup(problem)
    alone = replace(
        problem,
        type=ProblemType.PASS_FAIL,
        tests=tuple(tests),
        root_group=TestGroup(problem.root_group.name, tuple(test.name for test in tests)),
    )
    return judge.judge_tests(replace(setup, problem=alone), programs, tests, lazy=False)


def builds(problem: Problem, sources: Sequence[Source]) -> list[Build | str]:
    """Each source's build for this problem (grader linked in), or why it has none."""
    return [grader_build(problem, source.program()) for source in sources]


def _leaf_flags(group: TestGroup) -> set[tuple[str, ...]]:
    found = set()
    if any(isinstance(item, str) for item in group.items):
        found.add(group.scoring.input_validator_flags)
    for item in group.items:
        if isinstance(item, TestGroup):
            found |= _leaf_flags(item)
    return found


def _find_group(root_items: Sequence[TestGroup], name: str) -> TestGroup | None:
    for group in root_items:
        if group.name == name:
            return group
        found = _find_group([i for i in group.items if isinstance(i, TestGroup)], name)
        if found is not None:
            return found
    return None


def pool_subtasks(problem: Problem) -> tuple[Subtask, ...]:
    """The problem's subtasks with their points (one "all" worth 1 for pass/fail
    problems); `contains` lists the subtasks whose test inputs are all among this
    one's (IOI's subset subtasks)."""
    found = subtasks_of(problem)
    if not found:
        return (Subtask(ALL, 1.0),)
    tests = {test.name: test for test in problem.tests}
    inputs: dict[str, frozenset[str]] = {}
    for subtask in found:
        group = _find_group([problem.root_group], subtask.name)
        names = group.test_names() if group is not None else ()
        inputs[subtask.name] = frozenset(file_digest(tests[n].input_path) for n in names)
    return tuple(
        Subtask(
            s.name,
            float(s.points or 0.0),
            tuple(
                other.name
                for other in found
                if other.name != s.name
                and inputs[other.name]
                and inputs[other.name] <= inputs[s.name]
            ),
        )
        for s in found
    )


def _groups(groups: Sequence[GroupResult]) -> Iterator[GroupResult]:
    for group in groups:
        yield group
        yield from _groups(group.children)


def outcome_of(subtasks: Sequence[Subtask], result: SubmissionResult) -> Outcome:
    """The hidden outcome of a judged program: points per subtask (pass/fail: 1
    when it gets full marks)."""
    if len(subtasks) == 1 and subtasks[0].name == ALL:
        return Outcome({ALL: 1.0 if result.result.full_score else 0.0})
    scores = {group.name: group.score for group in _groups(result.result.groups)}
    return Outcome({s.name: min(max(scores.get(s.name, 0.0), 0.0), s.points) for s in subtasks})


def judge_hidden(judge: Judge, problem: Problem, sources: Sequence[Source]) -> list[Outcome]:
    """Each source judged on every test (the ground truth), as an Outcome."""
    subtasks = pool_subtasks(problem)
    results = judge.judge_programs(problem, [source.program() for source in sources])
    return [outcome_of(subtasks, result) for result in results]


def public_tests(problem: Problem) -> list[TestCase]:
    """The tests a contestant sees: the samples."""
    return [test for test in problem.tests if test.kind == "sample"]


@dataclass(frozen=True)
class PublicResult:
    """A source on the public tests: passed of total, its slowest CPU time and
    largest memory there (None when it ran none)."""

    passed: int
    total: int
    cpu_time_s: float | None
    memory_bytes: int | None


def judge_public(judge: Judge, problem: Problem, sources: Sequence[Source]) -> list[PublicResult]:
    """Each source on every public test."""
    tests = public_tests(problem)
    if not tests:
        return [PublicResult(0, 0, None, None) for _ in sources]
    results = run_tests(judge, problem, [source.program() for source in sources], tests)
    found = []
    for result in results:
        runs = result.tests
        found.append(
            PublicResult(
                sum(1 for run in runs if run.verdict.accepted),
                len(tests),
                max((run.cpu_time_s for run in runs), default=None),
                max((run.memory_bytes for run in runs), default=None),
            )
        )
    return found


def input_subtasks(
    problem: Problem, subtasks: Sequence[Subtask], inputs: Sequence[GeneratedInput]
) -> tuple[tuple[str, ...], ...]:
    """Per generated input, the subtasks whose validator flags accept it (every
    subtask when the problem's validators use no per-group flags)."""
    flags_of = {}
    for subtask in subtasks:
        group = _find_group([problem.root_group], subtask.name)
        flags_of[subtask.name] = _leaf_flags(group) if group else {()}
    return tuple(
        tuple(
            s.name
            for s in subtasks
            if s.name == ALL or any(f in flags_of[s.name] for f in item.accepted_flags)
        )
        for item in inputs
    )


def make_candidate(
    source: Source,
    public: PublicResult,
    behaviour: tuple[str, ...],
    centrality: float | None = None,
) -> Candidate:
    """The Candidate value of a judged source."""
    return Candidate(
        id=source.id,
        language=source.language,
        source_length=len(source.code),
        sample_count=source.sample_count,
        logprob=source.logprob,
        public_passed=public.passed,
        public_total=public.total,
        behaviour=behaviour,
        cpu_time_s=public.cpu_time_s,
        memory_bytes=public.memory_bytes,
        target_subtask=source.target_subtask,
        centrality=centrality,
    )
