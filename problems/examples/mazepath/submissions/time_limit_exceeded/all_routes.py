# Tries every simple route by backtracking and keeps the shortest: exponential.
import sys

MOVES = (("U", -1, 0), ("D", 1, 0), ("L", 0, -1), ("R", 0, 1))


def main() -> None:
    sys.setrecursionlimit(100_000)
    lines = sys.stdin.read().split()
    rows, cols = int(lines[0]), int(lines[1])
    grid = lines[2 : 2 + rows]
    start = next((r, c) for r in range(rows) for c in range(cols) if grid[r][c] == "S")
    best: list[str] = []
    found = [False]
    seen = {start}
    route: list[str] = []

    def explore(r: int, c: int) -> None:
        if grid[r][c] == "E":
            if not found[0] or len(route) < len(best):
                best[:] = route
                found[0] = True
            return
        for letter, dr, dc in MOVES:
            nr, nc = r + dr, c + dc
            if 0 <= nr < rows and 0 <= nc < cols and grid[nr][nc] != "#" and (nr, nc) not in seen:
                seen.add((nr, nc))
                route.append(letter)
                explore(nr, nc)
                route.pop()
                seen.discard((nr, nc))

    explore(*start)
    print("".join(best) if found[0] else "IMPOSSIBLE")


main()
