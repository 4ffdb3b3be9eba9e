"""Behaviour labels: what each candidate does on each generated input, as labels
that are equal exactly when two candidates' outputs agree there.

* Exact-answer problems (token checker without float tolerance): the label is a
  digest of the output's tokens (case-folded unless the problem is case
  sensitive), so outputs that differ only in whitespace agree.
* Problems that accept many answers (float tolerance, a custom output validator):
  the distinct outputs on an input are grouped by the problem's checker, each
  compared with the representative of the classes found so far (largest first):
  two outputs agree when the checker accepts one with the other as the answer.
* A failed run is labelled "!" + its verdict ("!TLE", "!RE", "!CE").
* Interactive and Communication tasks have no output to compare: the label is
  the verdict and score the problem's own validator / manager gives on the input.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from judge.compile import Build
from judge.outputs import (
    OutputRunner,
    output_token_digest,
    supports_output_runs,
    token_digest_stream,
)
from judge.session import Judge
from judge.verdicts import Verdict
from problems.model import CheckerKind, Problem, TestCase, TestKind
from solver.judging import run_tests

LABEL_CHARS = 12


def checker_aware(problem: Problem) -> bool:
    """True when two different token sequences may both be right answers."""
    if problem.checker.kind is not CheckerKind.TOKENS:
        return True
    return problem.checker.token_options.uses_floats


def token_digest(data: bytes, case_sensitive: bool) -> str:
    """A digest of an output's tokens (whitespace-insensitive)."""
    return token_digest_stream(io.BytesIO(data), case_sensitive)[:LABEL_CHARS]


def group_outputs(
    digests: Sequence[str], agree: Callable[[str, list[str]], list[bool]]
) -> dict[str, str]:
    """Classes of distinct outputs: each output joins the first representative
    (largest class first) that `agree(rep, others)` accepts it against, else
    founds a class. Returns output digest -> representative digest."""
    counts = Counter(digests)
    remaining = sorted(counts, key=lambda d: (-counts[d], d))
    representative: dict[str, str] = {}
    while remaining:
        rep, *rest = remaining
        representative[rep] = rep
        verdicts = agree(rep, rest) if rest else []
        remaining = []
        for digest, agrees in zip(rest, verdicts, strict=True):
            if agrees:
                representative[digest] = rep
            else:
                remaining.append(digest)
    return representative


def behaviour_labels(
    judge: Judge, problem: Problem, programs: list[Build | str], inputs: list[Path]
) -> list[tuple[str, ...]]:
    """Per program, per input: its behaviour label (see the module docstring)."""
    if not inputs:
        return [() for _ in programs]
    if not supports_output_runs(problem):
        return _verdict_labels(judge, problem, programs, inputs)
    aware = checker_aware(problem)
    case_sensitive = problem.checker.token_options.case_sensitive
    with OutputRunner(judge) as runner:
        runs = runner.run(problem, programs, inputs, keep_bytes=True)
        labels: list[list[str]] = [[] for _ in programs]
        for column, input_path in enumerate(inputs):
            cells = [row[column] for row in runs]
            clean = [cell.digest for cell in cells if cell.verdict is None]
            tokens = {
                d: output_token_digest(judge.cache_dir, d, case_sensitive)[:LABEL_CHARS]
                for d in set(clean)
            }
            if aware:
                # Token-equal outputs agree under any checker: compare one of each.
                first: dict[str, str] = {}
                for digest in clean:
                    first.setdefault(tokens[digest], digest)

                def agree(rep: str, others: list[str], path: Path = input_path) -> list[bool]:
                    return runner.agree(problem, [(path, rep, other) for other in others])

                reps = group_outputs([first[tokens[d]] for d in clean], agree)
                names = {d: tokens[reps[first[tokens[d]]]] for d in set(clean)}
            else:
                names = tokens
            for row, cell in enumerate(cells):
                labels[row].append(
                    failed_label(cell.verdict) if cell.verdict else names[cell.digest]
                )
    return [tuple(row) for row in labels]


def failed_label(verdict: Verdict) -> str:
    """The label of a run that failed with `verdict` ("!TLE", "!RE", "!CE")."""
    return "!" + verdict.name


def _verdict_labels(
    judge: Judge, problem: Problem, programs: list[Build | str], inputs: list[Path]
) -> list[tuple[str, ...]]:
    """Labels from judging each program on the inputs with the problem's own
    interactor / manager (no answer files): verdict and score."""
    tests = [
        TestCase(f"generated/{path.stem}", path, None, kind=TestKind.GENERATED) for path in inputs
    ]
    runnable = [p.program if isinstance(p, Build) else None for p in programs]
    known = [p for p in runnable if p is not None]
    results = iter(run_tests(judge, problem, known, tests))
    labels = []
    for program in runnable:
        if program is None:
            labels.append(tuple(failed_label(Verdict.CE) for _ in inputs))
            continue
        result = next(results)
        by_name = {test.test: test for test in result.tests}
        row = []
        for test in tests:
            judged = by_name[test.name]
            if judged.verdict.accepted:
                row.append("ok" if judged.score is None else f"ok:{judged.score:g}")
            else:
                row.append(failed_label(judged.verdict))
        labels.append(tuple(row))
    return labels
