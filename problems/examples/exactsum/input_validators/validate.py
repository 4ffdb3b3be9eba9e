"""Input validator for exactsum (exit 42 if valid, 43 if not).

Flags (Kattis input_validator_flags, `key=value`): `maxn` (largest n allowed) and
`mina` (smallest a_i allowed), so one validator checks every test group."""

import re
import sys

INT = re.compile(r"0|-?[1-9][0-9]*")


def parse_flags(arguments: list[str]) -> dict[str, int]:
    """The `key=value` flags with their defaults filled in."""
    flags = {"maxn": 20_000, "mina": -10_000}
    for argument in arguments:
        key, _, value = argument.partition("=")
        flags[key] = int(value)
    return flags


def valid(text: str, maxn: int, mina: int) -> bool:
    """True when `text` is a well-formed input inside the given bounds."""
    lines = text.split("\n")
    if len(lines) != 3 or lines[2] != "":
        return False
    head = lines[0].split(" ")
    values = lines[1].split(" ")
    if len(head) != 2 or not all(INT.fullmatch(tok) for tok in head + values):
        return False
    n, k = int(head[0]), int(head[1])
    if not (1 <= n <= maxn and -2 * 10**8 <= k <= 2 * 10**8 and len(values) == n):
        return False
    return all(mina <= int(tok) <= 10_000 for tok in values)


def main() -> None:
    """Validate stdin against the flags on the command line."""
    flags = parse_flags(sys.argv[1:])
    sys.exit(42 if valid(sys.stdin.read(), flags["maxn"], flags["mina"]) else 43)


if __name__ == "__main__":
    main()
