"""Generate one taller grader input: `gen.py SEED N MODE [LOW HIGH]` to stdout.

MODE `list` writes N heights drawn uniformly from [LOW, HIGH] into the file; any
other grader mode (random, few, up, down, valley) writes only `N MODE SEED` and the
grader builds the heights itself. Same arguments, same file."""

import random
import sys


def generate(seed: int, n: int, mode: str, low: int, high: int) -> str:
    """The input text for the given parameters."""
    if mode != "list":
        return f"{n} {mode} {seed}\n"
    rng = random.Random(seed)
    heights = [rng.randint(low, high) for _ in range(n)]
    return f"{n} list 0\n{' '.join(map(str, heights))}\n"


def main() -> None:
    """Parse the command line and print one input."""
    seed, n, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    low = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    high = int(sys.argv[5]) if len(sys.argv) > 5 else 10**9
    sys.stdout.write(generate(seed, n, mode, low, high))


if __name__ == "__main__":
    main()
