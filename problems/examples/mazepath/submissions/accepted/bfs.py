import sys
from collections import deque

MOVES = (("U", -1, 0), ("D", 1, 0), ("L", 0, -1), ("R", 0, 1))


def main() -> None:
    lines = sys.stdin.read().split()
    rows, cols = int(lines[0]), int(lines[1])
    grid = lines[2 : 2 + rows]
    start = end = (0, 0)
    for r, row in enumerate(grid):
        for c, cell in enumerate(row):
            if cell == "S":
                start = (r, c)
            elif cell == "E":
                end = (r, c)
    parent = {start: None}
    queue = deque([start])
    while queue:
        r, c = queue.popleft()
        if (r, c) == end:
            break
        for letter, dr, dc in MOVES:
            nr, nc = r + dr, c + dc
            if 0 <= nr < rows and 0 <= nc < cols and grid[nr][nc] != "#" and (nr, nc) not in parent:
                parent[(nr, nc)] = (r, c, letter)
                queue.append((nr, nc))
    if end not in parent:
        print("IMPOSSIBLE")
        return
    route = []
    cell = end
    while parent[cell] is not None:
        r, c, letter = parent[cell]
        route.append(letter)
        cell = (r, c)
    print("".join(reversed(route)))


main()
