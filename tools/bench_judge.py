"""Benchmark: the judge in each sandbox backend against a naive evaluation harness.

The same candidates (copies of a C++ and a Python accepted solution of an example
problem, each made distinct by a comment line, as a pool of sampled candidates
is) on the same tests, judged in one run by
  (a) a naive harness that starts `python3 file.py` / the binary with
      `subprocess.run(timeout=...)` per test and compares tokens, as common
      evaluation harnesses do (the bare exec), and
  (b) cpsolve's Judge in each backend of BACKENDS, re-judging every run (the
      result cache is not read), each judging all copies in one call per round,
      as the judge is used on a pool:
        root          the local sandbox as root (namespaces, cgroups, uid per
                      worker), one worker (the naive loop's parallelism);
        root-all      the same with one worker per core;
        rootless      the local sandbox as the user `nobody`: a child process of
                      this benchmark runs as nobody (the real rootless path: user
                      namespaces, no cgroups) and judges each round when told to;
        docker        --sandbox docker, one worker (a private dockerd is started
                      when none answers and this runs as root);
        ray-2         --backend ray on two Ray nodes on 127.0.0.1 (one CPU each),
                      against root-all: its runs/s ratio (target >= 0.90).
A backend that cannot run here is a row saying why. Rounds alternate the naive
harness and every backend to share machine noise. Prints runs per second of
each and the per-run overhead over the bare exec, then the ratios against the
root sandbox: rootless time per run / root's (target <= 1.5x) and Docker's extra
milliseconds per run (target <= 3 ms), the key figure last.

To add a backend, add one Backend line to BACKENDS (e.g. H2's Ray pool:
`Backend("ray-2", {"backend": "ray", "workers": 2})`).

    python tools/bench_judge.py [--rounds 5] [--copies 8] [--backends root,rootless,docker]
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from judge.checkers import check_tokens
from judge.languages import base_python
from judge.programs import Program, program_from_paths
from judge.sandbox import docker_backend, modes
from judge.sandbox.dockerd import DockerCannotRun, private_daemon
from judge.session import Judge, JudgeOptions
from judge.verdicts import Verdict
from problems.load import load_problem
from problems.model import Problem

REPO = Path(__file__).resolve().parents[1]
NAIVE_TIMEOUT_S = 10.0
"""The naive harness's subprocess timeout (every run here is an accepted one)."""
COMMENT = {".cpp": "//", ".py": "#"}
LANGUAGES = (("cpp", ".cpp"), ("python", ".py"))
SERVE_FLAG = "--serve"


@dataclass(frozen=True)
class Backend:
    """One column: JudgeOptions fields, and the user to run the judge as (None:
    in this process; a name: in a child process as that user)."""

    name: str
    options: dict[str, Any] = field(default_factory=dict)
    as_user: str | None = None


BACKENDS = (
    Backend("root", {"sandbox": "local", "workers": 1}),
    Backend("root-all", {"sandbox": "local", "workers": None}),
    Backend("rootless", {"sandbox": "local", "workers": 1}, as_user="nobody"),
    Backend("docker", {"sandbox": "docker", "workers": 1}),
    Backend("ray-2", {"backend": "ray", "workers": 2}),  # two local Ray nodes, 1 CPU each
)


class Harness(Protocol):
    """Judges one round of a language's candidates: (runs, seconds)."""

    def round(self, language: str) -> tuple[int, float]: ...


def copies(source: Path, count: int, folder: Path) -> list[Path]:
    """`count` copies of `source`, each distinct by a trailing comment line."""
    paths = []
    for index in range(count):
        path = folder / f"{source.stem}_{index}{source.suffix}"
        text = source.read_text() + f"\n{COMMENT[source.suffix]} bench copy {index}\n"
        path.write_text(text)
        paths.append(path)
    return paths


def naive_round(problem: Problem, commands: list[list[str]]) -> tuple[int, float]:
    """Judge every command on every test with subprocess.run; returns (runs, seconds)."""
    started = time.perf_counter()
    for command in commands:
        for test in problem.tests:
            with open(test.input_path, "rb") as stdin:
                done = subprocess.run(
                    command, stdin=stdin, capture_output=True, timeout=NAIVE_TIMEOUT_S
                )
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


class InProcess:
    """A backend judged by a Judge in this process."""

    def __init__(
        self, problem: Problem, programs: dict[str, list[Program]], options: JudgeOptions
    ) -> None:
        self.problem, self.programs = problem, programs
        self.judge = Judge(options)

    def round(self, language: str) -> tuple[int, float]:
        return judge_round(self.judge, self.problem, self.programs[language])

    def close(self) -> None:
        self.judge.close()


class AsUser:
    """A backend judged by a child process running as another user (this file with
    --serve): one JSON line per round each way."""

    def __init__(self, user: str, request: dict[str, Any], work: Path) -> None:
        entry = pwd.getpwnam(user)
        cache = work / f"cache-{user}"
        cache.mkdir()
        os.chown(cache, entry.pw_uid, entry.pw_gid)
        site = site_packages()
        env = {
            "PATH": "/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "HOME": str(cache),
            "TMPDIR": str(cache),
            "CPSOLVE_CACHE": str(cache),
            "PYTHONPATH": f"{REPO}:{site}",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        self.child = subprocess.Popen(
            [base_python(), str(Path(__file__).resolve()), SERVE_FLAG],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            cwd="/",
            user=entry.pw_uid,
            group=entry.pw_gid,
            extra_groups=[],
            text=True,
        )
        self._send({**request, "cache": str(cache)})

    def _send(self, message: dict[str, Any]) -> dict[str, Any]:
        assert self.child.stdin is not None and self.child.stdout is not None
        self.child.stdin.write(json.dumps(message) + "\n")
        self.child.stdin.flush()
        line = self.child.stdout.readline()
        if not line:
            raise RuntimeError(f"the {SERVE_FLAG} child ended (exit {self.child.wait()})")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def round(self, language: str) -> tuple[int, float]:
        reply = self._send({"round": language})
        return int(reply["runs"]), float(reply["seconds"])

    def close(self) -> None:
        if self.child.stdin is not None:
            self.child.stdin.close()
        self.child.wait(timeout=120)


def site_packages() -> Path:
    """The site-packages of this environment (where pyseccomp and PyYAML are)."""
    import yaml

    return Path(yaml.__file__).resolve().parents[1]


def serve() -> int:
    """The --serve child: set up from the first line, then judge a round per line."""
    request = json.loads(sys.stdin.readline())
    problem = load_problem(Path(request["problem"]))
    programs = {
        language: [program_from_paths([Path(path)]) for path in paths]
        for language, paths in request["sources"].items()
    }
    options = JudgeOptions(
        cache_dir=Path(request["cache"]), reuse_results=False, lazy=False, **request["options"]
    )
    with Judge(options) as judge:
        for language in programs:  # warm up: compile once, start the runners
            judge_round(judge, problem, programs[language])
        print(json.dumps({"ready": modes.choose()[0]}), flush=True)
        for line in sys.stdin:
            runs, seconds = judge_round(judge, problem, programs[json.loads(line)["round"]])
            print(json.dumps({"runs": runs, "seconds": seconds}), flush=True)
    return 0


def can_run(backend: Backend) -> tuple[bool, str]:
    """Whether `backend` can run here, and if not, why."""
    if backend.as_user is not None:
        if os.geteuid() != 0:
            return False, f"needs root to run a judge as {backend.as_user}"
        try:
            pwd.getpwnam(backend.as_user)
        except KeyError:
            return False, f"no user {backend.as_user!r} here"
    elif backend.options.get("sandbox", "local") == "local":
        mode, reason = modes.choose()
        if mode != modes.ROOT:
            return False, f"no root sandbox here: {reason}"
    return True, "ok"


@contextmanager
def started(
    backend: Backend,
    problem: Problem,
    programs: dict[str, list[Program]],
    sources: dict[str, list[Path]],
    work: Path,
    stack: ExitStack,
) -> Iterator[Harness]:
    """The harness of `backend`, warmed up (compiled, runners started), closed after."""
    if backend.as_user is not None:
        request = {
            "problem": str(problem.root),
            "sources": {k: [str(p) for p in v] for k, v in sources.items()},
            "options": backend.options,
        }
        remote = AsUser(backend.as_user, request, work)
        try:
            yield remote
        finally:
            remote.close()
        return
    if backend.options.get("sandbox") == "docker":
        stack.enter_context(private_daemon(work / "dockerd"))
    if backend.options.get("backend") == "ray":  # a two-node cluster on 127.0.0.1
        from judge.ray_pool import local_cluster

        cluster = stack.enter_context(local_cluster(nodes=2, cpus_per_node=1))
        backend = Backend(backend.name, {**backend.options, "address": cluster.address})
    options = JudgeOptions(
        cache_dir=work / f"cache-{backend.name}", reuse_results=False, lazy=False, **backend.options
    )
    local = InProcess(problem, programs, options)
    try:
        for language in programs:  # warm up: compile once, start the runners
            local.round(language)
        yield local
    finally:
        local.close()


def main() -> int:
    if SERVE_FLAG in sys.argv:
        return serve()
    names = [backend.name for backend in BACKENDS]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problem", default=str(REPO / "problems/examples/pairsum"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--copies", type=int, default=8, help="candidates per language")
    parser.add_argument("--backends", default=",".join(names), help=f"of {names}")
    args = parser.parse_args()
    chosen = [b for b in BACKENDS if b.name in args.backends.split(",")]
    problem = load_problem(Path(args.problem))
    accepted = {
        sub.paths[0].suffix: sub.paths[0] for sub in problem.submissions if sub.label == "accepted"
    }
    work = Path(tempfile.mkdtemp(prefix="bench-judge-"))
    work.chmod(0o755)  # the rootless child (another user) reads the copies
    sources = {
        language: copies(accepted[suffix], args.copies, work) for language, suffix in LANGUAGES
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
    rates: dict[tuple[str, str], list[float]] = {}
    skipped: dict[str, str] = {}
    try:
        with ExitStack() as stack:
            harnesses: dict[str, Harness] = {}
            for backend in chosen:
                ok, why = can_run(backend)
                if not ok:
                    skipped[backend.name] = why
                    continue
                try:
                    harnesses[backend.name] = stack.enter_context(
                        started(backend, problem, programs, sources, work, stack)
                    )
                except (DockerCannotRun, docker_backend.SandboxUnavailable, RuntimeError) as error:
                    skipped[backend.name] = str(error).splitlines()[0][:200]
            for _round in range(args.rounds):
                for language, _suffix in LANGUAGES:
                    runs, seconds = naive_round(problem, naive_commands[language])
                    rates.setdefault(("naive", language), []).append(runs / seconds)
                    for name, harness in harnesses.items():
                        runs, seconds = harness.round(language)
                        rates.setdefault((name, language), []).append(runs / seconds)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(problem, args, rates, skipped)
    return 0


def per_run_ms(rates: dict[tuple[str, str], list[float]], name: str, language: str) -> float:
    """Milliseconds per run of `name` in `language` (median rate)."""
    return 1000 / statistics.median(rates[(name, language)])


def report(
    problem: Problem,
    args: argparse.Namespace,
    rates: dict[tuple[str, str], list[float]],
    skipped: dict[str, str],
) -> None:
    """The table (runs/s and overhead over the bare exec per language), then the
    ratios against the root sandbox, the backends' figure last."""
    print(
        f"problem {problem.name}: {len(problem.tests)} tests x {args.copies} candidates"
        f" per language, {args.rounds} rounds, medians; +ms = milliseconds per run over"
        " the naive harness's bare exec"
    )
    print(f"  {'':10s} {'cpp runs/s':>11s} {'cpp +ms':>8s} {'py runs/s':>10s} {'py +ms':>8s}")
    names = sorted({name for name, _ in rates}, key=lambda n: (n != "naive", n))
    for name in names:
        cells = []
        for language, _suffix in LANGUAGES:
            rate = statistics.median(rates[(name, language)])
            extra = per_run_ms(rates, name, language) - per_run_ms(rates, "naive", language)
            cells.append(f"{rate:10.1f} {extra:8.2f}")
        print(f"  {name:10s}  {'  '.join(cells)}")
    for name, why in skipped.items():
        print(f"  {name:10s}  not measured: {why}")
    for language, _suffix in LANGUAGES:
        if ("ray-2", language) in rates and ("root-all", language) in rates:
            ratio = statistics.median(rates[("ray-2", language)]) / statistics.median(
                rates[("root-all", language)]
            )
            print(f"ray-2/root-all runs per second, {language}: {ratio:.2f} (target >= 0.90)")
    if ("root", "cpp") not in rates:
        print("no root sandbox column: no ratios")
        return
    overhead = per_run_ms(rates, "root", "cpp") - per_run_ms(rates, "naive", "cpp")
    py_ratio = statistics.median(rates[("root", "python")]) / statistics.median(
        rates[("naive", "python")]
    )
    print(f"C++ overhead per run (root, 1 worker vs bare exec): {overhead:.2f} ms (target <= 2 ms)")
    print(f"Python judge/naive, root, 1 worker: {py_ratio:.2f}x (target >= 3x)")
    for language, _suffix in LANGUAGES:
        if ("docker", language) in rates:
            extra = per_run_ms(rates, "docker", language) - per_run_ms(rates, "root", language)
            print(f"docker - root per run, {language}: {extra:+.2f} ms (target <= +3 ms)")
    for language, _suffix in LANGUAGES:
        if ("rootless", language) in rates:
            ratio = per_run_ms(rates, "rootless", language) / per_run_ms(rates, "root", language)
            print(f"rootless/root time per run, {language}: {ratio:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    sys.exit(main())
