"""Rebuild data/ for exactsum: samples from the statement, secret test groups from
gen.py, answers from the Python reference solution. Group 4 (no extra constraints)
also holds copies of the small tests of groups 1-3, as olympiad packages do.
Run: python3 generators/make_data.py"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "submissions" / "accepted" / "prefix.py"
GENERATOR = ROOT / "generators" / "gen.py"

SAMPLES = {
    "1": "5 5\n1 3 2 3 -3\n",
    "2": "6 -2\n4 -1 -1 3 -5 1\n",
}

# group -> test name -> gen.py arguments (SEED N LOW HIGH KMODE)
GROUPS: dict[str, dict[str, list[str]]] = {
    "group1": {
        "g1-01-single": ["101", "1", "-5", "5", "prefix"],
        "g1-02-small": ["102", "10", "-3", "3", "range"],
        "g1-03-mixed": ["103", "1000", "-20", "20", "prefix"],
        "g1-04-zeros": ["104", "1000", "0", "0", "0"],
        "g1-05-wide": ["105", "1000", "-10000", "10000", "range"],
    },
    "group2": {
        "g2-01-small": ["201", "8", "1", "3", "prefix"],
        "g2-02-medium": ["202", "1000", "1", "5", "range"],
        "g2-03-max": ["203", "20000", "1", "20", "prefix"],
    },
    "group3": {
        "g3-01-small": ["301", "12", "0", "2", "prefix"],
        "g3-02-max": ["302", "20000", "0", "3", "range"],
        "g3-03-zeros": ["303", "5000", "0", "0", "0"],
    },
    "group4": {
        "g4-01-max": ["401", "20000", "-10", "10", "prefix"],
        "g4-02-wide": ["402", "5000", "-10000", "10000", "range"],
        "g4-03-signs": ["403", "5000", "-1", "1", "0"],
    },
}
LARGEST_COPIED_N = 5000

# folder below data/ -> its testdata.yaml (Kattis grading settings)
TESTDATA = {
    ".": "on_reject: continue\nrange: 0 100\ngrader_flags: ignore_sample\n",
    "sample": "on_reject: continue\nrange: 0 0\naccept_score: 0\ngrader_flags: first_error\n",
    "secret": (
        "on_reject: continue\nrange: 0 100\ngrader_flags: first_error accept_if_any_accepted\n"
    ),
}
# group -> (points, input_validator_flags)
GROUP_RULES = {
    "group1": (20, "maxn=1000 mina=-10000"),
    "group2": (20, "maxn=20000 mina=1"),
    "group3": (20, "maxn=20000 mina=0"),
    "group4": (40, "maxn=20000 mina=-10000"),
}


def run(command: list[str], stdin: str) -> str:
    """Run a command on `stdin` and return its stdout; fail loudly on error."""
    return subprocess.run(command, input=stdin, capture_output=True, text=True, check=True).stdout


def write_case(folder: Path, name: str, text: str) -> None:
    """Write NAME.in and the reference NAME.ans into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.in").write_text(text)
    (folder / f"{name}.ans").write_text(run([sys.executable, str(REFERENCE)], text))


def write_testdata() -> None:
    """Write the testdata.yaml of data/, data/sample, data/secret and every group."""
    files = dict(TESTDATA)
    for group, (points, flags) in GROUP_RULES.items():
        files[f"secret/{group}"] = (
            f"on_reject: break\naccept_score: {points}\nrange: 0 {points}\n"
            f"grader_flags: min\ninput_validator_flags: {flags}\n"
        )
    for folder, text in files.items():
        path = ROOT / "data" / folder / "testdata.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def main() -> None:
    """Write every testdata.yaml, every sample and every test of every group."""
    write_testdata()
    for name, text in SAMPLES.items():
        write_case(ROOT / "data" / "sample", name, text)
    for group, tests in GROUPS.items():
        for name, args in tests.items():
            text = run([sys.executable, str(GENERATOR), *args], "")
            write_case(ROOT / "data" / "secret" / group, name, text)
            if group != "group4" and int(args[1]) <= LARGEST_COPIED_N:
                write_case(ROOT / "data" / "secret" / "group4", name, text)


if __name__ == "__main__":
    main()
