"""The `cpsolve` command line: parses arguments and calls the library.

One module per command in this package (`solver/cli/<command>.py`), each with
`register(subparsers)` that adds its parser (with `handler=run` as a default) and,
optionally, `user_errors()` naming the exceptions that are the user's input, not a
bug. Modules import their heavy dependencies inside `run`, so `cpsolve --help` and
the light commands stay fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from judge.paths import CacheUnavailable
from judge.programs import SourceError
from judge.sandbox.local import SandboxUnavailable
from problems.errors import ProblemError

# The commands, in the order `cpsolve --help` lists them: one module each.
COMMANDS = (
    "judge",
    "check",
    "generate",
    "sample",
    "pool",
    "solve",
    "contest",
    "rate",
    "select",
    "tune",
    "train-scorer",
    "doctor",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(prog="cpsolve", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        importlib.import_module(f"solver.cli.{name.replace('-', '_')}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `cpsolve` console script."""
    args = build_parser().parse_args(argv)
    module = importlib.import_module(f"solver.cli.{args.command.replace('-', '_')}")
    expected: tuple[type[Exception], ...] = (
        ProblemError,
        SourceError,
        SandboxUnavailable,
        CacheUnavailable,
    )
    if hasattr(module, "user_errors"):
        expected += tuple(module.user_errors())
    try:
        code: int = args.handler(args)
    except expected as error:
        print(f"cpsolve: error: {error}", file=sys.stderr)
        return 2
    return code
