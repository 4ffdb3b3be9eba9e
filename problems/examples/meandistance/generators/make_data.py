"""Rebuild data/ for meandistance: samples from the statement, secret tests from
gen.py, answers from the Python reference solution (exact integer sum, 9 decimals).
Run: python3 generators/make_data.py"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "submissions" / "accepted" / "sorted_prefix.py"
GENERATOR = ROOT / "generators" / "gen.py"

SAMPLES = {
    "1": "3\n0 2 6\n",
    "2": "4\n7 1 4 4\n",
}

SECRET = {
    "01-two": ["1", "2", "0", "10"],
    "02-same": ["2", "5", "42", "42"],
    "03-small": ["3", "7", "0", "20"],
    "04-thirds": ["4", "30", "0", "100"],
    "05-clusters": ["5", "2000", "0", "1000000", "clusters"],
    "06-wide": ["6", "3000", "0", "1000000"],
    "07-extremes": ["7", "1000", "0", "1"],
    "08-max": ["8", "20000", "0", "99"],
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
