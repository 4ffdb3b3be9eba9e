"""Generate one exactsum input: `gen.py SEED N LOW HIGH KMODE`, printed to stdout.

Values are uniform in [LOW, HIGH]. KMODE picks K: `prefix` (the sum of a random
prefix, so some stretch starts at segment 1), `range` (the sum of a random
stretch), or an integer literal. The same arguments always give the same file."""

import random
import sys


def generate(seed: int, n: int, low: int, high: int, k_mode: str) -> str:
    """The input text for the given parameters."""
    rng = random.Random(seed)
    values = [rng.randint(low, high) for _ in range(n)]
    if k_mode == "prefix":
        k = sum(values[: rng.randint(1, n)])
    elif k_mode == "range":
        left = rng.randint(0, n - 1)
        k = sum(values[left : rng.randint(left + 1, n)])
    else:
        k = int(k_mode)
    return f"{n} {k}\n{' '.join(map(str, values))}\n"


def main() -> None:
    """Parse the command line and print one input."""
    seed, n, low, high = (int(arg) for arg in sys.argv[1:5])
    sys.stdout.write(generate(seed, n, low, high, sys.argv[5]))


if __name__ == "__main__":
    main()
