"""Rebuild data/ for taller: samples from the statement, secret tests from gen.py,
answers from the accepted C++ function compiled with include/cpp/grader.cpp.
Run: python3 generators/make_data.py (needs g++)."""

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INCLUDE = ROOT / "include" / "cpp"
REFERENCE = ROOT / "submissions" / "accepted" / "stack.cpp"
GENERATOR = ROOT / "generators" / "gen.py"

SAMPLES = {
    "1": "6 list 0\n5 3 8 2 6 9\n",
    "2": "8 random 7\n",
}

SECRET = {
    "01-one": ["1", "1", "list", "42", "42"],
    "02-ties-small": ["2", "9", "list", "1", "3"],
    "03-few-small": ["3", "50", "few"],
    "04-random-medium": ["4", "100", "list"],
    "05-few-large": ["5", "200000", "few"],
    "06-random-max": ["6", "1000000", "random"],
    "07-up-max": ["7", "1000000", "up"],
    "08-down-large": ["8", "200000", "down"],
    "09-valley-max": ["9", "1000000", "valley"],
}


def run(command: list[str], stdin: str) -> str:
    """Run a command on `stdin` and return its stdout; fail loudly on error."""
    return subprocess.run(command, input=stdin, capture_output=True, text=True, check=True).stdout


def compile_reference(workdir: Path) -> Path:
    """Compile the reference function with the grader; return the executable."""
    binary = workdir / "reference"
    sources = [str(INCLUDE / "grader.cpp"), str(REFERENCE)]
    command = ["g++", "-O2", "-std=c++17", "-I", str(INCLUDE), "-o", str(binary), *sources]
    subprocess.run(command, check=True)
    return binary


def main() -> None:
    """Write every sample and secret test."""
    with tempfile.TemporaryDirectory() as tmp:
        binary = compile_reference(Path(tmp))
        cases = [("sample", name, text) for name, text in SAMPLES.items()]
        for name, args in SECRET.items():
            cases.append(("secret", name, run([sys.executable, str(GENERATOR), *args], "")))
        for kind, name, text in cases:
            folder = ROOT / "data" / kind
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{name}.in").write_text(text)
            (folder / f"{name}.ans").write_text(run([str(binary)], text))


if __name__ == "__main__":
    main()
