"""Assembling a judged pool: candidate sources in, a `solver.candidates.Pool` out,
the same steps for a solved problem's sampled candidates (`solver.solve.problem`) and a
contest pool's submissions and mutants (`solver.contest_pool`).

The steps: every source on the public tests; inputs generated for the problem;
the public-test survivors' behaviour on them; with `truth`, every source on every
test for the hidden outcome. A source that fails a public test is not run on the
generated inputs (its behaviour label is `NOT_RUN`): selection filters it out
first, as o1-ioi and AlphaCode do.

It sits above `solver.judging` (the bridge to the judge) and `solver.behaviour`
(which builds on that bridge), so it is a module of its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

from judge.session import Judge
from problems.model import Problem
from solver.behaviour import behaviour_labels
from solver.candidates import Pool
from solver.judging import (
    Source,
    builds,
    input_subtasks,
    judge_hidden,
    judge_public,
    make_candidate,
    pool_subtasks,
)
from solver.testgen import generate_inputs

NOT_RUN = "!NOTRUN"
STAGES = ("public", "testgen", "behaviour", "hidden")


def assemble_pool(
    judge: Judge,
    problem: Problem,
    sources: Sequence[Source],
    folder: Path,
    inputs: int,
    seed: int,
    *,
    truth: bool = True,
    on_stage: Callable[[str, float], None] | None = None,
) -> Pool:
    """Judge `sources` into a pool: public tests, `inputs` generated inputs (written
    under `folder`, drawn with `seed`), behaviour on them, and with `truth` the
    hidden outcomes. `on_stage(name, seconds)` is told as each of `STAGES` ends."""
    started = time.perf_counter()

    def done(name: str) -> None:
        nonlocal started
        if on_stage is not None:
            on_stage(name, time.perf_counter() - started)
        started = time.perf_counter()

    public = judge_public(judge, problem, sources)
    done("public")
    generated = generate_inputs(judge, problem, folder, inputs, seed)
    done("testgen")
    survivors = [i for i, result in enumerate(public) if result.passed == result.total]
    labels = behaviour_labels(
        judge,
        problem,
        builds(problem, [sources[i] for i in survivors]),
        [item.path for item in generated],
    )
    by_index = dict(zip(survivors, labels, strict=True))
    done("behaviour")
    hidden = {}
    if truth:
        outcomes = judge_hidden(judge, problem, sources)
        hidden = {source.id: outcome for source, outcome in zip(sources, outcomes, strict=True)}
    done("hidden")
    not_run = (NOT_RUN,) * len(generated)
    subtasks = pool_subtasks(problem)
    return Pool(
        problem=problem.name,
        candidates=tuple(
            make_candidate(source, public[i], by_index.get(i, not_run))
            for i, source in enumerate(sources)
        ),
        subtasks=subtasks,
        generated_inputs=tuple(item.name for item in generated),
        truth=hidden,
        input_subtasks=input_subtasks(problem, subtasks, generated),
    )
