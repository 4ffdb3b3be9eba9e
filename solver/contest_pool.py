"""Contest pools: for a real problem, a judged pool of distinct candidates - its
labelled submissions plus `mutants` of its accepted ones - with the hidden truth
(an Outcome per subtask), public-test results, generated inputs and behaviour
labels, ready for the selection stages (`solver.candidates.Pool`).

Building one is heavy (every candidate on every hidden test, the public-filter
survivors on every generated input) but resumable: every run goes through the
judge's cache, and a finished pool is saved as a pool file (`solver.poolfile`)
that later calls load instead of rebuilding.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from judge.builds import submission_program
from judge.programs import SourceError
from judge.session import Judge
from problems.model import Problem
from solver.candidates import Pool
from solver.code.extract import extract_code
from solver.code.normalise import NORMALISERS, source_hash
from solver.judged_pool import assemble_pool
from solver.judging import Source
from solver.poolfile import load_pool, save_pool
from solver.prompts.build import build_prompts
from solver.prompts.templates import supported_languages
from solver.sampling.engine import SamplingParams
from solver.sampling.mutants import MUTATORS, MutantsEngine

MAX_SEED_ROUNDS = 8
JUDGE_ERROR_ROUNDS = 3


class JudgeErrors(Exception):
    """A pool whose judging did not settle: its runs kept ending in judge errors."""


@dataclass
class BuildStats:
    """Where the time of one pool build went (seconds per stage) and its size."""

    seconds: dict[str, float] = field(default_factory=dict)
    candidates: int = 0
    survivors: int = 0
    inputs: int = 0
    loaded: bool = False


def labelled_sources(problem: Problem) -> list[Source]:
    """The package's own submissions that this judge can build, as sources (in the
    languages candidates are sampled in: a Java submission is left out)."""
    found = []
    for submission in problem.submissions:
        try:
            program = submission_program(submission)
        except SourceError:
            continue
        if len(program.files) != 1 or program.language not in NORMALISERS:
            continue
        code = program.files[0][1].decode("utf-8")
        found.append(Source(f"sub:{submission.name}", program.language, code))
    return found


def mutant_sources(problem: Problem, count: int, seed: int, seen: set[str]) -> list[Source]:
    """Up to `count` distinct mutants of the accepted solutions, split evenly over
    the languages that have one; `seen` (normalised source hashes) grows."""
    languages = [lang for lang in supported_languages(problem) if lang in MUTATORS]
    engine = MutantsEngine(problem, languages=tuple(languages))
    languages = [lang for lang in languages if engine.sources_for(lang)]
    found: list[Source] = []
    for position, language in enumerate(languages):
        share = (count - len(found)) // (len(languages) - position)
        prompt = build_prompts(problem, language, per_subtask=False)[0]
        taken = 0
        for round_ in range(MAX_SEED_ROUNDS):
            if taken >= share:
                break
            params = SamplingParams(n=share - taken, seed=seed * 1000 + round_)
            [completions] = engine.generate([prompt], params)
            for completion in completions:
                code = extract_code(completion.text, language)
                if code is None or taken >= share:
                    continue
                digest = source_hash(code, language)
                if digest in seen:
                    continue
                seen.add(digest)
                found.append(
                    Source(
                        f"mut:{language}:{params.seed}:{completion.index}",
                        language,
                        code,
                        logprob=completion.logprob,
                    )
                )
                taken += 1
    return found


def contest_sources(problem: Problem, count: int, seed: int = 0) -> list[Source]:
    """`count` distinct candidates: the labelled submissions, then mutants."""
    labelled = labelled_sources(problem)
    seen = {source_hash(s.code, s.language) for s in labelled}
    return labelled + mutant_sources(problem, max(0, count - len(labelled)), seed, seen)


def pool_path(cache_dir: Path, problem: Problem, count: int, inputs: int, seed: int) -> Path:
    """Where a built pool is saved."""
    return cache_dir / "pools" / f"{problem.name}-c{count}-i{inputs}-s{seed}.json"


def build_contest_pool(
    judge: Judge,
    problem: Problem,
    cache_dir: Path,
    count: int = 500,
    inputs: int = 50,
    seed: int = 0,
    log: Callable[[str], None] | None = None,
) -> tuple[Pool, BuildStats]:
    """The judged contest pool of `problem` (loaded when already built)."""
    stats = BuildStats()
    path = pool_path(cache_dir, problem, count, inputs, seed)

    def stage(name: str, seconds: float) -> None:
        stats.seconds[name] = seconds
        if log is not None:
            log(f"{problem.name}: {name} {seconds:.1f}s")

    if path.exists():
        pool = load_pool(path)
        stats.loaded = True
    else:
        started = time.perf_counter()
        sources = contest_sources(problem, count, seed)
        stage("sampling", time.perf_counter() - started)
        folder = cache_dir / "generated" / problem.name
        pool = assemble_pool(judge, problem, sources, folder, inputs, seed, on_stage=stage)
        for _ in range(JUDGE_ERROR_ROUNDS):
            # A judge error (a busy machine's killed compile, a crashed checker) is
            # never cached, so judging again redoes only those runs; a pool is kept
            # once a second pass agrees with it.
            again = assemble_pool(judge, problem, sources, folder, inputs, seed)
            if again == pool:
                break
            if log is not None:
                log(f"{problem.name}: judged again after judge errors")
            pool = again
        else:
            raise JudgeErrors(f"{problem.name}: judge errors persist after re-judging")
        path.parent.mkdir(parents=True, exist_ok=True)
        save_pool(pool, path)
    stats.candidates = len(pool.candidates)
    stats.survivors = sum(c.passes_public for c in pool.candidates)
    stats.inputs = len(pool.generated_inputs)
    return pool, stats
