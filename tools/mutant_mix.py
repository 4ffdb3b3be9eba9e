"""What the mutants engine produces: sample mutants of each problem's accepted
solutions, judge them with the project's sandboxed judge on every test, and print
the mix of outcomes per problem and language.

Outcomes: compile error; still accepted (full score); fails only secret tests
(every sample test passes); fails a sample; no code (extraction failed).

    .venv/bin/python tools/mutant_mix.py [PROBLEM_DIR...] [--n 40] [--seed 0]

With no problem named, every example problem in problems/examples is used.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from judge.programs import program_from_text
from judge.session import Judge, JudgeOptions
from judge.verdicts import Verdict
from problems.load import find_problems, load_problem
from solver.code.extract import extract_code
from solver.prompts.build import build_prompts
from solver.prompts.templates import supported_languages
from solver.sampling.engine import SamplingParams
from solver.sampling.mutants import MutantsEngine

REPO = Path(__file__).resolve().parents[1]
OUTCOMES = ("compile error", "accepted", "fails only secret", "fails a sample", "no code")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("problems", nargs="*", default=[str(REPO / "problems" / "examples")])
    parser.add_argument("--n", type=int, default=40, help="mutants per problem and language")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rows: list[tuple[str, str, Counter[str]]] = []
    with Judge(JudgeOptions(lazy=False)) as judge:
        for path in [p for root in args.problems for p in find_problems(Path(root))]:
            problem = load_problem(path)
            for language in ("cpp", "python"):
                if language not in supported_languages(problem):
                    continue
                engine = MutantsEngine(problem, languages=(language,))
                if not engine.sources_for(language):
                    continue
                prompt = build_prompts(problem, language, per_subtask=False)[0]
                params = SamplingParams(n=args.n, seed=args.seed)
                [completions] = engine.generate([prompt], params)
                counts: Counter[str] = Counter()
                programs = []
                for completion in completions:
                    code = extract_code(completion.text, language)
                    if code is None:
                        counts["no code"] += 1
                    else:
                        programs.append(program_from_text(code, language, f"m{completion.index}"))
                samples = {t.name for t in problem.tests if t.kind == "sample"}
                for result in judge.judge_programs(problem, programs):
                    if result.result.verdict is Verdict.CE:
                        counts["compile error"] += 1
                    elif result.result.full_score:
                        counts["accepted"] += 1
                    elif all(t.verdict is Verdict.AC for t in result.tests if t.test in samples):
                        counts["fails only secret"] += 1
                    else:
                        counts["fails a sample"] += 1
                rows.append((problem.name, language, counts))
                print(
                    f"judged {len(completions)} mutants of {problem.name} ({language})",
                    file=sys.stderr,
                )
    header = f"{'problem':14s} {'lang':7s} " + " ".join(f"{o:>17s}" for o in OUTCOMES)
    print(header)
    for name, language, counts in rows:
        total = sum(counts.values()) or 1
        cells = " ".join(f"{counts[o]:>9d} ({100 * counts[o] / total:3.0f}%)" for o in OUTCOMES)
        print(f"{name:14s} {language:7s} {cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
