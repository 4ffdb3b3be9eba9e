"""CPU seconds per C++ compile with and without the precompiled <bits/stdc++.h>
(judge/pch.py), side by side in one run, on real submissions; with `--blocks`,
with and without the precompiled prefix header of each one's include block.

    nice -n 19 .venv/bin/python tools/bench_compile.py [--programs N] [--rounds R] [--blocks]

Takes the first N C++ submissions of ../shared/problems that include
<bits/stdc++.h> first (the ones the header is used for; the share of such
submissions among all C++ ones is printed), or with `--blocks` the first N that
start with an include block but not with <bits/stdc++.h>, one per distinct
block (each block's header is built once, beforehand), and compiles each R times in the
sandbox both ways, alternating, each time into a fresh cache folder (the
header itself is built once, beforehand, and its one-time cost is printed).
CPU seconds are what the sandbox measured for the compiler and all its
children; they do not depend on `nice` or the machine's load (wall times do,
and are not printed). Also checks that both ways give byte-identical programs.
Prints the per-program table, and last the ratio of the mean CPU seconds
without / with the header."""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from judge.compile import Build, compile_build
from judge.languages import get_language
from judge.pch import block_of, eligible, header_for
from judge.pool import WorkerPool, worker_sandbox
from judge.programs import Program, program_from_paths
from judge.sandbox import RunRequest, RunResult

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "problems"


def cpp_submissions() -> list[Path]:
    """Every C++ submission of the shared problems, in a stable order."""
    if not SHARED.is_dir():
        return []
    found = [
        path
        for path in sorted(SHARED.rglob("submissions/**/*"))
        if path.is_file() and path.suffix in get_language("cpp").extensions
    ]
    return found


class CpuMeter:
    """Adds up the CPU seconds of every process the worker sandbox runs."""

    def __init__(self) -> None:
        self.seconds = 0.0
        sandbox = worker_sandbox()
        original = sandbox.run

        def run(request: RunRequest) -> RunResult:
            result = original(request)
            self.seconds += sum(process.cpu_time_s for process in result.processes)
            return result

        sandbox.run = run  # type: ignore[method-assign]

    def measure(self, program: Program, cache: Path, precompiled: bool) -> tuple[float, bytes]:
        """CPU seconds of one compile into `cache`, and the program it made."""
        before = self.seconds
        compiled = compile_build(Build(program), worker_sandbox(), cache, precompiled=precompiled)
        if not compiled.ok:
            raise RuntimeError(f"{program.name} does not compile: {compiled.message[-500:]}")
        return self.seconds - before, compiled.artifact_path.read_bytes()


def main() -> int:
    """Run the comparison and print the table, the ratio last."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--blocks", action="store_true", help="include blocks, not bits")
    args = parser.parse_args()
    sources = cpp_submissions()
    if not sources:
        print(f"no C++ submissions under {SHARED}: nothing to measure")
        return 0
    cpp = get_language("cpp")
    bits = [p for p in sources if eligible([(p.name, p.read_bytes())], (), cpp.extensions)]
    blocks = {p: block_of([(p.name, p.read_bytes())], cpp.extensions) for p in sources}
    print(
        f"of {len(sources)} C++ submissions: {len(bits)} include <bits/stdc++.h> first "
        f"({len(bits) / len(sources):.0%}), "
        f"{sum(bool(b) and p not in bits for p, b in blocks.items())} start with another "
        f"include block ({len({b for p, b in blocks.items() if b and p not in bits})} distinct)"
    )
    if args.blocks:
        firsts: dict[tuple[str, ...], Path] = {}
        for path, block in blocks.items():
            # one per block, standalone (no package header such as "task.h")
            if block and path not in bits and b'#include "' not in path.read_bytes():
                firsts.setdefault(block, path)
        picked = list(firsts.values())[: args.programs]
    else:
        picked = bits[: args.programs]
    work = Path(tempfile.mkdtemp(prefix="bench-compile-"))
    try:
        with WorkerPool(0):
            meter = CpuMeter()
            shared = work / "with"
            before = meter.seconds
            wanted = [blocks[path] for path in picked] if args.blocks else [()]
            for block in wanted:
                header = header_for(cpp, worker_sandbox(), shared, at_once=True, block=block)
                if header is None:
                    print(f"the precompiled header {block or 'bits'} could not be built here")
                    return 1
            build_cost = (meter.seconds - before) / len(wanted)
            print(f"building a header once: {build_cost:.2f} CPU s")
            print(f"{'program':<60} {'without s':>10} {'with s':>8} {'same binary':>12}")
            means: dict[bool, list[float]] = {False: [], True: []}
            for path in picked:
                program = program_from_paths([path], name=path.name)
                times: dict[bool, list[float]] = {False: [], True: []}
                binaries: dict[bool, bytes] = {}
                for round_number in range(args.rounds):
                    for precompiled in (False, True):
                        cache = work / f"{precompiled}-{round_number}-{path.stem}"
                        if precompiled:  # the built header, in a fresh programs folder
                            cache.mkdir()
                            (cache / "pch").symlink_to(shared / "pch")
                        seconds, binary = meter.measure(program, cache, precompiled)
                        times[precompiled].append(seconds)
                        binaries[precompiled] = binary
                without, with_header = (statistics.mean(times[flag]) for flag in (False, True))
                means[False].append(without)
                means[True].append(with_header)
                name = str(path.relative_to(SHARED))[-60:]
                same = "yes" if binaries[False] == binaries[True] else "NO"
                print(f"{name:<60} {without:>10.2f} {with_header:>8.2f} {same:>12}")
            mean_without, mean_with = (statistics.mean(means[flag]) for flag in (False, True))
            saved = mean_without - mean_with
            print(
                f"mean CPU s per compile: without {mean_without:.2f}, with {mean_with:.2f}; "
                f"the header pays for itself after {build_cost / saved:.1f} compiles"
            )
            ratio = mean_without / mean_with
            kind = "include-block prefix headers" if args.blocks else "<bits/stdc++.h>"
            print(f"compile CPU ratio without/with precompiled {kind}: {ratio:.2f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
