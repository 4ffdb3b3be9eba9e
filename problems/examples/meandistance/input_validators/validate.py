"""Input validator for meandistance (exit 42 if valid, 43 if not)."""

import re
import sys

NATURAL = re.compile(r"0|[1-9][0-9]*")


def valid(text: str) -> bool:
    """True when `text` is `n` and then n positions, each on its own line as specified."""
    lines = text.split("\n")
    if len(lines) != 3 or lines[2] != "" or not NATURAL.fullmatch(lines[0]):
        return False
    n = int(lines[0])
    values = lines[1].split(" ")
    if not (2 <= n <= 20_000 and len(values) == n):
        return False
    return all(NATURAL.fullmatch(tok) and int(tok) <= 10**6 for tok in values)


def main() -> None:
    """Validate stdin."""
    sys.exit(42 if valid(sys.stdin.read()) else 43)


if __name__ == "__main__":
    main()
