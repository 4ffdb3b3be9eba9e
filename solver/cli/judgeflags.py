"""The judging flags shared by the commands that judge (`--workers`, `--cache`, ...)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from judge.session import JudgeOptions


def add_judge_flags(parser: argparse.ArgumentParser) -> None:
    """Add the flags every judging command takes."""
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes (default: one per core; 0 = in this process)",
    )
    parser.add_argument(
        "--cache", help="cache folder (default: $CPSOLVE_CACHE or ~/.cache/cpsolve)"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    parser.add_argument(
        "--all-tests",
        action="store_true",
        help="run every test (default: stop where the grade cannot change)",
    )
    parser.add_argument("--rejudge", action="store_true", help="do not reuse cached results")
    parser.add_argument(
        "--sandbox",
        choices=("local", "docker"),
        default="local",
        help="where programs run: local namespaces (default) or Docker containers",
    )
    parser.add_argument(
        "--backend",
        choices=("local", "ray"),
        default="local",
        help="who runs the work: a local process pool (default) or Ray tasks on a cluster",
    )
    parser.add_argument(
        "--address",
        help="--backend ray: HOST:PORT of a Ray head (default: start a local one-node cluster)",
    )


def judge_options(args: argparse.Namespace) -> JudgeOptions:
    """The judge's options from the parsed judging flags."""
    options = JudgeOptions(
        workers=args.workers,
        progress=sys.stderr.isatty() and not args.quiet,
        lazy=not args.all_tests,
        reuse_results=not args.rejudge,
        sandbox=args.sandbox,
        backend=args.backend,
        address=args.address,
    )
    if args.cache:
        options.cache_dir = Path(args.cache)
    return options
