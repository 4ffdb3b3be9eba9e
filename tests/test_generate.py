"""`cpsolve generate`: a package's data made from generators/generators.yaml
(problems/generators.py reads it, judge/generate.py runs it in the sandbox), then
judged by `check`; BAPCtools' seeds and names, resumability, the input validators,
and a clear error for what is not supported."""

from __future__ import annotations

import hashlib
import random
import textwrap
from pathlib import Path

import pytest

from judge.generate import generate_data
from judge.labelcheck import check_packages
from judge.session import Judge, JudgeOptions
from problems.errors import ProblemError
from problems.generators import bapc_seed, read_generators
from solver.cli import main

GEN_PY = """
import random
import sys

seed, n = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(seed)
print(n)
print(*(rng.randint(-100, 100) for _ in range(n)))
"""

# a generator folder that writes {name}.in itself (as BAPCtools allows) instead of stdout
CGEN = """
#include <cstdio>
#include <cstdlib>
int main(int argc, char** argv) {
    int n = atoi(argv[1]);
    char path[64];
    snprintf(path, sizeof path, "%s.in", argv[2]);
    FILE* f = fopen(path, "w");
    fprintf(f, "%d\\n", n);
    for (int i = 0; i < n; i++) fprintf(f, "%d%c", i, i + 1 < n ? ' ' : '\\n');
    fclose(f);
    return 0;
}
"""

VALIDATE = """
import sys

limit = 10**9
for arg in sys.argv[1:]:
    if arg.startswith("max="):
        limit = int(arg[4:])
lines = sys.stdin.read().split("\\n")
n = int(lines[0])
values = list(map(int, lines[1].split()))
ok = 1 <= n <= limit and len(values) == n and lines[2:] == [""]
sys.exit(42 if ok else 43)
"""

GENERATORS_YAML = """
solution: /submissions/accepted/sum.py
data:
  sample:
    data:
      - "":
          in: "2\\n1 2\\n"
  secret:
    testdata.yaml:
      input_validator_flags: max=1000
    data:
      - small: gen.py {seed} 5
      - small: gen.py {seed} 6
      - counted:
          generate: gen.py {seed:1} {count}
          count: 2
      - group:
          data:
            tiny:
              in: "1\\n7"
            built: cgen 10 {name}
"""


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


def _package(root: Path, generators_yaml: str = GENERATORS_YAML) -> Path:
    return _write(
        root,
        {
            "problem.yaml": "problem_format_version: 2023-07-draft\nname: Sum\n"
            "limits:\n  time_limit: 2\n",
            "generators/generators.yaml": generators_yaml,
            "generators/gen.py": GEN_PY,
            "generators/cgen/main.cpp": CGEN,
            "input_validators/validate.py": VALIDATE,
            "submissions/accepted/sum.py": "print(sum(map(int, open(0).read().split()[1:])))\n",
            "submissions/wrong_answer/first.py": "print(open(0).read().split()[1])\n",
        },
    )


def test_plan_names_seeds_and_defaults_as_bapctools(tmp_path: Path) -> None:
    root = _package(
        tmp_path / "sum", GENERATORS_YAML.replace("solution: /submissions/accepted/sum.py\n", "")
    )
    plan = read_generators(root)
    assert [case.path for case in plan.cases] == [
        "sample/1",
        "secret/2-small",
        "secret/3-small",
        "secret/4-counted-1",
        "secret/5-counted-2",
        "secret/1-group/built",
        "secret/1-group/tiny",
    ]
    by_path = {case.path: case for case in plan.cases}
    # BAPCtools: int(sha512(random_salt [+ ":" count_index] + command), 16) mod 2^31
    expected = int(hashlib.sha512(b"gen.py {seed} 5").hexdigest(), 16) % 2**31
    assert by_path["secret/2-small"].seed == expected
    second = int(hashlib.sha512(b":1gen.py {seed:1} 2").hexdigest(), 16) % 2**31
    assert by_path["secret/5-counted-2"].seed == second == bapc_seed("gen.py {seed:1} 2", "", 1)
    generate = by_path["secret/5-counted-2"].generate
    assert generate is not None and generate.argv(7) == ("7", "2")
    # no solution: key: the first accepted submission makes the answers
    solution = by_path["secret/2-small"].solution
    assert solution is not None and solution.program == Path("submissions/accepted/sum.py")
    assert plan.input_validator_flags(by_path["secret/1-group/tiny"]) == ("max=1000",)
    assert plan.input_validator_flags(by_path["sample/1"]) == ()


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("data:\n  secret:\n    include: [a]\n", "include"),
        ("generators:\n  gen: [gen.py]\ndata: {}\n", "generators"),
        ("data:\n  secret:\n    data:\n      a:\n        in: '1'\n        out: '2'\n", "out"),
        ("data:\n  secret:\n    bogus: 1\n", "bogus"),
        ("data:\n  secret:\n    data:\n      a: missing.py {seed}\n", "missing.py"),
        ("data:\n  secret:\n    data:\n      a: gen.py {{size}}\n", "constants"),
    ],
)
def test_unsupported_or_wrong_keys_name_the_file_and_key(
    tmp_path: Path, text: str, named: str
) -> None:
    root = _package(tmp_path / "sum", text)
    with pytest.raises(ProblemError) as caught:
        read_generators(root)
    assert caught.value.path == root / "generators" / "generators.yaml"
    assert named in caught.value.message


@pytest.mark.slow
def test_generate_then_check_agrees_and_a_second_run_changes_nothing(tmp_path: Path) -> None:
    root = _package(tmp_path / "sum")
    cache = tmp_path / "cache"
    with Judge(JudgeOptions(workers=0, cache_dir=cache)) as judge:
        [before] = check_packages(judge, [root])
        assert before.error and "cpsolve generate" in before.error
        result = generate_data(judge, root)
    assert result.failures == []
    data = root / "data"
    small = data / "secret" / "2-small.in"
    seed = bapc_seed("gen.py {seed} 5")
    rng = random.Random(seed)
    values = " ".join(str(rng.randint(-100, 100)) for _ in range(5))
    assert small.read_text() == f"5\n{values}\n"
    assert (data / "secret" / "2-small.ans").read_text() == f"{sum(map(int, values.split()))}\n"
    assert (data / "secret/1-group/built.in").read_text() == "10\n0 1 2 3 4 5 6 7 8 9\n"
    assert (data / "secret/1-group/tiny.in").read_text() == "1\n7\n"
    assert (data / "sample/1.ans").read_text() == "3\n"
    assert "max=1000" in (data / "secret" / "testdata.yaml").read_text()
    assert len(result.written) == 7 * 2 + 1 and result.runs > 0

    with Judge(JudgeOptions(workers=0, cache_dir=cache)) as judge:
        rows = check_packages(judge, [root])
        again = generate_data(judge, root)
    assert [row.error for row in rows] == ["", ""]
    assert all(row.agrees for row in rows), rows
    assert again.written == [] and again.runs == 0 and again.unchanged == 15


@pytest.mark.slow
def test_rejected_inputs_and_failing_generators_are_reported_not_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = GENERATORS_YAML.replace("max=1000", "max=5").replace(
        "built: cgen 10 {name}", "broken: gen.py {seed}"
    )
    root = _package(tmp_path / "sum", text)
    code = main(["generate", str(root), "--workers", "0", "--cache", str(tmp_path / "cache"), "-q"])
    assert code == 1
    err = capsys.readouterr().err
    assert "secret/3-small: input rejected by input validator validate.py" in err
    assert "secret/1-group/broken: generator `gen.py {seed}` failed" in err
    secret = root / "data" / "secret"
    assert not (secret / "3-small.in").exists() and not (secret / "1-group/broken.in").exists()
    assert (secret / "2-small.in").is_file() and (secret / "2-small.ans").is_file()
