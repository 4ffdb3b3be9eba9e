"""Generate one mazepath input: `gen.py SEED R C MODE [WALL_PERCENT]` to stdout.

Modes: `open` (random walls with the given density, S and E at random free
cells), `corners` (like `open`, with S top-left and E bottom-right), `snake` (one
long serpentine corridor, so the only route is about R*C/2 steps), `walled` (like
`open`, but E is boxed in by walls: IMPOSSIBLE). Same arguments, same file."""

import random
import sys


def open_maze(rng: random.Random, rows: int, cols: int, percent: int) -> list[list[str]]:
    """A grid with each cell a wall with probability percent/100."""
    return [
        ["#" if rng.randrange(100) < percent else "." for _ in range(cols)] for _ in range(rows)
    ]


def snake_maze(rows: int, cols: int) -> list[list[str]]:
    """Rows alternate between free corridors and walls with one gap at alternating ends."""
    grid = [["." for _ in range(cols)] for _ in range(rows)]
    for r in range(1, rows, 2):
        gap = cols - 1 if r % 4 == 1 else 0
        for c in range(cols):
            if c != gap:
                grid[r][c] = "#"
    return grid


def place(rng: random.Random, grid: list[list[str]], mode: str) -> None:
    """Put S and E on two distinct cells, clearing them of walls."""
    rows, cols = len(grid), len(grid[0])
    if mode in ("corners", "snake"):
        start, end = (0, 0), (rows - 1, cols - 1)
        if mode == "snake" and rows % 2 == 0:
            end = (rows - 2, cols - 1 if (rows - 2) % 4 == 0 else 0)
    else:
        cells = rng.sample([(r, c) for r in range(rows) for c in range(cols)], 2)
        start, end = cells[0], cells[1]
    grid[start[0]][start[1]] = "S"
    grid[end[0]][end[1]] = "E"
    if mode == "walled":
        for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
            r, c = end[0] + dr, end[1] + dc
            if 0 <= r < rows and 0 <= c < cols and grid[r][c] != "S":
                grid[r][c] = "#"


def generate(seed: int, rows: int, cols: int, mode: str, percent: int) -> str:
    """The input text for the given parameters."""
    rng = random.Random(seed)
    grid = snake_maze(rows, cols) if mode == "snake" else open_maze(rng, rows, cols, percent)
    place(rng, grid, mode)
    return f"{rows} {cols}\n" + "".join("".join(row) + "\n" for row in grid)


def main() -> None:
    """Parse the command line and print one input."""
    seed, rows, cols = (int(arg) for arg in sys.argv[1:4])
    percent = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    sys.stdout.write(generate(seed, rows, cols, sys.argv[4], percent))


if __name__ == "__main__":
    main()
