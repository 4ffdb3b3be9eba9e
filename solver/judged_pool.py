"""Assembling a judged pool: candidate sources in, a `solver.candidates.Pool` out,
the same steps for a solved problem's sampled candidates (`solver.solve.problem`) and a
contest pool's submissions and mutants (`solver.contest_pool`).

The steps: every source on the public tests; inputs generated for the problem;
the public-test survivors' behaviour on them; with `truth`, every source on every
test for the hidden outcome. A source that fails a public test is not run on the
generated inputs (its behaviour label is `NOT_RUN`): selection filters it out
first, as o1-ioi and AlphaCode do; a survivor's centrality (how typical its
source is) is taken among the survivors. Generated inputs that no validator checked are
kept only where the survivors' runs vote them plausible (`plausible_inputs`).

It sits above `solver.judging` (the bridge to the judge) and `solver.behaviour`
(which builds on that bridge), so it is a module of its own.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from judge.compile import Build
from judge.session import Judge
from judge.verdicts import Verdict
from problems.model import Problem
from solver.behaviour import behaviour_labels, failed_label
from solver.candidates import Pool
from solver.code.centrality import centrality
from solver.judging import (
    ALL,
    PublicResult,
    Source,
    builds,
    input_subtasks,
    judge_hidden,
    judge_public,
    make_candidate,
    pool_subtasks,
)
from solver.testgen import GeneratedInput, generate_inputs

NOT_RUN = "!NOTRUN"
STAGES = ("public", "testgen", "behaviour", "hidden")
TLE = failed_label(Verdict.TLE)
TLE_STOP = 2
"""A pass/fail candidate over the time limit on this many generated inputs is not
run on the rest: they read as TLE (see `behaviour_with_stops`)."""
FIRST_CHUNK = 2


def tle_stop(problem: Problem) -> int | None:
    """`TLE_STOP` for a pass/fail problem, None (run every input) for one with subtasks."""
    subtasks = pool_subtasks(problem)
    return TLE_STOP if len(subtasks) == 1 and subtasks[0].name == ALL else None


def runs_made(row: tuple[str, ...], stop_after: int | None) -> int:
    """How many of a `behaviour_with_stops` label row's inputs were run (the rest
    read TLE without a run), walking the same chunks."""
    if stop_after is None:
        return len(row)
    over, start, size = 0, 0, FIRST_CHUNK
    while start < len(row) and over < stop_after:
        over += sum(label == TLE for label in row[start : start + size])
        start += size
        size *= 2
    return min(start, len(row))


def behaviour_with_stops(
    judge: Judge,
    problem: Problem,
    programs: list[Build | str],
    inputs: list[Path],
    stop_after: int | None = TLE_STOP,
) -> list[tuple[str, ...]]:
    """Behaviour labels (`solver.behaviour.behaviour_labels`), the inputs taken in
    chunks of doubling size (2, 4, 8, ...): a program that has exceeded the time
    limit on `stop_after` inputs runs no further chunk and reads TLE there. A TLE
    run costs the whole time limit, so a few slow survivors were most of the
    behaviour stage's CPU (pairsum, 500 candidates: 134 of 3,700 runs, about 90%
    of it); such a candidate fails the hidden tests whatever its other labels
    say. Only for pass/fail problems (`stop_after=None` runs everything): with
    subtasks, a solution too slow for the large inputs still scores on the small
    ones, and their labels matter."""
    if stop_after is None:
        return behaviour_labels(judge, problem, programs, inputs)
    labels: list[list[str]] = [[] for _ in programs]
    over = [0] * len(programs)
    start, size = 0, FIRST_CHUNK
    while start < len(inputs):
        chunk = inputs[start : start + size]
        active = [i for i, count in enumerate(over) if count < stop_after]
        rows = (
            behaviour_labels(judge, problem, [programs[i] for i in active], chunk) if active else []
        )
        by_index = dict(zip(active, rows, strict=True))
        for index, row in enumerate(labels):
            got = by_index.get(index, (TLE,) * len(chunk))
            row.extend(got)
            over[index] += sum(label == TLE for label in got)
        start += size
        size *= 2
    return [tuple(row) for row in labels]


PLAUSIBLE_VOTE = 0.75
PANEL_SIZE = 8


def plausible_inputs(
    labels: Sequence[tuple[str, ...]], validated: Sequence[bool], vote: float = PLAUSIBLE_VOTE
) -> list[bool]:
    """Per generated input, whether to keep it: a validated one always; an
    unvalidated one (no validator of any kind checked it) when at least `vote` of
    the survivors whose `labels` are given ran it to a clean end: an output (its
    label a digest) or, where the problem's own interactor or manager judges, an
    accepted verdict. Those programs passed the public tests, so they stand in
    for the validators o1-ioi votes with: an input outside the constraints mostly
    makes them crash, hang or fail a manager's checks, while on a valid input a
    wrong program is usually outvoted. With no labels there is no vote and
    unvalidated inputs are dropped."""
    keep = []
    for column, checked in enumerate(validated):
        if checked:
            keep.append(True)
            continue
        answered = [not row[column].startswith("!") for row in labels]
        keep.append(bool(answered) and sum(answered) >= vote * len(answered))
    return keep


def survivor_behaviour(
    judge: Judge,
    problem: Problem,
    sources: Sequence[Source],
    public: Sequence[PublicResult],
    generated: Sequence[GeneratedInput],
    inputs: int,
    seed: int,
    stop_after: int | None,
) -> tuple[list[GeneratedInput], dict[int, tuple[str, ...]]]:
    """The public-test survivors' behaviour labels (by source index) on at most
    `inputs` of the generated inputs, and those inputs. Validated inputs come
    first; unvalidated ones are screened by a panel of `PANEL_SIZE` survivors
    (drawn with `seed`) and the most that pass its vote fill the rest; after the
    full run the vote of all survivors (`plausible_inputs`) has the last word."""
    survivors = [i for i, result in enumerate(public) if result.passed == result.total]
    programs = builds(problem, [sources[i] for i in survivors])
    validated = [item for item in generated if item.validated]
    unvalidated = [item for item in generated if not item.validated]
    room = max(0, inputs - len(validated))
    if unvalidated and room and programs:
        panel = random.Random(f"panel:{seed}").sample(programs, min(PANEL_SIZE, len(programs)))
        panel_labels = behaviour_with_stops(
            judge, problem, panel, [item.path for item in unvalidated], stop_after
        )
        votes = plausible_inputs(panel_labels, [False] * len(unvalidated))
        unvalidated = [item for item, ok in zip(unvalidated, votes, strict=True) if ok]
    chosen = validated[:inputs] + unvalidated[:room]
    labels = behaviour_with_stops(
        judge, problem, programs, [item.path for item in chosen], stop_after
    )
    keep = plausible_inputs(labels, [item.validated for item in chosen])
    chosen = [item for item, kept in zip(chosen, keep, strict=True) if kept]
    labels = [tuple(label for label, kept in zip(row, keep, strict=True) if kept) for row in labels]
    return chosen, dict(zip(survivors, labels, strict=True))


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
    generated, by_index = survivor_behaviour(
        judge, problem, sources, public, generated, inputs, seed, tle_stop(problem)
    )
    done("behaviour")
    hidden = {}
    if truth:
        outcomes = judge_hidden(judge, problem, sources)
        hidden = {source.id: outcome for source, outcome in zip(sources, outcomes, strict=True)}
    done("hidden")
    not_run = (NOT_RUN,) * len(generated)
    subtasks = pool_subtasks(problem)
    survivors = list(by_index)
    scores = centrality([(sources[i].code, sources[i].language) for i in survivors])
    typical = dict(zip(survivors, scores, strict=True))
    return Pool(
        problem=problem.name,
        candidates=tuple(
            make_candidate(source, public[i], by_index.get(i, not_run), typical.get(i))
            for i, source in enumerate(sources)
        ),
        subtasks=subtasks,
        generated_inputs=tuple(item.name for item in generated),
        truth=hidden,
        input_subtasks=input_subtasks(problem, subtasks, generated),
    )
