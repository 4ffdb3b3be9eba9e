"""Contest pools and selection on them (issue 9, table 2) and the cost figure.

For every problem (default: problems/examples and ../shared/problems) a pool of
`--candidates` distinct candidates (labelled submissions + mutants of the accepted
ones) is built and judged (hidden tests for the truth, public tests, `--inputs`
generated inputs, behaviour labels): see solver/contest_pool.py. Pools and every
run are cached under `--cache`, so a second run only evaluates. Then, per pool and
strategy: k = 1 and k = 10 pass/fail and IOI scoring with k = 50, each with the
expected score of random picks, the oracle and the selection efficiency
(strategy - random) / (oracle - random); and per pool how hard it is: the share
of public-filter survivors that fail the hidden tests.

`--cost N` instead times one pool of N distinct candidates (mixed C++ and Python
mutants) from sampling to an ordered selection (public filter, generated inputs,
behaviour clustering, scoring) in a fresh cache, and prints runs per second.

    .venv/bin/python tools/bench_selection_contest.py [--problems DIR...] \
        [--candidates 500] [--inputs 50] [--workers 2] [--cache DIR]
    .venv/bin/python tools/bench_selection_contest.py --cost 10000 \
        --problems problems/examples/pairsum

The machine is shared: timings are noisy. The last line is the key figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from judge.paths import cache_root
from judge.programs import SourceError
from judge.session import Judge, JudgeOptions
from problems.errors import ProblemError
from problems.load import find_problems, load_problem
from problems.model import Problem
from solver.candidates import Pool
from solver.contest_pool import JudgeErrors, build_contest_pool, contest_sources
from solver.judged_pool import NOT_RUN, runs_made, survivor_behaviour, tle_stop
from solver.judging import judge_public, make_candidate
from solver.poolfile import load_pool
from solver.scoring.learned import pool_examples, train_scorer
from solver.select.evaluate import efficiency, mean_strategy_score, oracle_score, random_score
from solver.select.policies import select
from solver.select.strategy import StrategyError, find_strategy, named_strategies
from solver.testgen import generate_inputs

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "problems"
COLUMNS = ((1, "pass"), (10, "pass"), (50, "ioi"))
SEEDS = 10  # strategies with random tie-breaks are averaged over this many seeds


def _problems(roots: list[str]) -> list[Path]:
    found: list[Path] = []
    for root in roots:
        try:
            found += find_problems(Path(root))
        except ProblemError as error:
            print(f"skipped {root}: {error}", file=sys.stderr)
    return found


def _hardness(pool: Pool) -> str:
    survivors = [c for c in pool.candidates if c.passes_public]
    failing = sum(not pool.is_correct(c.id) for c in survivors)
    share = failing / len(survivors) if survivors else float("nan")
    correct = sum(pool.is_correct(c.id) for c in pool.candidates)
    return (
        f"{len(pool.candidates)} candidates, {correct} correct, {len(survivors)} pass public, "
        f"{share:.0%} of those fail hidden"
    )


def evaluate_pools(pools: list[Pool]) -> None:
    """Print the table and, last, the best strategy's mean efficiency at k = 1."""
    strategies = {}
    for name in named_strategies():
        if name == "learned" and len(pools) < 2:
            continue  # needs a scorer trained on other pools
        try:
            strategies[name] = find_strategy(name)
        except StrategyError as error:
            print(f"skipped strategy {name}: {error}", file=sys.stderr)
    names = list(strategies)
    efficiencies: dict[tuple[str, int, str], list[float]] = {}
    header = f"{'pool':<22} {'strategy':<14}" + "".join(
        f" {f'k={k} {mode}':>22}" for k, mode in COLUMNS
    )
    print(header)
    if "learned" in strategies:
        print("learned: leave-one-pool-out, each pool scored by a scorer trained on the others")
    examples = [pool_examples(pool) for pool in pools] if "learned" in strategies else []
    for index, pool in enumerate(pools):
        scorer = None
        if examples:
            others = [e for rows in examples[:index] + examples[index + 1 :] for e in rows]
            scorer = train_scorer(others)
        baselines = {
            (k, mode): (random_score(pool, k, mode), oracle_score(pool, k, mode))
            for k, mode in COLUMNS
        }
        print(
            f"{pool.problem:<22} {'random/oracle':<14}"
            + "".join(f" {r:>10.2f} / {o:>9.2f}" for r, o in baselines.values())
        )
        for name, strategy in strategies.items():
            cells = []
            for k, mode in COLUMNS:
                score = mean_strategy_score(
                    pool, strategy, k, mode, seeds=range(SEEDS), scorer=scorer
                )
                random_expected, oracle = baselines[(k, mode)]
                eff = efficiency(score, random_expected, oracle)
                if eff is not None:
                    efficiencies.setdefault((name, k, mode), []).append(eff)
                cells.append(f" {score:>10.2f} eff {'-' if eff is None else f'{eff:5.2f}':>5}")
            print(f"{'':<22} {name:<14}" + "".join(cells))
        print(f"{'':<22} hardness: {_hardness(pool)}")
    print("\nmean selection efficiency over pools where the oracle beats random:")
    for k, mode in COLUMNS:
        row = [
            f"{name}={statistics.mean(efficiencies[(name, k, mode)]):.2f}"
            for name in names
            if efficiencies.get((name, k, mode))
        ]
        print(f"  k={k} {mode}: " + " ".join(row))
    at_one = {
        name: statistics.mean(values)
        for (name, k, mode), values in efficiencies.items()
        if (k, mode) == (1, "pass")
    }
    if at_one:
        best = max(at_one, key=lambda name: at_one[name])
        print(f"best strategy at k=1: {best}, selection efficiency {at_one[best]:.3f}")


def build_all(args: argparse.Namespace) -> list[Pool]:
    """Build (or load) every pool, printing where the time went."""
    pools = []
    with Judge(JudgeOptions(workers=args.workers, cache_dir=args.cache)) as judge:
        for path in _problems(args.problems):
            try:
                problem = load_problem(path)
            except ProblemError as error:
                print(f"skipped {path}: {error}", flush=True)
                continue
            if not contest_sources(problem, 1, args.seed):
                print(f"skipped {problem.name}: no submission or mutant builds here", flush=True)
                continue
            started = time.perf_counter()
            try:
                pool, stats = build_contest_pool(
                    judge,
                    problem,
                    args.cache,
                    args.candidates,
                    args.inputs,
                    args.seed,
                    log=lambda line: print(f"  {line}", flush=True),
                )
            except (SourceError, JudgeErrors) as error:
                print(f"not built {problem.name}: {error}", flush=True)
                continue
            took = time.perf_counter() - started
            stages = " ".join(f"{k}={v:.0f}s" for k, v in stats.seconds.items())
            print(
                f"{problem.name}: {stats.candidates} candidates, {stats.survivors} survivors, "
                f"{stats.inputs} inputs, {'loaded' if stats.loaded else 'built'} in {took:.0f}s "
                f"{stages}",
                flush=True,
            )
            if stats.candidates < args.candidates:
                labelled = sum(c.id.startswith("sub:") for c in pool.candidates)
                print(
                    f"short {problem.name}: {stats.candidates} distinct candidates of "
                    f"{args.candidates} ({labelled} labelled submissions, "
                    f"{stats.candidates - labelled} mutants: the mutators found no more "
                    "distinct mutants of its accepted solutions)",
                    flush=True,
                )
            pools.append(pool)
    return pools


def tree_cpu_seconds(root: int | None = None) -> float:
    """CPU seconds (user + system) used so far by this process and every live
    descendant, with the children each has reaped (the judge's workers, their
    sandbox runners and the programs those ran): a stage's CPU time is the
    difference, whatever else the shared machine runs."""
    root = os.getpid() if root is None else root
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # exited meanwhile
        fields = stat[stat.rindex(")") + 2 :].split()
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = sum(int(f) for f in fields[11:15]) / tick
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier += children
    return sum(times.get(pid, 0.0) for pid in tree)


def cost(args: argparse.Namespace, problem: Problem) -> None:
    """Time sampling -> public filter -> generated inputs -> behaviour -> selection
    for `args.cost` candidates, in a fresh cache."""
    load_before = os.getloadavg()
    cpu_started = tree_cpu_seconds()
    with tempfile.TemporaryDirectory(prefix="cpsolve-cost-") as tmp:
        cache = Path(tmp)
        with Judge(JudgeOptions(workers=args.workers, cache_dir=cache)) as judge:
            times: dict[str, tuple[float, float]] = {}
            started = time.perf_counter()
            mark = (started, tree_cpu_seconds())

            def lap(stage: str) -> None:
                nonlocal mark
                now = (time.perf_counter(), tree_cpu_seconds())
                times[stage] = (now[0] - mark[0], now[1] - mark[1])
                mark = (time.perf_counter(), tree_cpu_seconds())

            sources = contest_sources(problem, args.cost, args.seed)
            lap("sampling")
            public = judge_public(judge, problem, sources)
            lap("public filter")
            generated = generate_inputs(judge, problem, cache / "generated", args.inputs, args.seed)
            lap("generated inputs")
            generated, by_index = survivor_behaviour(
                judge,
                problem,
                sources,
                public,
                generated,
                args.inputs,
                args.seed,
                tle_stop(problem) if args.tle_stop else None,
            )
            lap("behaviour runs")
            not_run = (NOT_RUN,) * len(generated)
            pool = Pool(
                problem.name,
                tuple(
                    make_candidate(s, public[i], by_index.get(i, not_run))
                    for i, s in enumerate(sources)
                ),
                generated_inputs=tuple(item.name for item in generated),
            )
            selection = select(pool, find_strategy(args.cost_strategy), limit=10)
            lap("clustering+scoring+selection")
        total = time.perf_counter() - started
    cpu = tree_cpu_seconds() - cpu_started
    load_after = os.getloadavg()
    languages = {lang: sum(s.language == lang for s in sources) for lang in ("cpp", "python")}
    stop = tle_stop(problem) if args.tle_stop else None
    runs = sum(r.total for r in public) + sum(runs_made(row, stop) for row in by_index.values())
    for stage, (seconds, cpu_seconds) in times.items():
        print(f"  {stage:<30} {seconds:8.1f}s wall {cpu_seconds:8.1f}s CPU")
    print(
        f"cost: {problem.name}, {len(sources)} distinct candidates {languages}, "
        f"{len(by_index)} pass public, {len(generated)} generated inputs, "
        f"{selection.clusters} clusters, {len(selection.ids)} picks ({args.cost_strategy})"
    )
    print(
        f"cost: load average {load_before[0]:.1f} before, {load_after[0]:.1f} after, "
        f"{os.cpu_count()} cores; {cpu:.0f}s CPU in all"
    )
    print(
        f"cost: {runs} runs (+ {len(sources)} builds) in {total:.0f}s = "
        f"{runs / total:.1f} runs/s; {total / 60:.1f} min for {len(sources)} candidates "
        f"(target <= 10 min for 10,000)"
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Table 2's options (bench_selection.py adds them to its own; it has --workers)."""
    parser.add_argument(
        "--problems",
        nargs="*",
        default=[str(REPO / "problems" / "examples"), str(SHARED)],
        help="problem packages or folders holding them",
    )
    parser.add_argument("--candidates", type=int, default=500)
    parser.add_argument("--inputs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=cache_root() / "contest-pools")
    parser.add_argument("--cost", type=int, default=0, help="time a pool of N candidates")
    parser.add_argument(
        "--no-tle-stop",
        dest="tle_stop",
        action="store_false",
        help="--cost runs every survivor on every generated input (the figure before "
        "solver.judged_pool.behaviour_with_stops)",
    )
    parser.add_argument("--cost-strategy", default="cpsolve", help="the strategy --cost ends with")
    parser.add_argument(
        "--pool-files", nargs="*", type=Path, default=[], help="evaluate these saved pools only"
    )
    parser.add_argument(
        "--build-only", action="store_true", help="build (or load) the pools, print no table"
    )


def run(args: argparse.Namespace) -> None:
    """Table 2 (or the cost figure with --cost) for the parsed options."""
    if args.pool_files:
        evaluate_pools([load_pool(path) for path in args.pool_files])
    elif args.cost:
        [path] = _problems(args.problems)[:1]
        cost(args, load_problem(path))
    elif args.build_only:
        build_all(args)
    else:
        evaluate_pools(build_all(args))


def main() -> int:
    """Table 2 alone."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    parser.add_argument("--workers", type=int, default=2)
    run(parser.parse_args())
    return 0


if __name__ == "__main__":
    sys.exit(main())
