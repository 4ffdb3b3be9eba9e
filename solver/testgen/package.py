"""New inputs from the package's own generators.

A generator prints one input for its arguments, the first being a seed
(`gen.py SEED ...`, the convention of problems/examples and of most olympiad
packages). The arguments it is meant to be called with are read from the package:
string-list literals in the scripts next to it (a `make_data.py` lists
`["101", "1", "-5", "5", "prefix"]` per test). New inputs come from the recorded
invocations with fresh seeds, so each keeps the shape of a real test. Scripts that
write the data folder themselves (make_data.py) are not generators.
"""

from __future__ import annotations

import ast
import random
from dataclasses import dataclass
from pathlib import Path

from judge.trusted import runnable_program
from problems.model import Problem

DATA_SCRIPTS = ("make_data", "generate_data", "make_tests")
_MAX_SEED = 10**9


@dataclass(frozen=True)
class Generator:
    """A package generator (main source first) and the argument lists it is known
    to be called with (empty: call it with a seed only)."""

    sources: tuple[Path, ...]
    invocations: tuple[tuple[str, ...], ...]


def _string_lists(path: Path) -> list[tuple[str, ...]]:
    """Every list/tuple literal of >= 1 string constants whose first is an integer."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (SyntaxError, UnicodeDecodeError, OSError):
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.List | ast.Tuple) and node.elts:
            values = [e.value for e in node.elts if isinstance(e, ast.Constant)]
            if len(values) == len(node.elts) and all(isinstance(v, str) for v in values):
                strings = tuple(str(v) for v in values)
                if strings[0].lstrip("-").isdigit():
                    found.append(strings)
    return found


def package_generators(problem: Problem) -> list[Generator]:
    """The package's generators this judge can run, with their recorded calls."""
    generators: list[Generator] = []
    scripts = [entry for entry in problem.generators if entry.is_file()]
    for entry in problem.generators:
        if entry.stem in DATA_SCRIPTS:
            continue
        sources = runnable_program(entry)
        if sources is None:
            continue
        invocations: list[tuple[str, ...]] = []
        for script in scripts:
            if script != entry and script.suffix == ".py":
                invocations += _string_lists(script)
        generators.append(Generator(sources, tuple(dict.fromkeys(invocations))))
    return generators


def draw_invocations(generator: Generator, count: int, rng: random.Random) -> list[tuple[str, ...]]:
    """`count` argument lists: recorded calls (or a bare seed) with fresh seeds."""
    calls = []
    for _ in range(count):
        seed = str(rng.randrange(1, _MAX_SEED))
        if generator.invocations:
            recorded = rng.choice(generator.invocations)
            calls.append((seed, *recorded[1:]))
        else:
            calls.append((seed,))
    return calls
