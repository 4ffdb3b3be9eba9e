"""Input validator for mazepath (exit 42 if valid, 43 if not)."""

import re
import sys


def valid(text: str) -> bool:
    """True when `text` is `R C` and R rows of C maze characters with one S and one E."""
    lines = text.split("\n")
    if not lines or not re.fullmatch(r"[1-9][0-9]* [1-9][0-9]*", lines[0]):
        return False
    rows, cols = map(int, lines[0].split())
    if not (rows <= 100 and cols <= 100 and rows * cols >= 2):
        return False
    if len(lines) != rows + 2 or lines[-1] != "":
        return False
    grid = lines[1:-1]
    if not all(re.fullmatch(f"[.#SE]{{{cols}}}", row) for row in grid):
        return False
    joined = "".join(grid)
    return joined.count("S") == 1 and joined.count("E") == 1


def main() -> None:
    """Validate stdin."""
    sys.exit(42 if valid(sys.stdin.read()) else 43)


if __name__ == "__main__":
    main()
