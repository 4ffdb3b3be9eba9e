"""Where the time of `cpsolve check` goes, per stage, per submission and per
worker, on given packages.

    nice -n 19 .venv/bin/python tools/profile_check.py PACKAGE... [--workers N]
        [--cache DIR] [--trace FILE]

Judges in this process (`--workers 0`, the default) or with N worker processes
(as `cpsolve check`), and records every sandbox request and every attempt of
every test (a test near the limit is run up to three times) in a trace (JSON
lines, kept with --trace; the workers inherit the recording). From it, it adds
up the CPU seconds each sandboxed process used (measured by the sandbox's
cgroups), by stage: compiles (per compiler), candidate runs (per language),
checkers and other trusted programs, split into the set-up phase (the problem's
own programs and the time limit derived from accepted submissions) and the
judging of every labelled submission. The rest of the CPU (this process and the
sandbox runner) is the judge's own overhead. Per submission it splits the CPU of
its runs into what its grade needed (the tests that count), repeats near the
limit, and speculative runs after a rejection that did not count (`waste`);
per worker, how long it was busy and idle, and the 2-worker lower bound of the
wall time (the larger of half the busy time and the longest single job).

A fresh cache is used unless --cache is given. CPU seconds do not depend on
`nice` or on the machine's load; the wall time does. With --no-pch, C++
compiles do not use the precompiled <bits/stdc++.h> (judge/pch.py); with
--no-carry-over, the runs judged while a time limit is derived are judged again
under the derived limit (as before judge.timelimit.carry_over): the figures
before each. Prints the tables, each submission's verdict, and last the total
CPU seconds."""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from judge import execute, pch, session
from judge.builds import grader_build, submission_program
from judge.compile import Build, Compiled
from judge.labelcheck import LabelCheck, check_problem
from judge.programs import SourceError
from judge.sandbox import LocalSandbox, RunRequest, RunResult
from judge.session import Judge, JudgeOptions
from problems.load import load_problem
from problems.model import Problem
from solver import report

Totals = dict[tuple[str, str], list[float]]


def _stage(request: RunRequest) -> list[tuple[str, int]]:
    """(stage name, index) of each process of a request."""
    named = []
    for index, process in enumerate(request.processes):
        program = Path(process.argv[0]).name
        if "c++-header" in process.argv:
            named.append(("pch-build (once per cache)", index))
        elif process.stderr == "compile.err":
            named.append((f"compile {program}", index))
        elif process.trusted:
            named.append(("checker/manager", index))
        else:
            named.append((f"run {'cpython' if process.python else program}", index))
    return named


class Trace:
    """JSON lines appended to one file by this process and every worker forked
    from it (each line is one write of an O_APPEND descriptor)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.path.touch()

    def write(self, record: dict[str, Any]) -> None:
        """Append one record."""
        line = (json.dumps(record) + "\n").encode()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)

    def records(self) -> list[dict[str, Any]]:
        """Every record written so far."""
        return [json.loads(line) for line in self.path.read_text().splitlines() if line]


def _instrument(trace: Trace) -> None:
    """Record every sandbox request (its stages' CPU seconds, when and where it
    ran) and every attempt of a test (program, test, verdict, times). Patched on
    the classes and tables before the workers fork, so they record too."""
    original_run = LocalSandbox.run

    def run(self: LocalSandbox, request: RunRequest) -> RunResult:
        start = time.monotonic()
        result = original_run(self, request)
        stages = [
            [name, result.processes[index].cpu_time_s]
            for name, index in _stage(request)
            if index < len(result.processes)
        ]
        trace.write(
            {
                "kind": "request",
                "pid": os.getpid(),
                "start": start,
                "end": time.monotonic(),
                "stages": stages,
            }
        )
        return result

    LocalSandbox.run = run  # type: ignore[method-assign]

    def attempt(runner: Any) -> Any:
        def timed(compiled: Compiled, setup: execute.Setup, test: Any, *rest: Any) -> Any:
            start = time.monotonic()
            result = runner(compiled, setup, test, *rest)
            trace.write(
                {
                    "kind": "attempt",
                    "pid": os.getpid(),
                    "start": start,
                    "end": time.monotonic(),
                    "problem": setup.problem.name,
                    "key": compiled.key,
                    "test": test.name,
                    "time_s": setup.time_s,
                    "verdict": result.verdict.value,
                    "cpu": result.cpu_time_s,
                    "wall": result.wall_time_s,
                }
            )
            return result

        return timed

    for kind, runner in list(execute.RUNNERS.items()):
        execute.RUNNERS[kind] = attempt(runner)


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _phase_at(phases: list[tuple[float, str]], moment: float) -> str:
    """The phase that had begun last at `moment`."""
    current = phases[0][1] if phases else "-"
    for start, name in phases:
        if start <= moment:
            current = name
    return current


def stage_totals(records: Iterable[dict[str, Any]], phases: list[tuple[float, str]]) -> Totals:
    """(phase, stage) -> [count, CPU seconds] over the sandbox requests."""
    totals: Totals = defaultdict(lambda: [0.0, 0.0])
    for record in records:
        if record["kind"] != "request":
            continue
        where = _phase_at(phases, record["start"])
        for name, cpu in record["stages"]:
            entry = totals[(where, name)]
            entry[0] += 1
            entry[1] += cpu
    return totals


@dataclass
class ProgramCost:
    """Where one program's run time went: CPU seconds of the attempts its grade
    needed, of repeats near the limit, of runs that did not count; TLE runs."""

    name: str
    needed_cpu: float = 0.0
    repeat_cpu: float = 0.0
    waste_cpu: float = 0.0
    tle_cpu: float = 0.0
    attempts: int = 0
    waste_runs: int = 0


def program_keys(problem: Problem) -> dict[str, list[str]]:
    """Build key -> the submissions built into it."""
    keys: dict[str, list[str]] = defaultdict(list)
    for submission in problem.submissions:
        try:
            build = grader_build(problem, submission_program(submission))
        except SourceError:
            continue
        if isinstance(build, Build):
            keys[build.key()].append(submission.name)
    return keys


def program_costs(
    records: list[dict[str, Any]], problems: list[Problem], rows: list[LabelCheck]
) -> list[tuple[str, str, ProgramCost]]:
    """(problem, phase, cost) per program and phase ("derive" under the provisional
    limit, "judge" under the problem's limit): the split of `ProgramCost`."""
    counted: dict[tuple[str, str], set[str]] = defaultdict(set)
    names: dict[tuple[str, str], str] = {}
    keys_of: dict[tuple[str, str], str] = {}
    for problem in problems:
        for key, submissions in program_keys(problem).items():
            names[(problem.name, key)] = " ".join(submissions)
            for submission in submissions:
                keys_of[(problem.name, submission)] = key
    for row in rows:
        if row.result is None:
            continue
        found = keys_of.get((row.problem, row.submission))
        if found is not None:
            counted[(row.problem, found)].update(test.test for test in row.result.result.tests)
    limits: dict[str, float] = {}
    for record in records:
        if record["kind"] == "attempt":
            limits[record["problem"]] = max(limits.get(record["problem"], 0.0), record["time_s"])
    costs: dict[tuple[str, str, str], ProgramCost] = {}
    seen: set[tuple[str, str, str, float]] = set()
    for record in sorted((r for r in records if r["kind"] == "attempt"), key=lambda r: r["start"]):
        problem, key = record["problem"], record["key"]
        phase = "judge" if record["time_s"] == limits[problem] else "derive"
        cost = costs.setdefault(
            (problem, phase, key), ProgramCost(names.get((problem, key), key[:12]))
        )
        cost.attempts += 1
        run = (problem, key, record["test"], record["time_s"])
        if record["verdict"] == "TLE":
            cost.tle_cpu += record["cpu"]
        if run in seen:
            cost.repeat_cpu += record["cpu"]
        elif phase == "judge" and record["test"] not in counted[(problem, key)]:
            cost.waste_cpu += record["cpu"]
            cost.waste_runs += 1
        else:
            cost.needed_cpu += record["cpu"]
        seen.add(run)
    return [(problem, phase, cost) for (problem, phase, _), cost in sorted(costs.items())]


def worker_use(records: list[dict[str, Any]]) -> tuple[float, float, dict[int, float], float]:
    """(span, busy seconds in all, busy seconds per worker pid, longest request)."""
    requests = [r for r in records if r["kind"] == "request"]
    if not requests:
        return 0.0, 0.0, {}, 0.0
    busy: dict[int, float] = defaultdict(float)
    for record in requests:
        busy[record["pid"]] += record["end"] - record["start"]
    span = max(r["end"] for r in requests) - min(r["start"] for r in requests)
    longest = max(r["end"] - r["start"] for r in requests)
    return span, sum(busy.values()), dict(busy), longest


def _print_costs(costs: list[tuple[str, str, ProgramCost]]) -> None:
    print(
        f"{'problem':<18} {'phase':<6} {'program':<44} {'runs':>5} {'needed':>8} "
        f"{'repeat':>7} {'waste':>7} {'(runs)':>6} {'TLE cpu':>8}"
    )
    sums: dict[str, float] = defaultdict(float)
    for problem, phase, cost in costs:
        print(
            f"{problem:<18} {phase:<6} {cost.name[:44]:<44} {cost.attempts:>5} "
            f"{cost.needed_cpu:>8.1f} {cost.repeat_cpu:>7.1f} {cost.waste_cpu:>7.1f} "
            f"{cost.waste_runs:>6} {cost.tle_cpu:>8.1f}"
        )
        sums["needed"] += cost.needed_cpu
        sums["repeat"] += cost.repeat_cpu
        sums["waste"] += cost.waste_cpu
        sums["tle"] += cost.tle_cpu
    print(
        f"runs: needed {sums['needed']:.1f} s, repeats near the limit {sums['repeat']:.1f} s, "
        f"not counted {sums['waste']:.1f} s (CPU); of all these, TLE runs {sums['tle']:.1f} s"
    )


def main() -> int:
    """Profile the packages given; print the tables and the total CPU."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="+", type=Path)
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--workers", type=int, default=0, help="worker processes (0: this one)")
    parser.add_argument("--trace", type=Path, default=None, help="keep the trace (JSON lines)")
    parser.add_argument("--no-pch", action="store_true", help="compile without the PCH")
    parser.add_argument("--no-carry-over", action="store_true", help="judge references twice")
    args = parser.parse_args()
    if args.no_pch:
        pch.eligible = lambda *files: False  # type: ignore[assignment]
    if args.no_carry_over:
        session.carry_over = lambda *given: 0  # type: ignore[assignment]
    cache = args.cache or Path(tempfile.mkdtemp(prefix="cpsolve-profile-"))
    trace = Trace(args.trace or Path(tempfile.mkstemp(prefix="cpsolve-trace-")[1]))
    phases: list[tuple[float, str]] = []
    start_cpu, start_wall = _cpu(), time.monotonic()
    rows: list[LabelCheck] = []
    problems = []
    _instrument(trace)
    judge = Judge(JudgeOptions(workers=args.workers, cache_dir=cache))
    try:
        for path in args.packages:
            problem = load_problem(path)
            problems.append(problem)
            phases.append((time.monotonic(), f"{problem.name} set-up"))
            judge.setup(problem)
            phases.append((time.monotonic(), f"{problem.name} judge"))
            rows.extend(check_problem(judge, problem))
    finally:
        judge.close()
    total_cpu, wall = _cpu() - start_cpu, time.monotonic() - start_wall
    records = trace.records()
    totals = stage_totals(records, phases)
    sandboxed = sum(cpu for _, cpu in totals.values())
    print(f"{'phase':<28} {'stage':<32} {'count':>6} {'cpu s':>8}")
    for (where, name), (count, cpu) in sorted(totals.items()):
        print(f"{where:<28} {name:<32} {int(count):>6} {cpu:>8.2f}")
    by_stage: dict[str, float] = defaultdict(float)
    for (_, name), (_, cpu) in totals.items():
        by_stage[name.split(" ")[0]] += cpu
    for name, cpu in sorted(by_stage.items()):
        print(f"all: {name:<24} {cpu:8.2f} s ({cpu / total_cpu:5.1%})")
    overhead = total_cpu - sandboxed
    print(f"all: judge+sandbox overhead   {overhead:8.2f} s ({overhead / total_cpu:5.1%})")
    _print_costs(program_costs(records, problems, rows))
    span, busy, per_worker, longest = worker_use(records)
    workers = max(1, len(per_worker))
    print(
        f"workers: {len(per_worker)}, span {span:.1f} s, busy {busy:.1f} s "
        f"({', '.join(f'{b:.1f}' for b in per_worker.values())}), idle "
        f"{span * workers - busy:.1f} s; lower bound of the wall with 2 workers: "
        f"{max(busy / 2, longest):.1f} s (noisy: wall of runs)"
    )
    for row in rows:
        if row.result is None:
            got = row.skipped or row.error
        else:
            graded = row.result.result
            verdicts = ",".join(sorted(v.value for v in graded.verdicts()))
            got = (
                f"{graded.verdict.value} {graded.score:g} ({verdicts}) {len(graded.tests)} counted"
            )
        print(
            f"verdict {row.problem} {row.submission} {row.label} {row.language} {got} {row.agrees}"
        )
    print(report.check_report(rows))
    agree = sum(row.agrees is True for row in rows)
    print(f"{agree} of {len(rows)} agree; wall {wall:.1f} s (noisy)")
    print(f"total CPU seconds: {total_cpu:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
