"""Benchmark: this judge (full sandbox) against a naive evaluation harness.

The same candidates (copies of a C++ and a Python accepted solution of an example
problem, each made distinct by a comment line, as a pool of sampled candidates
is) on the same tests, judged in one run by
  (a) a naive harness that starts `python3 file.py` / the binary with
      `subprocess.run(timeout=...)` per test and compares tokens, as common
      evaluation harnesses do, and
  (b) cpsolve's Judge with its full sandbox (namespaces, seccomp, cgroups, rlimits,
      per-run box), re-judging every run (the result cache is not read), with one
      worker (same parallelism as the naive loop) and with one worker per core.
Each round judges all copies in one call, as the judge is used on a pool. Rounds
alternate (a) and (b) to share machine noise. Prints runs per second of each
and, last, the ratios: Python judge/naive (target >= 3), and the C++ per-run
overhead in milliseconds over the bare exec (target <= 2 ms).

    python tools/bench_judge.py [--rounds 5] [--copies 8] [--problem problems/examples/pairsum]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from judge.checkers import check_tokens
from judge.languages import base_python
from judge.programs import Program, program_from_paths
from judge.session import Judge, JudgeOptions
from judge.verdicts import Verdict
from problems.load import load_problem
from problems.model import Problem

REPO = Path(__file__).resolve().parents[1]


COMMENT = {".cpp": "//", ".py": "#"}


def copies(source: Path, count: int, folder: Path) -> list[Path]:
    """`count` copies of `source`, each distinct by a trailing comment line."""
    paths = []
    for index in range(count):
        path = folder / f"{source.stem}_{index}{source.suffix}"
        text = source.read_text() + f"\n{COMMENT[source.suffix]} bench copy {index}\n"
        path.write_text(text)
        paths.append(path)
    return paths


def naive_round(problem: Problem, commands: list[list[str]], time_s: float) -> tuple[int, float]:
    """Judge every command on every test with subprocess.run; returns (runs, seconds)."""
    started = time.perf_counter()
    for command in commands:
        for test in problem.tests:
            with open(test.input_path, "rb") as stdin:
                done = subprocess.run(command, stdin=stdin, capture_output=True, timeout=time_s * 3)
            assert test.answer_path is not None
            verdict = check_tokens(done.stdout, test.answer_path.read_bytes()).verdict
            assert verdict is Verdict.AC, f"naive harness: {test.name} {verdict}"
    return len(commands) * len(problem.tests), time.perf_counter() - started


def judge_round(judge: Judge, problem: Problem, programs: list[Program]) -> tuple[int, float]:
    """Judge every program on every test with the sandboxed judge; returns (runs, seconds)."""
    started = time.perf_counter()
    results = judge.judge_programs(problem, programs)
    elapsed = time.perf_counter() - started
    for result in results:
        assert result.result.verdict is Verdict.AC, result.result
    return sum(len(result.tests) for result in results), elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problem", default=str(REPO / "problems/examples/pairsum"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--copies", type=int, default=8, help="candidates per language")
    args = parser.parse_args()
    problem = load_problem(Path(args.problem))
    accepted = {
        sub.paths[0].suffix: sub.paths[0] for sub in problem.submissions if sub.label == "accepted"
    }
    work = Path(tempfile.mkdtemp(prefix="bench-judge-"))
    sources = {
        language: copies(accepted[suffix], args.copies, work)
        for language, suffix in (("cpp", ".cpp"), ("python", ".py"))
    }
    binaries = [work / path.stem for path in sources["cpp"]]
    for path, binary in zip(sources["cpp"], binaries, strict=True):
        subprocess.run(["g++", "-std=gnu++17", "-O2", "-o", str(binary), str(path)], check=True)
    programs = {
        language: [program_from_paths([path]) for path in paths]
        for language, paths in sources.items()
    }
    naive_commands = {
        "cpp": [[str(binary)] for binary in binaries],
        "python": [[base_python(), str(path)] for path in sources["python"]],
    }
    cache = work / "cache"
    rates: dict[tuple[str, str], list[float]] = {}
    judges = {
        "judge-1-worker": Judge(
            JudgeOptions(workers=1, cache_dir=cache, reuse_results=False, lazy=False)
        ),
        "judge-all-cores": Judge(
            JudgeOptions(workers=None, cache_dir=cache, reuse_results=False, lazy=False)
        ),
    }
    time_s = judges["judge-1-worker"].setup(problem).time_s
    try:
        for judge in judges.values():  # warm up: compile once, start the runners
            for language_programs in programs.values():
                judge_round(judge, problem, language_programs)
        for _round in range(args.rounds):
            for language, language_programs in programs.items():
                runs, seconds = naive_round(problem, naive_commands[language], time_s)
                rates.setdefault(("naive", language), []).append(runs / seconds)
                for name, judge in judges.items():
                    runs, seconds = judge_round(judge, problem, language_programs)
                    rates.setdefault((name, language), []).append(runs / seconds)
    finally:
        for judge in judges.values():
            judge.close()
    print(
        f"problem {problem.name}: {len(problem.tests)} tests x {args.copies} candidates"
        f" per language, {args.rounds} rounds, median runs/s"
    )
    for (harness, language), values in sorted(rates.items()):
        print(f"  {harness:16s} {language:7s} {statistics.median(values):9.1f} runs/s")
    naive_cpp = statistics.median(rates[("naive", "cpp")])
    judge_cpp = statistics.median(rates[("judge-1-worker", "cpp")])
    overhead_ms = (1 / judge_cpp - 1 / naive_cpp) * 1000
    py_ratio = statistics.median(rates[("judge-1-worker", "python")]) / statistics.median(
        rates[("naive", "python")]
    )
    py_ratio_all = statistics.median(rates[("judge-all-cores", "python")]) / statistics.median(
        rates[("naive", "python")]
    )
    print(f"C++ overhead per run (1 worker vs bare exec): {overhead_ms:.2f} ms (target <= 2 ms)")
    print(f"Python judge/naive, all cores: {py_ratio_all:.2f}x")
    print(f"Python judge/naive, 1 worker: {py_ratio:.2f}x (target >= 3x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
