"""Engines by name: a registry from engine name to a factory.

The engines of this package are listed in `BUILTIN_ENGINES` with factories
that import their module only when called, so importing this module loads no
heavy library and has no side effects. Further engines are added with
`register_engine`; a registered factory takes precedence over a built-in one
of the same name (e.g. an in-memory fake in tests).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from solver.sampling.engine import Engine

EngineFactory = Callable[..., Engine]
"""A factory: `factory(model: str | None, **options) -> Engine`."""

_FACTORIES: dict[str, EngineFactory] = {}


def register_engine(name: str, factory: EngineFactory) -> None:
    """Make `make_engine(name, ...)` build engines with `factory`.

    Registering the same name twice with a different factory is a mistake
    (two engines would shadow each other), so it raises ValueError."""
    existing = _FACTORIES.get(name)
    if existing is not None and existing is not factory:
        raise ValueError(f"engine {name!r} is already registered by {existing!r}")
    _FACTORIES[name] = factory


CONTEXT_OPTIONS = frozenset({"problem", "languages"})
"""Options a caller (the CLI) may give every engine; model engines ignore them,
the `mutants` engine needs them."""


def _model_options(options: dict[str, Any]) -> dict[str, Any]:
    """`options` without the context options that model engines do not use."""
    return {key: value for key, value in options.items() if key not in CONTEXT_OPTIONS}


def _make_hf(model: str | None, **options: Any) -> Engine:
    from solver.sampling.hf_engine import make_hf_engine

    return make_hf_engine(model, **_model_options(options))


def _make_vllm(model: str | None, **options: Any) -> Engine:
    from solver.sampling.vllm_engine import make_vllm_engine

    return make_vllm_engine(model, **_model_options(options))


def _make_llamacpp(model: str | None, **options: Any) -> Engine:
    from solver.sampling.llamacpp_engine import make_llamacpp_engine

    return make_llamacpp_engine(model, **_model_options(options))


def _make_openai(model: str | None, **options: Any) -> Engine:
    from solver.sampling.openai_engine import make_openai_engine

    return make_openai_engine(model, **_model_options(options))


def _make_replay(model: str | None, **options: Any) -> Engine:
    from solver.sampling.replay import make_replay_engine

    return make_replay_engine(model, **_model_options(options))


def _make_mutants(model: str | None, **options: Any) -> Engine:
    from solver.sampling.mutants import make_mutants_engine

    return make_mutants_engine(model, **options)


BUILTIN_ENGINES: dict[str, EngineFactory] = {
    "hf": _make_hf,
    "vllm": _make_vllm,
    "llamacpp": _make_llamacpp,
    "openai": _make_openai,
    "replay": _make_replay,
    "mutants": _make_mutants,
}
"""The engines shipped in this package; their heavy imports happen in the factory."""


def known_engines() -> list[str]:
    """Names `make_engine` accepts, sorted."""
    return sorted({**BUILTIN_ENGINES, **_FACTORIES})


class EngineError(ValueError):
    """An engine cannot be built: unknown name, missing model, bad options."""


def make_engine(name: str, model: str | None = None, **options: Any) -> Engine:
    """Build the engine called `name` for `model` (None: the engine's default).

    Unknown names and model paths that do not exist raise EngineError, which
    names the engines known or the missing path."""
    factory = _FACTORIES.get(name) or BUILTIN_ENGINES.get(name)
    if factory is None:
        raise EngineError(f"unknown engine {name!r}; known engines: {', '.join(known_engines())}")
    try:
        return factory(model, **options)
    except FileNotFoundError as error:
        raise EngineError(f"engine {name!r}: {error}") from error
