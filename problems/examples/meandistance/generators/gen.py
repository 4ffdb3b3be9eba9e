"""Generate one meandistance input: `gen.py SEED N LOW HIGH [MODE]` to stdout.

MODE `uniform` (default) draws positions uniformly from [LOW, HIGH]; `clusters`
puts houses in a few tight clusters, so many pairs share a position. The same
arguments always give the same file."""

import random
import sys


def generate(seed: int, n: int, low: int, high: int, mode: str) -> str:
    """The input text for the given parameters."""
    rng = random.Random(seed)
    if mode == "clusters":
        centres = [rng.randint(low, high) for _ in range(3)]
        xs = [min(high, max(low, rng.choice(centres) + rng.randint(-2, 2))) for _ in range(n)]
    else:
        xs = [rng.randint(low, high) for _ in range(n)]
    return f"{n}\n{' '.join(map(str, xs))}\n"


def main() -> None:
    """Parse the command line and print one input."""
    seed, n, low, high = (int(arg) for arg in sys.argv[1:5])
    mode = sys.argv[5] if len(sys.argv) > 5 else "uniform"
    sys.stdout.write(generate(seed, n, low, high, mode))


if __name__ == "__main__":
    main()
