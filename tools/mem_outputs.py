"""Peak memory of the judge while it labels the behaviour of a candidate that fills
the output limit with short tokens (judge/outputs.py: digests and agreement).

Copies an example problem (pairsum: exact answers, labelled by a token digest;
meandistance: float tolerance, labelled by the checker's agreement) into a
temporary folder with a 64 MiB output limit, and labels three programs on one
input: one printing `1 ` until the limit, one printing the same tokens on
separate lines, two printing `1.0 ` and `1e0 ` (equal numbers, other tokens:
their agreement under float tolerance reads both outputs to the end), and one
printing one short answer. Run it under
`/usr/bin/time -v` to read the peak RSS of the judge and its workers:

    /usr/bin/time -v .venv/bin/python tools/mem_outputs.py pairsum
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from judge.compile import Build
from judge.programs import program_from_text
from judge.session import Judge, JudgeOptions
from problems.load import load_problem
from solver.behaviour import behaviour_labels

EXAMPLES = Path(__file__).resolve().parents[1] / "problems" / "examples"
OUTPUT_MIB = 64

FLOOD = """#include <cstdio>
#include <cstring>
int main() {
    const char* pattern = PATTERN;
    static char line[1 << 16];
    size_t step = strlen(pattern), used = 0;
    while (used + step <= sizeof line) { memcpy(line + used, pattern, step); used += step; }
    for (size_t total = 0; total + used <= (size_t)MIB << 20; total += used)
        fwrite(line, 1, used, stdout);
    return 0;
}
"""


def _limited_copy(name: str, into: Path, mib: int) -> Path:
    """The example problem with a `mib` MiB output limit."""
    root = into / name
    shutil.copytree(EXAMPLES / name, root)
    yaml = root / "problem.yaml"
    text = yaml.read_text()
    yaml.write_text(text.replace("limits:\n", f"limits:\n  output: {mib}\n", 1))
    return root


def main() -> None:
    """Label the flooding programs and print the labels."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("problem", choices=("pairsum", "meandistance"))
    parser.add_argument("--mib", type=int, default=OUTPUT_MIB, help="output limit (MiB)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mem-outputs-") as tmp:
        problem = load_problem(_limited_copy(args.problem, Path(tmp), args.mib))
        assert problem.limits.output_bytes == args.mib << 20
        test = Path(tmp) / "1.in"
        test.write_text("2\n0 1\n" if args.problem == "meandistance" else "2 3\n1 2\n")
        sources = [
            FLOOD.replace("PATTERN", '"1 "').replace("MIB", str(args.mib)),
            FLOOD.replace("PATTERN", '"1\\n"').replace("MIB", str(args.mib)),
            FLOOD.replace("PATTERN", '"1.0 "').replace("MIB", str(args.mib)),
            FLOOD.replace("PATTERN", '"1e0 "').replace("MIB", str(args.mib)),
            '#include <cstdio>\nint main() { puts("1"); }\n',
        ]
        programs: list[Build | str] = [
            Build(program_from_text(s, "cpp", f"p{i}")) for i, s in enumerate(sources)
        ]
        with Judge(JudgeOptions(workers=1, cache_dir=Path(tmp) / "cache")) as judge:
            labels = behaviour_labels(judge, problem, programs, [test])
        print(args.problem, labels)


if __name__ == "__main__":
    main()
