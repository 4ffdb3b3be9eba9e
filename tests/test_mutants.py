"""The mutants engine and its Python / C++ mutation operators."""

from __future__ import annotations

import ast
import dataclasses
import random
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from problems import model
from problems.model import Limits, Problem, ProblemType, Submission
from solver.code.cpp_lexer import CppKind, tokenize_cpp
from solver.code.extract import extract_code
from solver.code.normalise import normalise, source_hash
from solver.sampling.engine import Prompt, SamplingParams
from solver.sampling.mutants import MutantsEngine, make_mutants_engine
from solver.sampling.mutate_cpp import CPP_OPERATORS, analyse, apply_edit, mutate_cpp
from solver.sampling.mutate_python import PYTHON_OPERATORS, mutate_python

PY_SOLUTION = """import sys


def solve(values):
    best = 0
    for i in range(len(values)):
        if values[i] > best:
            best = max(best, values[i])
    return best + values[0:2][0] - 1


data = sys.stdin.read().split()
print(solve([int(x) for x in data]))
"""

CPP_SOLUTION = """#include <bits/stdc++.h>
using namespace std;
// reads n numbers, prints the largest
int main() {
    long long n, best = 0;
    cin >> n;
    vector<long long> a(n);
    for (int i = 0; i < n; i++) cin >> a[i];
    for (int i = 0; i < n; i++) {
        if (a[i] > best) best = max(best, a[i]);
        n += 0;
    }
    cout << best + 1 - 1 << "<= not a comparison" << endl;
    return 0;
}
"""


def _problem(tmp_path: Path, files: dict[str, str], label: str = "accepted") -> Problem:
    submissions = []
    for name, text in files.items():
        path = tmp_path / name
        path.write_text(text)
        submissions.append(Submission(name=f"{label}/{name}", label=label, paths=(path,)))
    return Problem(
        name="max",
        title="Max",
        root=tmp_path,
        format="kattis-legacy",
        type=ProblemType.PASS_FAIL,
        statement="Print the maximum.",
        limits=Limits(time_s=1.0),
        tests=(),
        root_group=model.TestGroup("", ()),
        submissions=tuple(submissions),
    )


def _prompt(language: str, text: str = "solve it") -> Prompt:
    return Prompt(messages=({"role": "user", "content": text},), language=language)


def _pool(engine: MutantsEngine, language: str, n: int, seed: int) -> list[str]:
    (completions,) = engine.generate([_prompt(language)], SamplingParams(n=n, seed=seed))
    return [c.text for c in completions]


def _hashes(texts: list[str], language: str) -> set[str]:
    sources = [extract_code(t, language) for t in texts]
    assert all(s is not None for s in sources)
    return {source_hash(s, language) for s in sources if s is not None}


def test_completions_are_fenced_mutants_with_metadata(tmp_path: Path) -> None:
    engine = MutantsEngine(_problem(tmp_path, {"sol.py": PY_SOLUTION, "sol.cpp": CPP_SOLUTION}))
    prompts = [_prompt("python"), _prompt("cpp")]
    py, cpp = engine.generate(prompts, SamplingParams(n=40, seed=7))
    for language, completions, prompt in (("python", py, prompts[0]), ("cpp", cpp, prompts[1])):
        assert [c.index for c in completions] == list(range(40))
        for c in completions:
            assert c.text.startswith(f"```{language}\n") and c.text.endswith("```\n")
            assert c.engine == "mutants" and c.seed == 7
            assert c.prompt_key == prompt.key()
            mutations = c.extra["mutations"]
            assert isinstance(mutations, list) and 1 <= len(mutations) <= 6
            assert c.logprob == -len(mutations)
            assert c.num_tokens > 10
        suffix = {"python": "py", "cpp": "cpp"}[language]
        assert {c.model for c in completions} == {f"mutants:accepted/sol.{suffix}"}
        originals = {source_hash(PY_SOLUTION, "python"), source_hash(CPP_SOLUTION, "cpp")}
        hashes = _hashes([c.text for c in completions], language)
        assert len(hashes) == 40 and not hashes & originals


def test_same_seed_same_pool_prefix_stable_and_other_seed_differs(tmp_path: Path) -> None:
    engine = MutantsEngine(_problem(tmp_path, {"sol.py": PY_SOLUTION}))
    first = _pool(engine, "python", 60, seed=1)
    assert first == _pool(MutantsEngine(engine.problem), "python", 60, seed=1)
    assert _pool(engine, "python", 25, seed=1) == first[:25]
    other = _pool(engine, "python", 60, seed=2)
    assert other != first
    assert len(_hashes(first, "python") & _hashes(other, "python")) < 60


def test_mutants_depend_on_the_prompt(tmp_path: Path) -> None:
    engine = MutantsEngine(_problem(tmp_path, {"sol.py": PY_SOLUTION}))
    one, two = engine.generate(
        [_prompt("python", "a"), _prompt("python", "b")], SamplingParams(n=20, seed=1)
    )
    assert [c.text for c in one] != [c.text for c in two]


def test_only_accepted_solutions_in_known_languages_are_used(tmp_path: Path) -> None:
    wrong = _problem(tmp_path, {"sol.py": PY_SOLUTION}, label="wrong_answer")
    assert MutantsEngine(wrong).sources == []
    assert MutantsEngine(wrong).generate([_prompt("python")], SamplingParams(n=5)) == [[]]
    py2 = _problem(tmp_path, {"old.py": "print 'hi'\n", "sol.py": PY_SOLUTION})
    assert [s.name for s in MutantsEngine(py2).sources] == ["accepted/sol.py"]
    cpp_only = MutantsEngine(_problem(tmp_path, {"sol.cpp": CPP_SOLUTION}), languages=("python",))
    assert cpp_only.sources == []
    with pytest.raises(ValueError, match="rust"):
        MutantsEngine(py2, languages=("rust",))


def test_registry_factory_builds_the_engine(tmp_path: Path) -> None:
    problem = _problem(tmp_path, {"sol.py": PY_SOLUTION})
    engine = make_mutants_engine(None, problem=problem, languages=("python",))
    assert engine.name == "mutants"
    assert _pool(MutantsEngine(problem), "python", 5, 3) == [
        c.text for c in engine.generate([_prompt("python")], SamplingParams(n=5, seed=3))[0]
    ]
    with pytest.raises(ValueError, match="no model"):
        make_mutants_engine("gpt-4", problem=problem)


def test_tiny_program_gives_fewer_when_the_space_runs_out(tmp_path: Path) -> None:
    engine = MutantsEngine(_problem(tmp_path, {"tiny.py": "x = 1\n"}), max_mutations=1)
    (completions,) = engine.generate([_prompt("python")], SamplingParams(n=10, seed=0))
    sources = sorted(extract_code(c.text, "python") or "" for c in completions)
    assert sources == ["pass\n", "x = 0\n", "x = 2\n"]
    assert [c.index for c in completions] == sorted(c.index for c in completions)


def _apply_python(operator: str, source: str) -> set[str]:
    """Every result of one Python operator on `source`: each site applied with 20
    fixed random streams, enough to draw each of its few variants."""
    results = set()
    count = len(PYTHON_OPERATORS[operator](list(ast.walk(ast.parse(source)))))
    for site in range(count):
        for seed in range(20):
            nodes = list(ast.walk(ast.parse(source)))
            PYTHON_OPERATORS[operator](nodes)[site](random.Random(seed))
            assert isinstance(nodes[0], ast.Module)
            results.add(ast.unparse(ast.fix_missing_locations(nodes[0])))
    return results


@pytest.mark.parametrize(
    ("operator", "source", "expected"),
    [
        ("constant_off_by_one", "x = a[3]", {"x = a[4]", "x = a[2]"}),
        ("range_bound", "for i in range(n): pass", {"for i in range(n + 1):\n    pass",
                                                    "for i in range(n - 1):\n    pass"}),
        ("flip_comparison", "t = a < b != c", {"t = a <= b != c", "t = a < b == c"}),
        ("swap_min_max", "y = min(a, max(b, c))", {"y = max(a, max(b, c))",
                                                   "y = min(a, min(b, c))"}),
        ("swap_arithmetic", "y = a + b * c", {"y = a - b * c", "y = a + b // c"}),
        ("drop_statement", "a = 1\nprint(a)", {"print(a)", "a = 1"}),
        ("negate_condition", "while not done: pass", {"while done:\n    pass"}),
        ("slice_bounds", "y = s[i:]", {"y = s[i + 1:]", "y = s[i - 1:]", "y = s[i:-1]"}),
        ("swap_variable", "a = 1\nb = a", {"a = 1\nb = b"}),
    ],
)  # fmt: skip
def test_python_operators(operator: str, source: str, expected: set[str]) -> None:
    assert _apply_python(operator, source) == expected


def test_python_early_exit_positions() -> None:
    results = _apply_python("early_exit", "def f():\n    for x in y:\n        g(x)")
    assert "def f():\n    for x in y:\n        break\n        g(x)" in results
    assert "def f():\n    for x in y:\n        g(x)\n        break" in results
    assert "def f():\n    return\n    for x in y:\n        g(x)" in results
    assert "def f():\n    for x in y:\n        return\n        g(x)" in results
    assert _apply_python("early_exit", "print(1)") == set()


def test_python_mutants_parse_and_differ() -> None:
    for seed in range(50):
        mutant = mutate_python(PY_SOLUTION, random.Random(seed), 3)
        assert mutant is not None and len(mutant.operators) == 3
        ast.parse(mutant.source)
        assert set(mutant.operators) <= set(PYTHON_OPERATORS)


def _apply_cpp(operator: str, source: str) -> set[str]:
    """Every result of one C++ operator on `source`, normalised."""
    structure = analyse(tokenize_cpp(source))
    return {
        normalise(apply_edit(structure.tokens, edit), "cpp")
        for edit in CPP_OPERATORS[operator](structure)
    }


def test_cpp_template_brackets_and_strings_are_not_comparisons() -> None:
    results = _apply_cpp("flip_comparison", CPP_SOLUTION)
    assert len(results) == 3  # i < n twice and a[i] > best
    for text in results:
        assert "vector < long long > a ( n )" in text
        assert '"<= not a comparison"' in text
        assert "#include <bits/stdc++.h>" in text


def test_cpp_drop_statement_keeps_declarations_and_control() -> None:
    results = _apply_cpp("drop_statement", CPP_SOLUTION)
    dropped = {"cin >> n ;", "n += 0 ;", "cin >> a [ i ] ;", "best = max ( best , a [ i ] ) ;",
               "cout << best + 1 - 1 << \"<= not a comparison\" << endl ;"}  # fmt: skip
    base = normalise(CPP_SOLUTION, "cpp")
    assert len(results) == len(dropped) - 2  # the two unbraced for/if bodies are not statements
    for text in results:
        assert "long long n , best = 0 ;" in text and "return 0 ;" in text
        assert len(text) < len(base)
        assert any(d in base and d not in text for d in dropped)


def test_cpp_operators_produce_expected_edits() -> None:
    literal = _apply_cpp("int_literal_off_by_one", "int main() { int x = 10; return 0; }")
    assert literal == {
        "int main ( ) { int x = 11 ; return 0 ; }",
        "int main ( ) { int x = 9 ; return 0 ; }",
        "int main ( ) { int x = 10 ; return 1 ; }",
        "int main ( ) { int x = 10 ; return ( - 1 ) ; }",
    }
    narrow = _apply_cpp("narrow_integer_type", "typedef long long ll; int64_t y;")
    assert narrow == {"typedef int ll ; int64_t y ;", "typedef long long ll ; int32_t y ;"}
    bound = _apply_cpp("loop_bound", "void f() { for (int i = 0; i < n; i++) g(i); }")
    assert bound == {
        "void f ( ) { for ( int i = 0 ; i <= n ; i ++ ) g ( i ) ; }",
        "void f ( ) { for ( int i = 0 ; i < n + 1 ; i ++ ) g ( i ) ; }",
        "void f ( ) { for ( int i = 0 ; i < n - 1 ; i ++ ) g ( i ) ; }",
    }
    early = _apply_cpp("early_return_in_main", "int main() { f(); g(); return 0; }")
    assert early == {
        "int main ( ) { return 0 ; f ( ) ; g ( ) ; return 0 ; }",
        "int main ( ) { f ( ) ; return 0 ; g ( ) ; return 0 ; }",
    }
    plus = _apply_cpp("swap_plus_minus", "int main() { x = a - -b; }")
    assert plus == {"int main ( ) { x = a + - b ; }", "int main ( ) { x = a - + b ; }"}
    negate = _apply_cpp("negate_condition", "void f() { if (a < b) g(); }")
    assert negate == {"void f ( ) { if ( ! ( a < b ) ) g ( ) ; }"}
    swap = _apply_cpp("swap_variable", "int main() { int a, b; string s; a = b; }")
    assert swap == {
        "int main ( ) { int a , b ; string s ; b = b ; }",
        "int main ( ) { int a , b ; string s ; a = a ; }",
    }


def _literals(source: str) -> list[str]:
    kinds = (CppKind.STRING, CppKind.CHAR, CppKind.COMMENT, CppKind.DIRECTIVE)
    return [t.text for t in tokenize_cpp(source) if t.kind in kinds]


def test_cpp_mutants_keep_comments_and_literals() -> None:
    original = _literals(CPP_SOLUTION)
    for seed in range(40):
        mutant = mutate_cpp(CPP_SOLUTION, random.Random(seed), 2)
        assert mutant is not None and len(mutant.operators) == 2
        kept = _literals(mutant.source)
        dropped_output = "drop_statement" in mutant.operators and len(kept) == len(original) - 1
        assert kept == original or (dropped_output and set(kept) < set(original))


REAL_SOLUTIONS = [
    ("kattis-examples/different", "accepted/different.cc", "cpp"),
    ("kattis-examples/different", "accepted/different_py3.py", "python"),
    ("swedish-olympiad-2025/skol/virus3", "accepted/joshua.cpp", "cpp"),
    ("swedish-olympiad-2025/skol/virus3", "accepted/joshua_lcs.cpp", "cpp"),
    ("swedish-olympiad-2025/skol/virus3", "accepted/victor.cpp", "cpp"),
    ("swedish-olympiad-2025/skol/virus3", "accepted/nils.py", "python"),
]


def _real_engine(shared: Path, problem_dir: str, solution: str, tmp_path: Path) -> MutantsEngine:
    path = shared / problem_dir / "submissions" / solution
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    problem = _problem(tmp_path, {})
    submission = Submission(name=solution, label="accepted", paths=(path,))
    return MutantsEngine(dataclasses.replace(problem, submissions=(submission,)))


@pytest.mark.slow
@pytest.mark.parametrize(("problem_dir", "solution", "language"), REAL_SOLUTIONS)
def test_real_solutions_give_500_distinct_mutants(
    shared_problems: Path, tmp_path: Path, problem_dir: str, solution: str, language: str
) -> None:
    engine = _real_engine(shared_problems, problem_dir, solution, tmp_path)
    pool = _pool(engine, language, 550, seed=11)
    hashes = _hashes(pool, language)
    assert len(hashes) >= 500
    original = (shared_problems / problem_dir / "submissions" / solution).read_text()
    assert source_hash(original, language) not in hashes
    if language == "python":
        for text in pool:
            ast.parse(extract_code(text, language) or "")


@pytest.mark.slow
def test_real_pool_reproducible_and_seed_dependent(shared_problems: Path, tmp_path: Path) -> None:
    engine = _real_engine(
        shared_problems, "swedish-olympiad-2025/skol/virus3", "accepted/victor.cpp", tmp_path
    )
    first = _pool(engine, "cpp", 150, seed=5)
    assert first == _pool(engine, "cpp", 150, seed=5)
    other = _pool(engine, "cpp", 150, seed=6)
    assert first != other
    assert len(_hashes(first, "cpp") | _hashes(other, "cpp")) > 250


def _compiles(source: Path) -> bool:
    result = subprocess.run(
        ["g++", "-std=c++17", "-fsyntax-only", str(source)],
        capture_output=True,
        timeout=300,
        check=False,
    )
    return result.returncode == 0


@pytest.mark.slow
def test_most_cpp_mutants_compile(shared_problems: Path, tmp_path: Path) -> None:
    sources = []
    for problem_dir, solution, language in REAL_SOLUTIONS:
        if language != "cpp":
            continue
        engine = _real_engine(shared_problems, problem_dir, solution, tmp_path)
        for text in _pool(engine, "cpp", 8, seed=3):
            sources.append(tmp_path / f"m{len(sources)}.cpp")
            sources[-1].write_text(extract_code(text, "cpp") or "")
    with ThreadPoolExecutor(max_workers=2) as pool:
        compiled = sum(pool.map(_compiles, sources))
    print(f"C++ mutants compiling: {compiled}/{len(sources)}")
    assert len(sources) == 32
    assert compiled / len(sources) >= 0.7


def test_subtask_only_correct_solutions_are_not_mutated(tmp_path: Path) -> None:
    """A CMS `correct` solution written for named subtasks only is no full solution,
    so the mutants engine does not start from it; a plain `correct` one it does."""
    from solver.sampling.mutants import load_reference_sources

    problem = _problem(tmp_path, {"full.py": PY_SOLUTION, "subtask1.py": PY_SOLUTION}, "correct")
    targeted = tuple(
        dataclasses.replace(s, target_subtasks=("01-small",)) if "subtask1" in s.name else s
        for s in problem.submissions
    )
    sources = load_reference_sources(
        dataclasses.replace(problem, submissions=targeted), ("python",)
    )
    assert [source.name for source in sources] == ["correct/full.py"]
