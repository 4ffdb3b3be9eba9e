"""`cpsolve sample PROBLEM --engine E -n N --run DIR`: sample candidates into a run."""

from __future__ import annotations

import argparse
from pathlib import Path

from solver.cli.solve import add_language_option


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the `sample` parser."""
    parser = sub.add_parser("sample", help="sample candidate programs into a run directory")
    parser.add_argument("problem", help="problem package folder")
    parser.add_argument(
        "--engine", default="llamacpp", help="llamacpp (default), hf, vllm, openai, mutants, replay"
    )
    parser.add_argument(
        "--model",
        default=None,
        help="model folder, server URL or recorded pool (default: SmolLM2-135M)",
    )
    parser.add_argument("-n", type=int, default=100, help="samples per prompt")
    parser.add_argument("--run", required=True, help="run directory (resumed if it exists)")
    add_language_option(parser)
    parser.add_argument("--per-subtask", action="store_true", help="one prompt per subtask")
    parser.add_argument("--temperature", type=float, default=1.0)
    parser.add_argument("--top-p", type=float, default=0.95)
    parser.add_argument("--max-tokens", type=int, default=1024)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--chunk-size", type=int, default=50, help="samples per transaction")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--backend",
        choices=("local", "ray"),
        default="local",
        help="one engine here (default) or one per Ray actor (solver/sampling/ray_engine.py)",
    )
    parser.add_argument("--address", help="--backend ray: HOST:PORT of a Ray head")
    parser.add_argument("--actors", type=int, default=2, help="--backend ray: engines (actors)")
    parser.set_defaults(handler=run)


def user_errors() -> tuple[type[Exception], ...]:
    """Errors of the sampling stage that are the user's input, not a bug."""
    from solver.sample import SampleError
    from solver.sampling.openai_engine import ServerError
    from solver.sampling.registry import EngineError
    from solver.sampling.replay import ReplayError
    from solver.store import StoreError

    return (EngineError, ServerError, ReplayError, StoreError, SampleError)


def run(args: argparse.Namespace) -> int:
    """Sample candidate programs for a problem into a run directory (resumable)."""
    from problems.load import load_problem
    from solver.sample import sample_problem
    from solver.sampling.engine import Engine, SamplingParams
    from solver.sampling.registry import make_engine
    from solver.store import RunStore

    problem = load_problem(Path(args.problem))
    languages = tuple(args.language or ["cpp"])
    options = {"problem": problem, "languages": languages}
    if args.backend == "ray":
        from solver.sampling.ray_engine import RayEngine

        engine: Engine = RayEngine(
            args.engine, args.model, options, actors=args.actors, address=args.address
        )
    else:
        engine = make_engine(args.engine, args.model, **options)
    params = SamplingParams(
        n=args.n,
        temperature=args.temperature,
        top_p=args.top_p,
        max_tokens=args.max_tokens,
        seed=args.seed,
    )
    with RunStore.open(Path(args.run)) as store:
        summary = sample_problem(
            problem,
            engine,
            store,
            args.n,
            params,
            languages=languages,
            per_subtask=args.per_subtask,
            chunk_size=args.chunk_size,
            progress=not args.quiet,
        )
    print(
        f"{summary.samples} samples drawn ({summary.skipped_samples} already in the run), "
        f"{summary.distinct_programs} distinct programs, "
        f"{summary.extraction_failures} extraction failures, {summary.tokens} tokens, "
        f"{summary.seconds:.1f} s"
    )
    return 0
