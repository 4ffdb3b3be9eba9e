"""Sampling spread over Ray actors (`cpsolve sample --backend ray`): an Engine
whose `generate` splits a call's prompts into contiguous shards, one per actor,
each actor holding its own engine (`make_engine(name, model, **options)`, built
once on its node: one model load per actor), and joins the answers in prompt
order. The driver alone writes the run store, so a resumed or retried run
stores every chunk once.

What it gives: the engines' completions are per prompt (the prompt's key, the
call's seed and the completion index decide them, as the `mutants` and
`replay` engines and a seeded model do), so a sharded call returns what one
engine would. An engine whose output depends on the other prompts of its call
(a `replay` pool keyed by `prompt_index`, batched model sampling whose random
stream runs across prompts) gives different, still deterministic, completions
for a given actor count. An actor lost with its node is restarted and its call
made again (the call is deterministic, so nothing changes). For one big GPU
model, vLLM's own data parallelism (one engine over several GPUs) is the better
tool; this spreads independent engines over nodes."""

from __future__ import annotations

from typing import Any

from judge.ray_pool import connect, import_ray
from solver.sampling.engine import Completion, Prompt, SamplingParams

ACTOR_RESTARTS = 2


class EngineHost:
    """The body of one actor: one engine, made where the actor runs."""

    def __init__(self, name: str, model: str | None, options: dict[str, Any]) -> None:
        from solver.sampling.registry import make_engine

        self.engine = make_engine(name, model, **options)

    def describe(self) -> tuple[str, str]:
        """The engine's name and model."""
        return self.engine.name, self.engine.model

    def generate(self, prompts: list[Prompt], params: SamplingParams) -> list[list[Completion]]:
        """This actor's shard of a call."""
        return self.engine.generate(prompts, params)


def shards(count: int, parts: int) -> list[range]:
    """`range(count)` cut into at most `parts` contiguous, non-empty pieces whose
    sizes differ by at most one."""
    parts = max(1, min(parts, count))
    size, extra = divmod(count, parts)
    pieces, start = [], 0
    for part in range(parts):
        stop = start + size + (part < extra)
        pieces.append(range(start, stop))
        start = stop
    return [piece for piece in pieces if piece]


class RayEngine:
    """An Engine over `actors` Ray actors (see the module doc); `cpus_per_actor`
    and `gpus_per_actor` are what Ray reserves for each. Close it (or use it as
    a context manager) to end the actors."""

    def __init__(
        self,
        name: str,
        model: str | None,
        options: dict[str, Any],
        *,
        actors: int = 2,
        address: str | None = None,
        cpus_per_actor: float = 1.0,
        gpus_per_actor: float = 0.0,
    ) -> None:
        from solver.sampling.registry import EngineError, known_engines

        if actors < 1:
            raise EngineError(f"--backend ray needs at least one actor, got {actors}")
        if name not in known_engines():  # before any actor starts: one clear error
            raise EngineError(
                f"unknown engine {name!r}; known engines: {', '.join(known_engines())}"
            )
        ray = import_ray()
        self._ray = ray
        self._connected = connect(address, None)
        host = ray.remote(
            num_cpus=cpus_per_actor,
            num_gpus=gpus_per_actor,
            max_restarts=ACTOR_RESTARTS,
            max_task_retries=ACTOR_RESTARTS,
        )(EngineHost)
        self._actors = [host.remote(name, model, options) for _ in range(actors)]
        self.name, self.model = ray.get(self._actors[0].describe.remote())

    def generate(self, prompts: list[Prompt], params: SamplingParams) -> list[list[Completion]]:
        """Each prompt's completions, its shard drawn on one actor; prompt order kept."""
        pieces = shards(len(prompts), len(self._actors))
        refs = [
            actor.generate.remote([prompts[i] for i in piece], params)
            for actor, piece in zip(self._actors, pieces, strict=False)
        ]
        return [row for part in self._ray.get(refs) for row in part]

    def close(self) -> None:
        """End the actors, and the Ray connection if this engine made it."""
        for actor in self._actors:
            self._ray.kill(actor)
        self._actors = []
        if self._connected:
            self._ray.shutdown()
            self._connected = False

    def __enter__(self) -> RayEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
