"""What `cpsolve pool DIR` prints: per problem and language, how many samples a
run drew, how many distinct programs they hold, how many were duplicates or
extraction failures, the tokens spent and the mean log-probability. A pure
function over store rows plus a plain-text formatter; `describe_pool` is the
thin edge that reads a run directory."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from solver.report import table
from solver.store import RunStore
from solver.store.problems import PromptRow
from solver.store.samples import CandidateRow, SampleRow


@dataclass(frozen=True)
class PoolLine:
    """The pool of one (problem, language). `duplicates` are samples whose program
    was already in the pool; `mean_logprob` is over samples that report one (None
    when none does)."""

    problem: str
    language: str
    prompts: int
    samples: int
    distinct_programs: int
    duplicates: int
    extraction_failures: int
    tokens: int
    mean_logprob: float | None


@dataclass
class _Tally:
    prompts: int = 0
    samples: int = 0
    failures: int = 0
    tokens: int = 0
    logprob_sum: float = 0.0
    logprob_count: int = 0


def summarise_pool(
    prompts: Sequence[PromptRow],
    samples: Sequence[SampleRow],
    candidates: Sequence[CandidateRow],
) -> list[PoolLine]:
    """One PoolLine per (problem, language) that has prompts, sorted by both."""
    owner = {prompt.key: (prompt.problem, prompt.language) for prompt in prompts}
    tallies: dict[tuple[str, str], _Tally] = {}
    for prompt in prompts:
        tallies.setdefault(owner[prompt.key], _Tally()).prompts += 1
    for sample in samples:
        tally = tallies[owner[sample.prompt_key]]
        tally.samples += 1
        tally.tokens += sample.num_tokens
        tally.failures += sample.candidate_id is None
        if sample.logprob is not None:
            tally.logprob_sum += sample.logprob
            tally.logprob_count += 1
    distinct: dict[tuple[str, str], int] = {}
    for candidate in candidates:
        group = (candidate.problem, candidate.language)
        distinct[group] = distinct.get(group, 0) + 1
    return [
        PoolLine(
            problem=problem,
            language=language,
            prompts=tally.prompts,
            samples=tally.samples,
            distinct_programs=distinct.get((problem, language), 0),
            duplicates=tally.samples - tally.failures - distinct.get((problem, language), 0),
            extraction_failures=tally.failures,
            tokens=tally.tokens,
            mean_logprob=tally.logprob_sum / tally.logprob_count if tally.logprob_count else None,
        )
        for (problem, language), tally in sorted(tallies.items())
    ]


def total_line(lines: Sequence[PoolLine]) -> PoolLine:
    """The sum of several lines; the mean log-prob is the lines' means weighted
    by their sample counts."""
    weighted = [
        (line.mean_logprob, line.samples) for line in lines if line.mean_logprob is not None
    ]
    weight = sum(samples for _, samples in weighted)
    return PoolLine(
        problem="total",
        language="",
        prompts=sum(line.prompts for line in lines),
        samples=sum(line.samples for line in lines),
        distinct_programs=sum(line.distinct_programs for line in lines),
        duplicates=sum(line.duplicates for line in lines),
        extraction_failures=sum(line.extraction_failures for line in lines),
        tokens=sum(line.tokens for line in lines),
        mean_logprob=sum(m * s for m, s in weighted) / weight if weight else None,
    )


HEADERS = (
    "problem",
    "language",
    "prompts",
    "samples",
    "distinct",
    "duplicates",
    "no code",
    "tokens",
    "mean logprob",
)


def _cells(line: PoolLine) -> list[str]:
    logprob = "-" if line.mean_logprob is None else f"{line.mean_logprob:.3f}"
    return [
        line.problem,
        line.language,
        str(line.prompts),
        str(line.samples),
        str(line.distinct_programs),
        str(line.duplicates),
        str(line.extraction_failures),
        str(line.tokens),
        logprob,
    ]


def format_pool_table(lines: Sequence[PoolLine]) -> str:
    """A plain-text table: names left-aligned, numbers right-aligned, and a total
    row when there is more than one line."""
    if not lines:
        return "empty pool: no prompts in this run"
    rows = [_cells(line) for line in lines]
    if len(lines) > 1:
        rows.append(_cells(total_line(lines)))
    return table(HEADERS, rows, right=range(2, len(HEADERS)))


def describe_pool(run_dir: Path) -> str:
    """The pool table of the run in `run_dir`, read from one store snapshot."""
    with RunStore.open(run_dir, readonly=True) as store:
        prompts, samples, candidates = store.pool_rows()
    return format_pool_table(summarise_pool(prompts, samples, candidates))
