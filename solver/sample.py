"""The sampling driver: problem -> prompts -> engine -> extracted programs -> store,
in chunks that are each written in one transaction, so a killed run resumes
where it stopped without losing or double-counting a sample.

Chunking and seeds: the n samples of each prompt are split into chunks of
`chunk_size`; chunk j holds completion indices j*chunk_size .. j*chunk_size+size-1.
Engines are faster with many prompts per call, so chunk j of up to
`prompts_per_call` prompts goes to the engine in one call. The `Engine` interface
takes one seed per call, so the call's seed is derived from (params.seed, j, the
keys of the prompts in the call) - with one prompt per call that is exactly
(params.seed, prompt key, j). The prompts of a call are a fixed slice of the
problem's prompt list and the chunks of one call are committed together, so a
resumed run makes exactly the calls, with exactly the seeds, that an
uninterrupted run makes; a resumed run with a different `prompts_per_call` stays
correct (nothing is counted twice) but draws different samples for what is left.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass

from tqdm import tqdm

from problems.model import Problem
from solver.code.extract import extract_code
from solver.code.normalise import source_hash
from solver.prompts.build import build_prompts
from solver.sampling.chunk import ChunkResult, ExtractedProgram
from solver.sampling.engine import Completion, Engine, Prompt, SamplingParams
from solver.sampling.seeds import call_seed
from solver.store import RunStore
from solver.store.problems import ProblemRow

DEFAULT_CHUNK_SIZE = 50
DEFAULT_PROMPTS_PER_CALL = 16


class SampleError(Exception):
    """Sampling cannot go on: an engine broke its contract or settings are invalid."""


@dataclass(frozen=True)
class SampleReport:
    """What one `sample_problem` call did. `samples`, `extraction_failures` and
    `tokens` count the completions drawn by this call; `skipped_samples` those
    already in the store (resumed); `distinct_programs` is the problem's number of
    distinct programs in the store afterwards."""

    samples: int
    skipped_samples: int
    distinct_programs: int
    extraction_failures: int
    tokens: int
    seconds: float


@dataclass(frozen=True)
class EngineCall:
    """Chunk `chunk` of each of `prompts`, drawn with one engine call."""

    chunk: int
    size: int
    prompts: tuple[Prompt, ...]


def chunk_sizes(n: int, chunk_size: int) -> list[int]:
    """Sizes of the chunks that split n samples: full chunks, then the remainder."""
    if n < 0 or chunk_size < 1:
        raise SampleError(f"need n >= 0 and chunk_size >= 1, got n={n} chunk_size={chunk_size}")
    full, rest = divmod(n, chunk_size)
    return [chunk_size] * full + ([rest] if rest else [])


def plan_calls(
    prompts: Sequence[Prompt],
    sizes: Sequence[int],
    done: dict[str, set[int]],
    prompts_per_call: int,
) -> list[EngineCall]:
    """The engine calls still to make, chunk by chunk (so a partial run has an even
    spread over prompts), each over a fixed slice of the prompt list minus the
    prompts whose chunk is already done."""
    if prompts_per_call < 1:
        raise SampleError(f"prompts_per_call must be >= 1, got {prompts_per_call}")
    calls: list[EngineCall] = []
    for chunk, size in enumerate(sizes):
        for start in range(0, len(prompts), prompts_per_call):
            group = prompts[start : start + prompts_per_call]
            pending = tuple(p for p in group if chunk not in done.get(p.key(), set()))
            if pending:
                calls.append(EngineCall(chunk, size, pending))
    return calls


def extract_program(completion: Completion, language: str) -> ExtractedProgram | None:
    """The program in a completion with its normalised hash; None when the
    completion holds no code block."""
    source = extract_code(completion.text, language)
    if source is None:
        return None
    return ExtractedProgram(source=source, source_hash=source_hash(source, language))


def problem_fingerprint(problem: Problem) -> str:
    """A hash of what sampling depends on (name, format, statement, limits,
    test names, scoring), so a run directory refuses a changed problem."""
    parts = [
        problem.name,
        problem.format,
        problem.type.value,
        problem.statement,
        repr(problem.limits),
        repr(problem.root_group),
        repr(problem.max_score),
        *(f"{case.kind}:{case.name}" for case in problem.tests),
    ]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def run_call(
    engine: Engine,
    call: EngineCall,
    params: SamplingParams,
    chunk_size: int,
) -> list[ChunkResult]:
    """Make one engine call and turn its completions into chunk results: indices
    made global within each prompt, one extraction result per completion. An
    engine may return fewer than n completions (gaps in the indices: the mutants
    engine gives up on a candidate after many attempts); the chunk is then done
    with fewer samples, exactly as an uninterrupted run would store it."""
    keys = [prompt.key() for prompt in call.prompts]
    call_params = dataclasses.replace(
        params, n=call.size, seed=call_seed(params.seed, call.chunk, keys)
    )
    outputs = engine.generate(list(call.prompts), call_params)
    if len(outputs) != len(call.prompts):
        raise SampleError(
            f"engine {engine.name} returned {len(outputs)} lists for {len(call.prompts)} prompts"
        )
    results = []
    for prompt, key, completions in zip(call.prompts, keys, outputs, strict=True):
        indices = [c.index for c in completions]
        if indices != sorted(set(indices)) or not all(0 <= i < call.size for i in indices):
            raise SampleError(
                f"engine {engine.name} returned completion indices {indices[:5]}... "
                f"for n={call.size}: expected increasing indices below n"
            )
        placed = tuple(
            dataclasses.replace(c, prompt_key=key, index=call.chunk * chunk_size + c.index)
            for c in completions
        )
        extracted = tuple(extract_program(c, prompt.language) for c in placed)
        results.append(ChunkResult(key, call.chunk, placed, extracted, call_params))
    return results


def sample_prompts(
    problem_name: str,
    prompts: Sequence[Prompt],
    engine: Engine,
    store: RunStore,
    n: int,
    params: SamplingParams,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: bool = False,
    prompts_per_call: int = DEFAULT_PROMPTS_PER_CALL,
) -> SampleReport:
    """Draw n samples of each distinct prompt of `problem_name` (a registered
    problem) into the store, skipping chunks the store already has."""
    started = time.monotonic()
    sizes = chunk_sizes(n, chunk_size)
    prompts = list({prompt.key(): prompt for prompt in prompts}.values())
    store.add_prompts(problem_name, prompts)
    done: dict[str, set[int]] = {}
    for prompt in prompts:
        store.plan_chunks(prompt.key(), sizes, params.seed)
        done[prompt.key()] = store.done_chunks(prompt.key()) & set(range(len(sizes)))
    skipped = sum(sizes[j] for chunks in done.values() for j in chunks)
    calls = plan_calls(prompts, sizes, done, prompts_per_call)
    samples = failures = tokens = 0
    with tqdm(
        total=n * len(prompts),
        initial=skipped,
        unit="sample",
        desc=problem_name,
        disable=not progress,
    ) as bar:
        for call in calls:
            results = run_call(engine, call, params, chunk_size)
            store.record_chunks(results)
            drawn = [c for result in results for c in result.completions]
            samples += len(drawn)
            tokens += sum(c.num_tokens for c in drawn)
            failures += sum(x is None for result in results for x in result.extracted)
            elapsed = max(time.monotonic() - started, 1e-9)
            bar.update(len(drawn))
            bar.set_postfix(
                samples_s=f"{samples / elapsed:.1f}", tokens_s=f"{tokens / elapsed:.0f}"
            )
    return SampleReport(
        samples=samples,
        skipped_samples=skipped,
        distinct_programs=len(store.candidates(problem_name)),
        extraction_failures=failures,
        tokens=tokens,
        seconds=time.monotonic() - started,
    )


def sample_problem(
    problem: Problem,
    engine: Engine,
    store: RunStore,
    n: int,
    params: SamplingParams,
    languages: Sequence[str] = ("cpp",),
    per_subtask: bool = False,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: bool = False,
    prompts_per_call: int = DEFAULT_PROMPTS_PER_CALL,
) -> SampleReport:
    """Sample n completions of every prompt of `problem` (one prompt list per
    language, per subtask if asked) into `store`, resuming an interrupted run."""
    store.add_problem(
        ProblemRow(problem.name, str(problem.root), problem.format, problem_fingerprint(problem))
    )
    prompts = [p for lang in languages for p in build_prompts(problem, lang, per_subtask)]
    return sample_prompts(
        problem.name, prompts, engine, store, n, params, chunk_size, progress, prompts_per_call
    )
