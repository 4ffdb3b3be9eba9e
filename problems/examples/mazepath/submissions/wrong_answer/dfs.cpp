// Bug: depth-first search finds *a* route, not necessarily a shortest one.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

int main() {
    int rows, cols;
    std::cin >> rows >> cols;
    std::vector<std::string> grid(rows);
    for (auto& row : grid) std::cin >> row;
    int sr = 0, sc = 0;
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c)
            if (grid[r][c] == 'S') sr = r, sc = c;
    const int dr[4] = {-1, 1, 0, 0}, dc[4] = {0, 0, -1, 1};
    const char letter[4] = {'U', 'D', 'L', 'R'};
    std::vector<std::vector<bool>> seen(rows, std::vector<bool>(cols, false));
    struct Frame { int r, c, next; };
    std::vector<Frame> stack = {{sr, sc, 0}};
    std::string route;
    seen[sr][sc] = true;
    while (!stack.empty()) {
        Frame& top = stack.back();
        if (grid[top.r][top.c] == 'E') {
            std::puts(route.c_str());
            return 0;
        }
        if (top.next == 4) {
            stack.pop_back();
            if (!route.empty()) route.pop_back();
            continue;
        }
        int d = top.next++;
        int nr = top.r + dr[d], nc = top.c + dc[d];
        if (nr < 0 || nr >= rows || nc < 0 || nc >= cols) continue;
        if (grid[nr][nc] == '#' || seen[nr][nc]) continue;
        seen[nr][nc] = true;
        route += letter[d];
        stack.push_back({nr, nc, 0});
    }
    std::puts("IMPOSSIBLE");
}
