"""Where the CPU time of `cpsolve check` goes, per stage, on given packages.

    nice -n 19 .venv/bin/python tools/profile_check.py PACKAGE... [--cache DIR]

Judges in this process (one worker, so every sandbox request is seen) and adds
up the CPU seconds each sandboxed process used (measured by the sandbox's
cgroups), by stage: compiles (per compiler), candidate runs (per language),
checkers and other trusted programs, split into the set-up phase (the problem's
own programs and the time limit derived from accepted submissions) and the
judging of every labelled submission. The rest of the CPU (this process and the
sandbox runner) is the judge's own overhead. A fresh cache is used unless
--cache is given. CPU seconds do not depend on `nice` or on the machine's load;
the wall time does. With --no-pch, C++ compiles do not use the precompiled
<bits/stdc++.h> (judge/pch.py); with --no-carry-over, the runs judged while a
time limit is derived are judged again under the derived limit (as before
judge.timelimit.carry_over): the figures before each. Prints the table, each
submission's verdict, and last the total CPU seconds."""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from judge import pch, session
from judge.labelcheck import check_problem
from judge.pool import worker_sandbox
from judge.sandbox import RunRequest, RunResult
from judge.session import Judge, JudgeOptions
from problems.load import load_problem

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


def _instrument(totals: Totals, phase: list[str]) -> None:
    """Count the CPU seconds of every process the worker sandbox runs."""
    sandbox = worker_sandbox()
    original = sandbox.run

    def run(request: RunRequest) -> RunResult:
        result = original(request)
        for name, index in _stage(request):
            if index < len(result.processes):
                entry = totals[(phase[0], name)]
                entry[0] += 1
                entry[1] += result.processes[index].cpu_time_s
        return result

    sandbox.run = run  # type: ignore[method-assign]


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> int:
    """Profile the packages given; print the stage table and the total CPU."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="+", type=Path)
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--no-pch", action="store_true", help="compile without the PCH")
    parser.add_argument("--no-carry-over", action="store_true", help="judge references twice")
    args = parser.parse_args()
    if args.no_pch:
        pch.eligible = lambda *files: False  # type: ignore[assignment]
    if args.no_carry_over:
        session.carry_over = lambda *given: 0  # type: ignore[assignment]
    cache = args.cache or Path(tempfile.mkdtemp(prefix="cpsolve-profile-"))
    totals: Totals = defaultdict(lambda: [0.0, 0.0])
    phase = ["set-up"]
    start_cpu, start_wall = _cpu(), time.monotonic()
    rows = []
    judge = Judge(JudgeOptions(workers=0, cache_dir=cache))
    try:
        _instrument(totals, phase)
        for path in args.packages:
            problem = load_problem(path)
            phase[0] = f"{problem.name} set-up"
            judge.setup(problem)
            phase[0] = f"{problem.name} judge"
            rows.extend(check_problem(judge, problem))
    finally:
        judge.close()
    total_cpu, wall = _cpu() - start_cpu, time.monotonic() - start_wall
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
    for row in rows:
        if row.result is None:
            got = row.skipped or row.error
        else:
            graded = row.result.result
            got = f"{graded.verdict.value} {graded.score:g} {row.result.compile_message[:60]!r}"
        print(f"verdict {row.problem} {row.submission} {row.language} {got} {row.agrees}")
    agree = sum(row.agrees is True for row in rows)
    print(f"{agree} of {len(rows)} agree; wall {wall:.1f} s (noisy)")
    print(f"total CPU seconds: {total_cpu:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
