"""Input validator for pairsum (Kattis convention: exit 42 if valid, 43 if not)."""

import re
import sys

INT = r"-?(0|[1-9][0-9]*)"


def valid(text: str) -> bool:
    """True when `text` is exactly two well-formed lines within the limits."""
    lines = text.split("\n")
    if len(lines) != 3 or lines[2] != "":
        return False
    head = lines[0].split(" ")
    if len(head) != 2 or not all(re.fullmatch(INT, tok) for tok in head):
        return False
    n, target = int(head[0]), int(head[1])
    if not (1 <= n <= 20_000 and -2 * 10**9 <= target <= 2 * 10**9):
        return False
    values = lines[1].split(" ")
    if len(values) != n or not all(re.fullmatch(INT, tok) for tok in values):
        return False
    return all(-(10**9) <= int(tok) <= 10**9 for tok in values) and "-0" not in head + values


def main() -> None:
    """Read the input from stdin and exit with the Kattis validator code."""
    sys.exit(42 if valid(sys.stdin.read()) else 43)


if __name__ == "__main__":
    main()
