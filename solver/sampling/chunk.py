"""What one finished chunk of sampling hands to the store: its completions, the
program extracted from each, and the engine call's parameters."""

from __future__ import annotations

from dataclasses import dataclass

from solver.sampling.engine import Completion, SamplingParams


@dataclass(frozen=True)
class ExtractedProgram:
    """The program extracted from one completion: its source and normalised hash."""

    source: str
    source_hash: str


@dataclass(frozen=True)
class ChunkResult:
    """Everything one finished chunk writes: its completions (indices already
    global within the prompt), the extraction result of each (None = failure), and
    the parameters of the engine call that produced them."""

    prompt_key: str
    chunk: int
    completions: tuple[Completion, ...]
    extracted: tuple[ExtractedProgram | None, ...]
    params: SamplingParams
