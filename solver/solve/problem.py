"""Solving one problem: from sampling to ordered submissions (`solve_problem`); a
whole contest is solved on top of it in `solver.solve.contest`.

The stages of a problem, each resumable in its run folder:

1. **sample**: every engine of `SolveOptions.engines` draws its samples into the
   run's store (`DIR/run.sqlite`, chunked: a killed run continues where it
   stopped). Several engines share one store: each engine's prompts carry its name
   in the prompt's template label (`cpp-none@mutants`), so their chunks never mix
   and identical programs from two engines count as one candidate sampled twice.
2. **judge**: the candidates are judged on the public tests, run on generated inputs
   (their behaviour, for clustering) and, when the problem has hidden tests, judged
   on those for the truth (`solver.judging`). The judged pool is saved as
   `DIR/pool.json` with the state it was built from, so a rerun with no new sample
   skips the stage (the judge's own cache makes a partial rerun cheap too).
3. **select**: the strategy orders its submissions. When the problem has hidden
   tests, each submission gets the feedback a contest gives (the full result of the
   hidden tests, as IOI does; Codeforces' pretests are modelled by the same
   feedback), and submitting stops at the full score.
4. **score**: the submissions' hidden outcomes and the task score under the
   problem's own rules (per subtask the best result over the submissions).
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from judge.session import Judge
from problems.load import load_problem
from problems.model import Problem
from solver.candidates import Outcome, Pool, task_score
from solver.judged_pool import STAGES, assemble_pool
from solver.judging import Source
from solver.prompts.build import build_prompts
from solver.sample import DEFAULT_CHUNK_SIZE, problem_fingerprint, sample_prompts
from solver.sampling.engine import Completion, Engine, Prompt, SamplingParams
from solver.select.policies import Selection, select
from solver.select.strategy import Strategy, find_strategy
from solver.store import RunStore
from solver.store.problems import ProblemRow

DEFAULT_STRATEGY = "cpsolve"
DEFAULT_GENERATED_INPUTS = 30
POOL_FILE = "pool.json"
POOL_STATE_FILE = "pool-state.json"


class SolveError(Exception):
    """Solving cannot go on: a bad option or a run folder made with other settings."""


@dataclass(frozen=True)
class EngineSpec:
    """One candidate source: an engine, its model (None: the engine's default) and
    the samples per prompt to draw from it."""

    engine: str
    n: int
    model: str | None = None

    def label(self) -> str:
        """`engine` or `engine:model`, for reports."""
        return self.engine if self.model is None else f"{self.engine}:{self.model}"


DEFAULT_ENGINE = "default"
"""The engine name that stands for the default model on the fastest CPU engine
(`solver.sampling.default_model.DEFAULT_CPU_ENGINE`; `hf` where that is not defined)."""

DEFAULT_ENGINES = (EngineSpec(DEFAULT_ENGINE, 100),)
"""`cpsolve solve` with no engine named: the default model on the fastest CPU engine."""


@dataclass(frozen=True)
class SolveOptions:
    """How to solve: candidate sources, strategy, submission limit (None: the
    strategy's), languages asked for, generated inputs, sampling settings (a run
    grows to a larger n in whole chunks of `chunk_size`), judge settings, and
    whether to show progress bars."""

    engines: tuple[EngineSpec, ...] = DEFAULT_ENGINES
    strategy: str = DEFAULT_STRATEGY
    limit: int | None = None
    languages: tuple[str, ...] = ("cpp",)
    generated_inputs: int = DEFAULT_GENERATED_INPUTS
    seed: int = 0
    temperature: float = 1.0
    top_p: float = 0.95
    max_tokens: int = 1024
    chunk_size: int = DEFAULT_CHUNK_SIZE
    workers: int | None = None
    cache_dir: Path | None = None
    progress: bool = True


@dataclass(frozen=True)
class SolveResult:
    """A solved problem: the judged pool, the strategy's selection, and when the
    problem has hidden tests the outcome of every submission and the task score."""

    problem: Problem
    run_dir: Path
    pool: Pool
    strategy: Strategy
    selection: Selection
    has_hidden: bool
    outcomes: tuple[Outcome, ...]
    score: float | None
    samples: int
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def max_score(self) -> float:
        """The most the task score can be (the pool's subtasks summed)."""
        return self.pool.max_points


def resolve_engine(spec: EngineSpec) -> EngineSpec:
    """The spec with `default` replaced by the engine that serves the default model."""
    if spec.engine != DEFAULT_ENGINE:
        return spec
    from solver.sampling import default_model

    engine = getattr(default_model, "DEFAULT_CPU_ENGINE", "hf")
    return dataclasses.replace(spec, engine=engine)


class _LazyEngine:
    """An engine built on its first `generate` call, so that a resumed run whose
    samples are all stored never loads the model."""

    def __init__(self, spec: EngineSpec, build: Callable[[], Engine]) -> None:
        self.name = spec.engine
        self.model = spec.model or "default"
        self._build = build
        self._engine: Engine | None = None

    def generate(self, prompts: list[Prompt], params: SamplingParams) -> list[list[Completion]]:
        """Build the engine if needed, then generate."""
        if self._engine is None:
            self._engine = self._build()
        return self._engine.generate(prompts, params)


def engine_prompts(problem: Problem, spec: EngineSpec, languages: Sequence[str]) -> list[Prompt]:
    """The problem's prompts for one engine: template labels tagged with its name."""
    return [
        dataclasses.replace(prompt, template=f"{prompt.template}@{spec.engine}")
        for language in languages
        for prompt in build_prompts(problem, language, False)
    ]


def sample_stage(problem: Problem, store: RunStore, options: SolveOptions, progress: bool) -> int:
    """Draw every engine's samples into the store (resuming); returns the number of
    samples the store holds for the problem."""
    from solver.sampling.registry import make_engine

    engines = [resolve_engine(spec) for spec in options.engines]
    names = [spec.engine for spec in engines]
    if len(set(names)) != len(names):
        raise SolveError(
            f"engines {', '.join(names)}: name each engine once (their prompts are told "
            "apart by the engine's name)"
        )
    store.add_problem(
        ProblemRow(problem.name, str(problem.root), problem.format, problem_fingerprint(problem))
    )
    for spec in engines:
        if spec.n < 0:
            raise SolveError(f"engine {spec.label()}: samples per prompt must be >= 0")
        engine = _LazyEngine(
            spec,
            lambda spec=spec: make_engine(  # type: ignore[misc]
                spec.engine, spec.model, problem=problem, languages=options.languages
            ),
        )
        params = SamplingParams(
            n=spec.n,
            temperature=options.temperature,
            top_p=options.top_p,
            max_tokens=options.max_tokens,
            seed=options.seed,
        )
        sample_prompts(
            problem.name,
            engine_prompts(problem, spec, options.languages),
            engine,
            store,
            spec.n,
            params,
            chunk_size=options.chunk_size,
            progress=progress,
        )
    return sum(row.sample_count for row in store.candidates(problem.name))


def has_hidden_tests(problem: Problem) -> bool:
    """True when the problem has tests beyond the samples (its hidden tests)."""
    return any(test.kind == "secret" for test in problem.tests)


def _pool_state(store: RunStore, problem: Problem, options: SolveOptions) -> dict[str, Any]:
    """What the judged pool depends on: the candidates, the problem and the
    generated-input settings."""
    candidates = store.candidates(problem.name)
    return {
        "problem": problem_fingerprint(problem),
        "candidates": [[c.id, c.sample_count] for c in candidates],
        "generated_inputs": options.generated_inputs,
        "seed": options.seed,
    }


def store_sources(store: RunStore, problem: Problem) -> list[Source]:
    """The run's distinct candidate programs as the judging bridge's sources (the
    store's candidate id as the candidate id)."""
    return [
        Source(
            id=str(row.id),
            language=row.language,
            code=row.source,
            sample_count=row.sample_count,
            logprob=row.logprob,
            target_subtask=row.target_subtask,
        )
        for row in store.candidates(problem.name)
    ]


def judge_stage(
    problem: Problem, store: RunStore, run_dir: Path, options: SolveOptions, progress: bool
) -> Pool:
    """The judged pool of the run's candidates, reused from `DIR/pool.json` when
    nothing it depends on changed."""
    from judge.session import JudgeOptions
    from solver.poolfile import load_pool, save_pool

    state = _pool_state(store, problem, options)
    pool_path = run_dir / POOL_FILE
    state_path = run_dir / POOL_STATE_FILE
    if pool_path.is_file() and state_path.is_file():
        if json.loads(state_path.read_text()) == state:
            return load_pool(pool_path)
    judge_options = JudgeOptions(workers=options.workers)
    if options.cache_dir is not None:
        judge_options.cache_dir = options.cache_dir
    bar = tqdm(total=len(STAGES), desc=f"{problem.name} judging", disable=not progress)

    def stage(name: str, seconds: float) -> None:
        bar.update()
        bar.set_postfix_str(name)

    with Judge(judge_options) as judge, bar:
        pool = assemble_pool(
            judge,
            problem,
            store_sources(store, problem),
            run_dir / "generated",
            options.generated_inputs,
            options.seed,
            truth=has_hidden_tests(problem),
            on_stage=stage,
        )
    save_pool(pool, pool_path)
    state_path.write_text(json.dumps(state))
    return pool


def select_stage(
    pool: Pool, strategy: Strategy, limit: int, has_hidden: bool, seed: int
) -> Selection:
    """The strategy's submissions, with the contest's feedback when there is truth."""
    feedback = pool.submit if has_hidden and pool.truth else None
    return select(pool, strategy, limit=limit, seed=seed, feedback=feedback)


def solve_problem(
    problem: Problem | Path | str,
    run_dir: Path | str,
    options: SolveOptions = SolveOptions(),
) -> SolveResult:
    """Sample, judge, generate tests, cluster, score and select for one problem in
    `run_dir` (resumed when it exists); see the module docstring."""
    if not isinstance(problem, Problem):
        problem = load_problem(Path(problem))
    # absolute: the sandbox reads generated inputs from under it, from another cwd
    run_dir = Path(run_dir).resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    strategy = find_strategy(options.strategy)
    limit = strategy.limit if options.limit is None else options.limit
    seconds: dict[str, float] = {}
    started = time.monotonic()
    with RunStore.open(run_dir) as store:
        samples = sample_stage(problem, store, options, options.progress)
        seconds["sample"] = time.monotonic() - started
        if not store.candidates(problem.name):
            raise SolveError(
                f"{problem.name}: no candidate program in {run_dir} (every sample failed "
                "extraction or no samples were asked for)"
            )
        started = time.monotonic()
        pool = judge_stage(problem, store, run_dir, options, options.progress)
        seconds["judge"] = time.monotonic() - started
        hidden = has_hidden_tests(problem) and bool(pool.truth)
        started = time.monotonic()
        selection = select_stage(pool, strategy, limit, hidden, options.seed)
        seconds["select"] = time.monotonic() - started
        store.replace_selection(
            problem.name, strategy.name, [int(cid) for cid in selection.ids if cid.isdigit()]
        )
    outcomes = tuple(pool.truth[cid] for cid in selection.ids) if hidden else ()
    score = task_score(pool, selection.ids) if hidden else None
    return SolveResult(
        problem=problem,
        run_dir=run_dir,
        pool=pool,
        strategy=strategy,
        selection=selection,
        has_hidden=hidden,
        outcomes=outcomes,
        score=score,
        samples=samples,
        seconds=seconds,
    )
