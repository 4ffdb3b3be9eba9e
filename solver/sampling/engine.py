"""The one sampling interface every engine implements, and its plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class SamplingParams:
    """What to ask an engine for: n completions of each prompt."""

    n: int = 1
    temperature: float = 1.0
    top_p: float = 1.0
    max_tokens: int = 1024
    seed: int = 0


@dataclass(frozen=True)
class Prompt:
    """One prompt to sample from. `messages` is a chat (role/content dicts);
    `language` is the programming language asked for ("cpp" or "python");
    `subtask` names the targeted subtask for IOI-style per-subtask prompts."""

    messages: tuple[dict[str, str], ...]
    language: str
    subtask: str | None = None
    template: str = "default"

    def key(self) -> str:
        """A stable identity for the prompt (used by the store and caches)."""
        import hashlib
        import json

        blob = json.dumps([list(self.messages), self.language, self.subtask, self.template])
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Completion:
    """One sampled completion: raw text plus what later stages need.

    `index` is the completion's position among the n samples of its prompt
    (0..n-1) so that a resumed run can tell which samples it already has."""

    prompt_key: str
    index: int
    text: str
    num_tokens: int
    logprob: float | None
    engine: str
    model: str
    seed: int
    extra: dict[str, object] = field(default_factory=dict)


class Engine(Protocol):
    """A source of completions. `generate` returns, for each prompt, its
    `params.n` completions in index order, deterministic for `params.seed` (the
    sampler derives one seed per chunk, so a resumed run redoes whole chunks)."""

    name: str
    model: str

    def generate(self, prompts: list[Prompt], params: SamplingParams) -> list[list[Completion]]: ...
