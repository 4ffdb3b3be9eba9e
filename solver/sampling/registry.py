"""Engines by name: a registry from engine name to a factory.

Each engine module registers itself through `register_engine` when the
registry first needs it (`builtin_engines`), so importing this module loads
no heavy library and has no side effects. Other modules (the `mutants`
engine) call `register_engine` themselves.
"""

from __future__ import annotations

import importlib
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


def _make_hf(model: str | None, **options: Any) -> Engine:
    from solver.sampling.hf_engine import make_hf_engine

    return make_hf_engine(model, **options)


def _make_vllm(model: str | None, **options: Any) -> Engine:
    from solver.sampling.vllm_engine import make_vllm_engine

    return make_vllm_engine(model, **options)


def _make_openai(model: str | None, **options: Any) -> Engine:
    from solver.sampling.openai_engine import make_openai_engine

    return make_openai_engine(model, **options)


def _make_replay(model: str | None, **options: Any) -> Engine:
    from solver.sampling.replay import make_replay_engine

    return make_replay_engine(model, **options)


BUILTIN_ENGINES: dict[str, EngineFactory] = {
    "hf": _make_hf,
    "vllm": _make_vllm,
    "openai": _make_openai,
    "replay": _make_replay,
}
"""The engines shipped in this package; their heavy imports happen in the factory."""


PLUGIN_MODULES: tuple[str, ...] = ("solver.sampling.mutants",)
"""Modules that register further engines when imported; loaded on first need."""


def _load_plugins() -> None:
    """Import the plugin modules that exist so that their engines register."""
    for module in PLUGIN_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name != module:
                raise


def known_engines() -> list[str]:
    """Names `make_engine` accepts, sorted (plugins included)."""
    _load_plugins()
    return sorted({**BUILTIN_ENGINES, **_FACTORIES})


def make_engine(name: str, model: str | None = None, **options: Any) -> Engine:
    """Build the engine called `name` for `model` (None: the engine's default).

    Unknown names raise ValueError listing the known engines."""
    factory = _FACTORIES.get(name) or BUILTIN_ENGINES.get(name)
    if factory is None:
        _load_plugins()
        factory = _FACTORIES.get(name)
    if factory is None:
        raise ValueError(f"unknown engine {name!r}; known engines: {', '.join(known_engines())}")
    return factory(model, **options)
