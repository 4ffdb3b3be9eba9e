"""cpsolve check against Kattis problemtools (`verifyproblem -p submissions`) on
the same packages, in one run: both judge every labelled submission (Python on
PyPy in both when pypy3 is installed; submissions in a language cpsolve's judge
has no entry for are left out of problemtools' copies too, and symlinks of test
data checked out as link stubs are made symlinks again there). Prints both
wall times, both CPU times (each judge's process tree: independent of the
machine's load, unlike the wall) and, last, the ratio problemtools / cpsolve of
the wall times.

    .venv/bin/python tools/bench_problemtools.py [--verifyproblem PATH] [PACKAGE...]

Skips cleanly (exit 0, a note) when problemtools is not installed: install it in
a separate venv (`python3 -m venv /tmp/ptvenv && /tmp/ptvenv/bin/pip install
problemtools`), not in the project's. problemtools runs on copies of the packages
in a temporary folder (it may write next to them); cpsolve runs sandboxed, with
a fresh cache and one worker per core. Timings are noisy on a shared machine."""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "problems" / "swedish-olympiad-2025"
DEFAULT_PACKAGES = ("skol/virus3", "skol/triangelfabriken", "online/karleksbrev")
VERIFYPROBLEM_PLACES = ("/tmp/ptvenv/bin/verifyproblem",)


def find_verifyproblem(given: str | None) -> str | None:
    """The verifyproblem executable: the given path, PATH, or the usual venv."""
    if given:
        return given if os.access(given, os.X_OK) else None
    found = shutil.which("verifyproblem")
    if found:
        return found
    return next((path for path in VERIFYPROBLEM_PLACES if os.access(path, os.X_OK)), None)


def drop_unjudged_submissions(package: Path) -> list[str]:
    """Remove from a package copy the submissions in languages cpsolve's judge has
    no entry for (it skips them), so that both judges judge the same submissions;
    returns their paths relative to the package."""
    from judge.languages import languages
    from problems.languages import language_of, language_of_files

    known = set(languages())
    dropped = []
    for entry in sorted((package / "submissions").glob("*/*")):
        if entry.is_dir():
            language = language_of_files(p for p in entry.rglob("*") if p.is_file())
        else:
            language = language_of(entry)
        if language not in known:
            dropped.append(str(entry.relative_to(package)))
            if entry.is_dir():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    return dropped


def restore_links(package: Path) -> int:
    """Turn the link stubs of a package copy's data/ (a symlink checked out as a
    small file holding its target path, which cpsolve's reader follows) back into
    symlinks, so that problemtools judges the same tests; returns how many."""
    from problems.testdata import follow_link_stub

    restored = 0
    for path in sorted((package / "data").rglob("*")):
        target = follow_link_stub(path) if path.is_file() else path
        if target != path:
            path.unlink()
            path.symlink_to(os.path.relpath(target, path.parent))
            restored += 1
    return restored


def javac_major() -> int | None:
    """The installed javac's major version, or None without javac."""
    if shutil.which("javac") is None:
        return None
    done = subprocess.run(["javac", "-version"], capture_output=True, text=True, check=False)
    words = (done.stdout + done.stderr).split()
    version = words[1] if len(words) > 1 else ""
    return int(version.split(".")[0]) if version.split(".")[0].isdigit() else None


def problemtools_config(scratch: Path) -> Path:
    """An XDG config folder for problemtools: its Java entry compiles with
    `-source 21`, which an older javac (Debian 12 has 17) refuses, so that every
    Java submission would be a compile error there while cpsolve judges it; the
    override names the installed release instead."""
    config = scratch / "xdg"
    major = javac_major()
    if major is not None and major < 21:
        (config / "problemtools").mkdir(parents=True)
        (config / "problemtools" / "languages.yaml").write_text(
            "java:\n"
            f"    compile: 'javac -source {major} -encoding UTF-8 -sourcepath {{path}} "
            "-d {path} {files}'\n"
        )
        print(f"problemtools: Java compiled with -source {major} (the installed javac)")
    return config


def children_cpu() -> float:
    """CPU seconds of every finished child process (and the descendants each
    waited for) so far: a judge's whole tree once it has ended."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_problemtools(verifyproblem: str, packages: list[Path], scratch: Path) -> float:
    """Wall seconds of `verifyproblem -p submissions` over copies of the packages
    (one process per package, one after the other); prints its summary lines."""
    env = {
        **os.environ,
        "PATH": f"{Path(verifyproblem).parent}:{os.environ.get('PATH', '')}",
        "XDG_CONFIG_HOME": str(problemtools_config(scratch)),
    }
    copies = []
    for package in packages:
        copy = scratch / "problemtools" / package.name
        shutil.copytree(package, copy, symlinks=True)
        dropped = drop_unjudged_submissions(copy)
        links = restore_links(copy)
        if links:
            print(f"problemtools {copy.name}: {links} link stubs in data/ made symlinks again")
        if dropped:
            print(f"problemtools {copy.name}: left out (cpsolve skips them): {', '.join(dropped)}")
        copies.append(copy)
    start, cpu = time.monotonic(), children_cpu()
    for copy in copies:
        done = subprocess.run(
            [verifyproblem, str(copy), "-p", "submissions"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        lines = (done.stdout + done.stderr).strip().splitlines()
        for line in lines:
            if line.startswith(("ERROR", "WARNING")):
                print(f"problemtools {copy.name}: {line}")
        print(f"problemtools {copy.name}: " + (lines[-1] if lines else f"exit {done.returncode}"))
    print(f"problemtools CPU: {children_cpu() - cpu:.1f} s")
    return time.monotonic() - start


def run_cpsolve(packages: list[Path], scratch: Path) -> float:
    """Wall seconds of `cpsolve check` over the packages with a fresh cache;
    prints its closing line."""
    command = [sys.executable, "-m", "solver.cli", "check", *map(str, packages), "-q"]
    command += ["--cache", str(scratch / "cpsolve-cache")]
    start, cpu = time.monotonic(), children_cpu()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - start
    print(f"cpsolve CPU:      {children_cpu() - cpu:.1f} s")
    lines = done.stdout.strip().splitlines()
    print("cpsolve: " + (lines[-1] if lines else f"exit {done.returncode}: {done.stderr[-500:]}"))
    return elapsed


def main() -> int:
    """Run both judges on the packages and print the wall times and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="*", help="package folders (default: three of SHARED)")
    parser.add_argument("--verifyproblem", help="path of problemtools' verifyproblem")
    args = parser.parse_args()
    verifyproblem = find_verifyproblem(args.verifyproblem)
    if verifyproblem is None:
        print("problemtools is not installed (no verifyproblem): skipped")
        return 0
    packages = [Path(p).resolve() for p in args.packages] or [
        SHARED / name for name in DEFAULT_PACKAGES
    ]
    missing = [str(p) for p in packages if not p.is_dir()]
    if missing:
        print(f"packages not found ({', '.join(missing)}): skipped")
        return 0
    if shutil.which("pypy3") is None:
        print("note: pypy3 is not installed: problemtools skips Python submissions")
    with tempfile.TemporaryDirectory(prefix="bench-problemtools-") as tmp:
        scratch = Path(tmp)
        problemtools_s = run_problemtools(verifyproblem, packages, scratch)
        cpsolve_s = run_cpsolve(packages, scratch)
    print(f"problemtools wall: {problemtools_s:.1f} s")
    print(f"cpsolve wall:      {cpsolve_s:.1f} s")
    print(f"problemtools / cpsolve: {problemtools_s / cpsolve_s:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
