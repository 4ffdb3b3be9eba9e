"""Rebuild data/ for pairsum: samples from the statement, secret tests from gen.py,
answers from the Python reference solution. Run: python3 generators/make_data.py"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "submissions" / "accepted" / "pairsum.py"
GENERATOR = ROOT / "generators" / "gen.py"

SAMPLES = {
    "1": "5 10\n3 7 1 9 4\n",
    "2": "4 0\n-2 2 -2 6\n",
}

SECRET = {
    "01-single": ["1", "random", "1", "-5", "5"],
    "02-tiny": ["2", "random", "2", "-3", "3"],
    "03-small": ["3", "random", "12", "-10", "10"],
    "04-half-target": ["4", "equal", "1000", "7", "7"],
    "05-no-pairs": ["5", "none", "500", "-1000", "1000"],
    "06-negative": ["6", "random", "300", "-50", "-1"],
    "07-big-values": ["7", "random", "2000"],
    "08-extreme": ["8", "equal", "40", "1000000000", "1000000000"],
    "09-max-dense": ["9", "random", "20000", "-300", "300"],
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
