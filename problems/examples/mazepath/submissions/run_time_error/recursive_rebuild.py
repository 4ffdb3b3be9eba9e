# Correct BFS, but the route is rebuilt recursively: a route longer than Python's
# default recursion limit (1000) raises RecursionError.
import sys
from collections import deque

MOVES = (("U", -1, 0), ("D", 1, 0), ("L", 0, -1), ("R", 0, 1))


def main() -> None:
    lines = sys.stdin.read().split()
    rows, cols = int(lines[0]), int(lines[1])
    grid = lines[2 : 2 + rows]
    start = next((r, c) for r in range(rows) for c in range(cols) if grid[r][c] == "S")
    end = next((r, c) for r in range(rows) for c in range(cols) if grid[r][c] == "E")
    parent = {start: None}
    queue = deque([start])
    while queue:
        r, c = queue.popleft()
        for letter, dr, dc in MOVES:
            nr, nc = r + dr, c + dc
            if 0 <= nr < rows and 0 <= nc < cols and grid[nr][nc] != "#" and (nr, nc) not in parent:
                parent[(nr, nc)] = (r, c, letter)
                queue.append((nr, nc))

    def rebuild(cell: tuple[int, int]) -> str:
        step = parent[cell]
        if step is None:
            return ""
        return rebuild((step[0], step[1])) + step[2]

    print(rebuild(end) if end in parent else "IMPOSSIBLE")


main()
