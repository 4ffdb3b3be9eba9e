"""Selection benchmark, table 1: the real model pool (CodeT's codet-humaneval release:
164 HumanEval problems x 100 CodeGen-Mono-16B samples, the model's own asserts, the
hidden checks), with CodeT's own released implementation run unchanged beside ours.

Usage:
    .venv/bin/python tools/bench_selection.py [--peer-log FILE] [--peer-cache DIR]
        [--limit-problems N] [--no-peer] [--workers N] [--seeds N]

What it does, in one run:
1. reads the pool (problems/humaneval.py, solver/humaneval_pool.py) and runs every
   distinct completion in the sandbox on the hidden check, the generated asserts and
   the generated inputs (cached: a second run executes nothing);
2. prints pass@1 and pass@2 of random choice (unbiased estimator), the oracle
   (pass@100), our `codet` (solver/scoring/codet.py, scored by CodeT's evaluation
   protocol, ties merged), the same ranking as a deterministic submission order,
   and every strategy of solver/select (strategies/*.yaml) when that package is
   present (mean over --seeds tie-break seeds);
3. runs CodeT's implementation (../shared/peers/codet, unchanged) as a subprocess
   under `unshare -n` on the same problems (the first N with --limit-problems: it
   then reads copies of the first N rows of each file), or reads the log of an
   earlier run (--peer-log; it must cover the same problems), and prints its figures
   beside ours. With the peer's pickles (its --cache_dir, --peer-cache; found by
   itself when this tool ran the peer) it also scores the peer's own execution
   results with our functions (random choice and codet "on the peer's runs": equal
   to the peer's logged figures when our CodeT is faithful) and lists the programs
   whose hidden verdict or assert results differ between its execution and ours.

Table 2 (contest pools) is another module's. The hook: when
tools/bench_selection_contest.py exists, its `add_arguments(parser)` (optional;
it must not redefine the options above, e.g. --workers) extends this parser and
its `run(args)` prints table 2 after table 1, so that its last line (the best
strategy's efficiency) is this benchmark's last line. Otherwise the last line is
our codet's pass@1 against the peer's.

Figures are noisy on a shared machine only in how long things take: the harness
limits are CPU time, so its verdicts do not depend on the load (the peer's 0.1 s
wall-clock limits do).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import pickle
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from judge.paths import cache_root  # noqa: E402
from solver.candidates import Pool  # noqa: E402
from solver.humaneval_pool import (  # noqa: E402
    PROBLEMS_FILE,
    SOLUTIONS_FILE,
    TEST_PROMPTS_FILE,
    TESTS_FILE,
    HumanEvalTask,
    TaskRuns,
    load_tasks,
    run_tasks,
    to_pool,
)
from solver.scoring.codet import codet_order, codet_pass_at_k, codet_rank, pass_at_k  # noqa: E402

SHARED = REPO.parent / "shared"
POOL_DIR = SHARED / "pools" / "codet-humaneval"
PEER_DIR = SHARED / "peers" / "codet"
CONTEST_TABLE = Path(__file__).with_name("bench_selection_contest.py")
KS = (1, 2)
PUBLISHED = (
    "measured earlier on this pool (pools README): CodeT's implementation pass@1 36.75, "
    "pass@2 44.74; random pass@1 22.12; pass@100 73.78"
)


@dataclass(frozen=True)
class Row:
    """One line of table 1: a method and its pass@1, pass@2 (percent) and a note."""

    method: str
    pass1: float | None
    pass2: float | None
    note: str = ""


@dataclass(frozen=True)
class PeerResult:
    """The figures CodeT's implementation logged, and where its pickles are."""

    ranked: dict[str, float]
    random: dict[str, float]
    cache_dir: Path | None
    seconds: float | None


# --- the peer ------------------------------------------------------------------------

LOG_DICT = re.compile(r"\] - (\{'pass@.*\})\s*$")
# "'pass@1': 0.3675" or, with numpy 2, "'pass@1': np.float64(0.3675)"
LOG_ITEM = re.compile(r"'(pass@\d+)': (?:np\.float64\()?([0-9.eE+-]+)")


def parse_peer_log(path: Path) -> tuple[dict[str, float], dict[str, float]]:
    """(ranked, random) pass@k dicts from a CodeT log: the dict logged after
    'pass rates of ranked solutions' and the one after 'pass rates of random'."""
    ranked: dict[str, float] | None = None
    random_choice: dict[str, float] | None = None
    section = ""
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if "pass rates of ranked solutions" in line:
            section = "ranked"
        elif "pass rates of random solutions" in line:
            section = "random"
        match = LOG_DICT.search(line)
        if match and section:
            value = {key: float(v) for key, v in LOG_ITEM.findall(match.group(1))}
            if section == "ranked":
                ranked = value
            else:
                random_choice = value
    if ranked is None or random_choice is None:
        raise SystemExit(f"{path}: no CodeT pass@k lines (did the peer run finish?)")
    return ranked, random_choice


def _limited_copies(pool_dir: Path, limit: int, folder: Path) -> Path:
    """The first `limit` rows of each pool file, in `folder` (for a partial peer run)."""
    for name in (PROBLEMS_FILE, TEST_PROMPTS_FILE, SOLUTIONS_FILE, TESTS_FILE):
        lines = (pool_dir / name).read_text(encoding="utf-8").splitlines(keepends=True)
        (folder / name).write_text("".join(lines[:limit]), encoding="utf-8")
    return folder


def run_peer(pool_dir: Path, limit: int | None, log: Path, timeout_s: float) -> PeerResult:
    """Run CodeT's main.py unchanged, without network, on the pool (or its first
    `limit` problems); its log goes to `log`, its pickles next to it."""
    if shutil.which("unshare") is None:
        raise SystemExit("the peer needs util-linux `unshare` (it runs without network)")
    work = Path(tempfile.mkdtemp(prefix="peer-codet-", dir=log.parent))
    source = _limited_copies(pool_dir, limit, work) if limit else pool_dir
    pickles = work / "cache"
    pickles.mkdir()
    command = [
        "unshare",
        "-n",
        sys.executable,
        "main.py",
        "--source_path_for_solution",
        str(source / PROBLEMS_FILE),
        "--predict_path_for_solution",
        str(source / SOLUTIONS_FILE),
        "--source_path_for_test",
        str(source / TEST_PROMPTS_FILE),
        "--predict_path_for_test",
        str(source / TESTS_FILE),
        "--cache_dir",
        str(pickles),
    ]
    print(f"peer: {' '.join(command)}  (cwd {PEER_DIR}, log {log})", file=sys.stderr)
    start = time.monotonic()
    with open(log, "w", encoding="utf-8") as handle:
        subprocess.run(
            command,
            cwd=PEER_DIR,
            stdout=handle,
            stderr=subprocess.STDOUT,
            timeout=timeout_s,
            check=True,
        )
    seconds = time.monotonic() - start
    ranked, random_choice = parse_peer_log(log)
    return PeerResult(ranked, random_choice, pickles, seconds)


def peer_runs(cache_dir: Path, tasks: Sequence[HumanEvalTask]) -> list[TaskRuns] | None:
    """The peer's own execution results (its pickles) as TaskRuns in our task and
    candidate order, or None when the pickles are absent. `outputs` holds, per
    candidate, the peer's result string of its hidden check."""
    ground = cache_dir / "ground_truth_exec_result.pkl"
    dual = cache_dir / "dual_exec_result.pkl"
    if not ground.is_file() or not dual.is_file():
        return None
    with open(ground, "rb") as handle:
        peer_truth = pickle.load(handle)  # noqa: S301 - the peer's own output, on this machine
    with open(dual, "rb") as handle:
        peer_dual = pickle.load(handle)  # noqa: S301
    truth = {(r["task_id"], r["completion"]): r for r in peer_truth}
    dual_by = {(r["task_id"], r["completion"]): r for r in peer_dual}
    runs = []
    for task in tasks:
        correct, passed, reasons = [], [], []
        for completion in task.completions:
            key = (task.problem.task_id, completion)
            verdict = truth.get(key, {"passed": False, "result": "not run"})
            correct.append(bool(verdict["passed"]))
            reasons.append((str(verdict["result"])[:60],))
            record = dual_by.get(key)
            row = dict.fromkeys(task.tests, False)
            if record is not None and record["passed"]:
                row.update(zip(record["test_cases"], map(bool, record["result"]), strict=False))
            passed.append(tuple(row[test] for test in task.tests))
        runs.append(TaskRuns(tuple(correct), tuple(passed), tuple(reasons)))
    return runs


def peer_differences(
    tasks: Sequence[HumanEvalTask], ours: Sequence[TaskRuns], theirs: Sequence[TaskRuns]
) -> list[str]:
    """Where the peer's execution and ours differ: hidden verdicts (with the peer's
    reason), and candidates whose assert results differ."""
    verdicts: list[str] = []
    reasons: Counter[str] = Counter()
    assert_rows = 0
    for task, mine, peer in zip(tasks, ours, theirs, strict=True):
        for index in range(len(task.completions)):
            if mine.correct[index] != peer.correct[index]:
                reason = peer.outputs[index][0]
                reasons[f"ours={mine.correct[index]} peer: {reason[:20]}"] += 1
                verdicts.append(
                    f"  {task.problem.task_id} candidate {index} "
                    f"({task.sample_counts[index]} samples): hidden check ours="
                    f"{mine.correct[index]}, peer {reason!r}"
                )
            if mine.passed[index] != peer.passed[index]:
                assert_rows += 1
    lines = [f"distinct programs whose hidden verdict differs: {len(verdicts)}"]
    lines += [f"  {count} x {reason}" for reason, count in reasons.most_common()]
    lines += verdicts[:30]
    if len(verdicts) > 30:
        lines.append(f"  ... {len(verdicts) - 30} more")
    lines.append(f"distinct programs whose assert results differ: {assert_rows}")
    return lines


def codet_differences(
    tasks: Sequence[HumanEvalTask],
    ours: Sequence[TaskRuns],
    theirs: Sequence[TaskRuns],
    peer_dual: Path,
) -> list[str]:
    """Per problem, where our codet's pass@1 differs from CodeT's scoring of its own
    runs: the contribution in points, and whether the peer's assert run failed for
    every candidate of that problem (its most common message: a model-written test
    that does not compile inside CodeT's packed `check()` function fails them all)."""
    with open(peer_dual, "rb") as handle:
        records = pickle.load(handle)  # noqa: S301 - the peer's own output, on this machine
    failures: dict[str, Counter[str]] = {}
    for record in records:
        result = record["result"]
        failures.setdefault(record["task_id"], Counter())[
            result[:70] if isinstance(result, str) else "ran"
        ] += 1
    lines = []
    for task, mine, peer in zip(tasks, ours, theirs, strict=True):
        rates = [
            codet_pass_at_k(
                codet_rank(run.passed, task.sample_counts, task.test_counts or None),
                run.correct,
                task.sample_counts,
                1,
            )
            for run in (mine, peer)
        ]
        if abs(rates[0] - rates[1]) > 1e-12:
            seen = failures.get(task.problem.task_id, Counter())
            note = (
                f"; the peer ran no candidate's asserts: {seen.most_common(1)[0][0]!r}"
                if seen and "ran" not in seen
                else "; execution differs"
            )
            share = 100 * (rates[0] - rates[1]) / len(tasks)
            lines.append(f"  {task.problem.task_id}: {share:+.3f} points{note}")
    return [f"problems where codet pass@1 differs (ours - CodeT on its runs): {len(lines)}", *lines]


# --- our figures ---------------------------------------------------------------------


def percent(values: Sequence[float]) -> float:
    """The mean of per-problem rates, in percent."""
    return 100.0 * statistics.fmean(values) if values else 0.0


def codet_rows(tasks: Sequence[HumanEvalTask], runs: Sequence[TaskRuns]) -> list[Row]:
    """Random choice, the oracle and our codet (CodeT's protocol and a fixed order)."""
    rand: dict[int, list[float]] = {k: [] for k in (*KS, 100)}
    ours: dict[int, list[float]] = {k: [] for k in KS}
    unweighted: dict[int, list[float]] = {k: [] for k in KS}
    ordered: dict[int, list[float]] = {k: [] for k in KS}
    for task, run in zip(tasks, runs, strict=True):
        total = sum(task.sample_counts)
        good = sum(n for n, ok in zip(task.sample_counts, run.correct, strict=True) if ok)
        for k in rand:
            rand[k].append(pass_at_k(total, good, k))
        ranked = codet_rank(run.passed, task.sample_counts, task.test_counts or None)
        plain = codet_rank(run.passed, task.sample_counts)
        order = codet_order(ranked, task.sample_counts)
        for k in KS:
            ours[k].append(codet_pass_at_k(ranked, run.correct, task.sample_counts, k))
            unweighted[k].append(codet_pass_at_k(plain, run.correct, task.sample_counts, k))
            ordered[k].append(float(any(run.correct[i] for i in order[:k])))
    return [
        Row("random choice (unbiased)", percent(rand[1]), percent(rand[2])),
        Row("oracle (pass@100)", percent(rand[100]), percent(rand[100]), "any of the 100 right"),
        Row("codet (ours)", percent(ours[1]), percent(ours[2]), "CodeT's protocol, ties merged"),
        Row(
            "codet (ours), fixed order",
            percent(ordered[1]),
            percent(ordered[2]),
            "most-sampled member of each set",
        ),
        Row(
            "codet (ours), tests unweighted",
            percent(unweighted[1]),
            percent(unweighted[2]),
            "each distinct assert counts 1",
        ),
    ]


def _select_module() -> ModuleType | None:
    if importlib.util.find_spec("solver.select.evaluate") is None:
        return None
    return importlib.import_module("solver.select.evaluate")


def strategy_rows(pools: Sequence[Pool], seeds: int) -> list[Row]:
    """pass@1 and pass@2 of every strategy in strategies/ (solver/select), averaged
    over tie-break seeds; the learned strategy is cross-fitted (`learned_row`)."""
    evaluate = _select_module()
    if evaluate is None:
        return [Row("solver/select strategies", None, None, "solver.select is absent")]
    strategy = importlib.import_module("solver.select.strategy")
    rows = []
    for name in strategy.named_strategies():
        chosen = strategy.find_strategy(name)
        if chosen.scoring == "learned":
            rows.append(learned_row(name, chosen, pools, seeds, evaluate))
            continue
        figures = [
            percent(
                [
                    evaluate.mean_strategy_score(pool, chosen, k, "pass", seeds=range(seeds))
                    for pool in pools
                ]
            )
            for k in KS
        ]
        rows.append(Row(f"strategy {name}", figures[0], figures[1], chosen.description))
    return rows


def learned_row(
    name: str, chosen: Any, pools: Sequence[Pool], seeds: int, evaluate: ModuleType
) -> Row:
    """pass@1 and pass@2 of the learned strategy by 2-fold cross-fitting: the
    problems are split by position (even / odd); a scorer trained on one half's
    pools scores the other half, so no problem is scored by a scorer that saw it."""
    from solver.scoring.learned import pool_examples, train_scorer

    folds = [list(pools[0::2]), list(pools[1::2])]
    scored: dict[int, list[float]] = {k: [] for k in KS}
    for held_out, training in ((folds[0], folds[1]), (folds[1], folds[0])):
        examples = [example for pool in training for example in pool_examples(pool)]
        if not held_out or not examples:
            continue
        scorer = train_scorer(examples)
        for k in KS:
            scored[k].extend(
                evaluate.mean_strategy_score(
                    pool, chosen, k, "pass", seeds=range(seeds), scorer=scorer
                )
                for pool in held_out
            )
    if not scored[KS[0]]:
        return Row(f"strategy {name}", None, None, "too few problems to train on")
    sizes = f"{len(folds[0])}/{len(folds[1])}"
    return Row(
        f"strategy {name}",
        percent(scored[KS[0]]),
        percent(scored[KS[1]]),
        f"2-fold cross-fitted: trained on the other half's problems ({sizes})",
    )


def peer_rows(peer: PeerResult | None) -> list[Row]:
    """The peer's own figures (its log rounds to 4 decimals: 0.01 points)."""
    if peer is None:
        return [Row("CodeT released implementation", None, None, "not run (--no-peer)")]
    took = f"{peer.seconds:.0f} s" if peer.seconds is not None else "from --peer-log"
    return [
        Row(
            "CodeT released implementation",
            100 * peer.ranked["pass@1"],
            100 * peer.ranked["pass@2"],
            f"unchanged, its log; {took}",
        ),
        Row(
            "  its random choice / pass@100",
            100 * peer.random["pass@1"],
            100 * peer.random.get("pass@100", float("nan")),
            "pass@1 / pass@100",
        ),
    ]


def print_table(rows: Sequence[Row]) -> None:
    """Table 1, one method a line."""
    width = max(len(row.method) for row in rows)
    print(f"{'method':<{width}}  {'pass@1':>7}  {'pass@2':>7}  note")
    for row in rows:
        cells = [f"{v:7.2f}" if v is not None else f"{'-':>7}" for v in (row.pass1, row.pass2)]
        print(f"{row.method:<{width}}  {cells[0]}  {cells[1]}  {row.note}")


def _progress() -> Callable[[int, int], None]:
    last = [0.0]

    def report(done: int, total: int) -> None:
        if time.monotonic() - last[0] > 30 or done == total:
            last[0] = time.monotonic()
            print(f"  executed {done}/{total} programs", file=sys.stderr, flush=True)

    return report


def build_parser() -> argparse.ArgumentParser:
    """The benchmark's options (table 2's module may add its own)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pool-dir", type=Path, default=POOL_DIR, help="CodeT's pool folder")
    parser.add_argument("--peer-log", type=Path, help="reuse the log of an earlier peer run")
    parser.add_argument("--peer-cache", type=Path, help="that run's --cache_dir (pickles)")
    parser.add_argument("--no-peer", action="store_true", help="do not run the peer")
    parser.add_argument("--peer-timeout", type=float, default=3600.0, help="seconds")
    parser.add_argument("--limit-problems", type=int, help="only the first N problems")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seeds", type=int, default=5, help="tie-break seeds per strategy")
    parser.add_argument("--skip-contest", action="store_true", help="table 1 only")
    return parser


def _contest_module() -> ModuleType | None:
    if not CONTEST_TABLE.is_file():
        return None
    spec = importlib.util.spec_from_file_location("bench_selection_contest", CONTEST_TABLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def table1(args: argparse.Namespace) -> None:
    """Table 1: the real pool, ours beside the peer's."""
    if not (args.pool_dir / PROBLEMS_FILE).is_file():
        print(f"table 1 skipped: {args.pool_dir} is absent")
        return
    tasks = load_tasks(args.pool_dir, args.limit_problems)
    start = time.monotonic()
    runs = run_tasks(tasks, workers=args.workers, progress=_progress())
    executed_s = time.monotonic() - start
    programs = sum(len(task.completions) for task in tasks)
    pools = [to_pool(task, run) for task, run in zip(tasks, runs, strict=True)]

    peer: PeerResult | None = None
    if args.peer_log is not None:
        ranked, random_choice = parse_peer_log(args.peer_log)
        peer = PeerResult(ranked, random_choice, args.peer_cache, None)
    elif not args.no_peer:
        log = cache_root() / f"peer-codet-{len(tasks)}.log"
        peer = run_peer(args.pool_dir, args.limit_problems, log, args.peer_timeout)

    ours = codet_rows(tasks, runs)
    strategies = strategy_rows(pools, args.seeds)
    rows = [*ours, *strategies, *peer_rows(peer)]
    theirs = peer_runs(peer.cache_dir, tasks) if peer and peer.cache_dir else None
    if theirs is not None:
        replay = codet_rows(tasks, theirs)
        rows += [
            Row(f"  {row.method} on the peer's runs", row.pass1, row.pass2, "its pickles")
            for row in (replay[0], replay[2])
        ]
    print(
        f"Table 1: real pool codet-humaneval, {len(tasks)} problems, {programs} distinct "
        f"programs ({executed_s:.0f} s to execute or read from the cache, {args.workers} workers)"
    )
    print_table(rows)
    print(PUBLISHED)
    if theirs is not None:
        print("execution, peer vs ours:")
        for line in peer_differences(tasks, runs, theirs):
            print(f"  {line}")
        assert peer is not None and peer.cache_dir is not None
        for line in codet_differences(tasks, runs, theirs, peer.cache_dir / "dual_exec_result.pkl"):
            print(f"  {line}")
    codet = next(row for row in ours if row.method == "codet (ours)")
    assert codet.pass1 is not None and codet.pass2 is not None
    if peer is not None:
        diff1 = codet.pass1 - 100 * peer.ranked["pass@1"]
        diff2 = codet.pass2 - 100 * peer.ranked["pass@2"]
        print(
            f"codet ours vs CodeT's implementation: pass@1 {codet.pass1:.2f} vs "
            f"{100 * peer.ranked['pass@1']:.2f} ({diff1:+.2f} points), pass@2 "
            f"{codet.pass2:.2f} vs {100 * peer.ranked['pass@2']:.2f} ({diff2:+.2f} points)"
        )
    else:
        print(f"codet ours: pass@1 {codet.pass1:.2f}, pass@2 {codet.pass2:.2f} (no peer run)")
    contenders = [row for row in (*ours[2:], *strategies) if row.pass1 is not None]
    best = max(contenders, key=lambda row: row.pass1 or 0.0)
    assert best.pass1 is not None
    versus = (
        f" vs CodeT's implementation {100 * peer.ranked['pass@1']:.2f} "
        f"({best.pass1 - 100 * peer.ranked['pass@1']:+.2f} points)"
        if peer is not None
        else ""
    )
    print(f"best on the real pool: {best.method} pass@1 {best.pass1:.2f}{versus}")


def main(argv: list[str] | None = None) -> int:
    """Table 1, then table 2 when its module exists."""
    parser = build_parser()
    contest = None if "--skip-contest" in (argv or sys.argv) else _contest_module()
    if contest is not None and hasattr(contest, "add_arguments"):
        contest.add_arguments(parser)
    args = parser.parse_args(argv)
    table1(args)
    if contest is not None and hasattr(contest, "run"):
        print()
        contest.run(args)
    elif contest is not None:
        print(f"table 2: {CONTEST_TABLE.name} has no run(args) yet; run it directly")
    return 0


if __name__ == "__main__":
    sys.exit(main())
