"""Input validator for taller's grader input (exit 42 if valid, 43 if not)."""

import re
import sys

MODES = ("random", "few", "up", "down", "valley")


def valid(text: str) -> bool:
    """True for `n list 0` plus n heights, or `n MODE SEED` with a generator mode."""
    lines = text.split("\n")
    head = lines[0].split(" ")
    if len(head) != 3 or not re.fullmatch(r"[1-9][0-9]*", head[0]):
        return False
    n = int(head[0])
    if not 1 <= n <= 10**6 or not re.fullmatch(r"0|[1-9][0-9]{0,18}", head[2]):
        return False
    if head[1] == "list":
        if len(lines) != 3 or lines[2] != "" or head[2] != "0":
            return False
        values = lines[1].split(" ")
        return len(values) == n and all(
            re.fullmatch(r"[1-9][0-9]*", tok) and int(tok) <= 10**9 for tok in values
        )
    return head[1] in MODES and len(lines) == 2 and lines[1] == ""


def main() -> None:
    """Validate stdin."""
    sys.exit(42 if valid(sys.stdin.read()) else 43)


if __name__ == "__main__":
    main()
