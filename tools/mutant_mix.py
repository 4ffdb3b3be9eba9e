"""What the mutants engine produces: judge a sample of mutants of one accepted C++
and one accepted Python solution and print the mix of outcomes.

Outcomes: compile error, still accepted (every test passes), fails only secret
tests (passes every sample), fails a sample (wrong output, crash or timeout on
a sample test), no code (extraction failed - should never happen here).
Judging is a plain host subprocess with an address-space and CPU rlimit and a
wall-clock timeout, comparing whitespace-separated tokens (case-insensitive
unless the checker flags say case_sensitive) - a measurement aid, not the
project's sandbox.

    .venv/bin/python tools/mutant_mix.py [--problem DIR] [--n 40] [--seed 0]
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from problems.load import load_problem
from problems.model import Problem, TestCase
from solver.extract import extract_code
from solver.sampling.engine import Prompt, SamplingParams
from solver.sampling.mutants import MutantsEngine

REPO = Path(__file__).resolve().parents[1]
DEFAULT_PROBLEM = REPO.parent / "shared" / "problems" / "kattis-examples" / "different"
OUTCOMES = ("compile error", "accepted", "fails only secret", "fails a sample", "no code")
MEMORY_LIMIT = 1024 * 1024 * 1024
CPU_LIMIT_S = 5
WALL_LIMIT_S = 10.0


def _limit_child() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_LIMIT_S, CPU_LIMIT_S))


def _build(source: str, language: str, workdir: Path) -> list[str] | None:
    """The command running the program, or None on a compile error."""
    if language == "python":
        path = workdir / "main.py"
        path.write_text(source)
        return [sys.executable, str(path)]
    path = workdir / "main.cpp"
    path.write_text(source)
    binary = workdir / "main"
    result = subprocess.run(
        ["g++", "-O2", "-std=c++17", "-o", str(binary), str(path)],
        capture_output=True,
        timeout=300,
        check=False,
    )
    return [str(binary)] if result.returncode == 0 else None


def _passes(command: list[str], case: TestCase, case_sensitive: bool) -> bool:
    """Whether the program's output on the test equals the answer token by token
    (ignoring case unless the problem asks otherwise, as Kattis' default does)."""
    if case.answer_path is None:
        raise ValueError(f"{case.input_path}: no answer file to compare with")
    with case.input_path.open("rb") as stdin:
        try:
            result = subprocess.run(
                command,
                stdin=stdin,
                capture_output=True,
                timeout=WALL_LIMIT_S,
                preexec_fn=_limit_child,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return False
    expected = case.answer_path.read_bytes()
    output = result.stdout
    if not case_sensitive:
        expected, output = expected.lower(), output.lower()
    return result.returncode == 0 and output.split() == expected.split()


def outcome(source: str, language: str, problem: Problem) -> str:
    """The outcome class of one program on the problem's sample and secret tests."""
    with tempfile.TemporaryDirectory() as tmp:
        command = _build(source, language, Path(tmp))
        if command is None:
            return "compile error"
        case_sensitive = "case_sensitive" in problem.checker.flags
        samples = [c for c in problem.tests if c.kind == "sample"]
        if not all(_passes(command, c, case_sensitive) for c in samples):
            return "fails a sample"
        secret = [c for c in problem.tests if c.kind != "sample"]
        if not all(_passes(command, c, case_sensitive) for c in secret):
            return "fails only secret"
        return "accepted"


def mix(problem: Problem, submission: str, language: str, n: int, seed: int) -> Counter[str]:
    """Outcome counts for n mutants of one accepted submission."""
    chosen = tuple(s for s in problem.submissions if s.name == submission)
    if not chosen:
        raise SystemExit(f"{problem.root}: no submission named {submission!r}")
    engine = MutantsEngine(dataclasses.replace(problem, submissions=chosen), languages=(language,))
    prompt = Prompt(messages=({"role": "user", "content": problem.statement},), language=language)
    (completions,) = engine.generate([prompt], SamplingParams(n=n, seed=seed))
    counts: Counter[str] = Counter()
    for completion in completions:
        source = extract_code(completion.text, language)
        counts["no code" if source is None else outcome(source, language, problem)] += 1
    return counts


def main() -> None:
    """Print the outcome mix for one C++ and one Python accepted solution."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problem", type=Path, default=DEFAULT_PROBLEM)
    parser.add_argument("--cpp", default="accepted/different.cc", help="C++ submission name")
    parser.add_argument("--python", default="accepted/different_py3.py", help="Python submission")
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    problem = load_problem(args.problem)
    rows = [
        (name, mix(problem, name, language, args.n, args.seed))
        for name, language in ((args.cpp, "cpp"), (args.python, "python"))
    ]
    print(f"problem {problem.name}: {args.n} mutants each, seed {args.seed}")
    header = f"{'submission':32}" + "".join(f"{o:>20}" for o in OUTCOMES) + f"{'total':>8}"
    print(header)
    for name, counts in rows:
        total = sum(counts.values())
        cells = "".join(
            f"{counts[o]:>8} ({100 * counts[o] / max(total, 1):4.0f}%)    " for o in OUTCOMES
        )
        print(f"{name:32}{cells}{total:>8}")


if __name__ == "__main__":
    main()
