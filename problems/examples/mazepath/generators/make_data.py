"""Rebuild data/ for mazepath: samples from the statement, secret tests from gen.py,
answers (one shortest route, or IMPOSSIBLE) from the Python reference solution.
Run: python3 generators/make_data.py"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "submissions" / "accepted" / "bfs.py"
GENERATOR = ROOT / "generators" / "gen.py"

SAMPLES = {
    "1": "3 5\nS..##\n##.##\n##..E\n",
    "2": "2 3\nS#E\n.#.\n",
}

SECRET = {
    "01-adjacent": ["1", "1", "2", "open"],
    "02-column": ["2", "100", "1", "corners"],
    "03-walled": ["3", "20", "20", "walled", "10"],
    "04-open-small": ["4", "10", "10", "open", "15"],
    "05-open-dense": ["45", "30", "30", "corners", "30"],
    "06-snake": ["6", "100", "100", "snake"],
    "07-open-max": ["17", "100", "100", "corners", "25"],
    "08-empty-max": ["8", "100", "100", "corners", "0"],
    "09-walled-max": ["9", "100", "100", "walled", "20"],
}


def run(command: list[str], stdin: str) -> str:
    """Run a command on `stdin` and return its stdout; fail loudly on error."""
    return subprocess.run(command, input=stdin, capture_output=True, text=True, check=True).stdout


def write_case(folder: Path, name: str, text: str) -> None:
    """Write NAME.in and the reference NAME.ans into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.in").write_text(text)
    (folder / f"{name}.ans").write_text(run([sys.executable, str(REFERENCE)], text))


def main() -> None:
    """Write every sample and secret test."""
    for name, text in SAMPLES.items():
        write_case(ROOT / "data" / "sample", name, text)
    for name, args in SECRET.items():
        text = run([sys.executable, str(GENERATOR), *args], "")
        write_case(ROOT / "data" / "secret", name, text)


if __name__ == "__main__":
    main()
