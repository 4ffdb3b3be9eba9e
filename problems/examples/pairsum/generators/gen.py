"""Generate one pairsum input: `gen.py SEED MODE N [LOW HIGH]`, printed to stdout.

Modes: `random` (values uniform in [LOW, HIGH], T the sum of two random items),
`equal` (all values LOW, T = 2 * LOW: every pair counts), `none` (T odd, values
even: no pair counts). The same arguments always give the same file."""

import random
import sys


def generate(seed: int, mode: str, n: int, low: int, high: int) -> str:
    """The input text for the given parameters."""
    rng = random.Random(seed)
    if mode == "equal":
        values = [low] * n
        target = 2 * low
    elif mode == "none":
        values = [2 * rng.randint(low // 2, high // 2) for _ in range(n)]
        target = 2 * rng.randint(low // 2, high // 2) + 1
    else:
        values = [rng.randint(low, high) for _ in range(n)]
        target = rng.choice(values) + rng.choice(values) if n > 1 else values[0]
    return f"{n} {target}\n{' '.join(map(str, values))}\n"


def main() -> None:
    """Parse the command line and print one input."""
    seed, mode, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    low = int(sys.argv[4]) if len(sys.argv) > 4 else -(10**9)
    high = int(sys.argv[5]) if len(sys.argv) > 5 else 10**9
    sys.stdout.write(generate(seed, mode, n, low, high))


if __name__ == "__main__":
    main()
