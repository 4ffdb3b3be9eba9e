// Breadth-first search from E, then walk greedily downhill from S.
#include <cstdio>
#include <iostream>
#include <queue>
#include <string>
#include <vector>

int main() {
    int rows, cols;
    std::cin >> rows >> cols;
    std::vector<std::string> grid(rows);
    for (auto& row : grid) std::cin >> row;
    int sr = 0, sc = 0, er = 0, ec = 0;
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
            if (grid[r][c] == 'S') sr = r, sc = c;
            if (grid[r][c] == 'E') er = r, ec = c;
        }
    const int dr[4] = {-1, 1, 0, 0}, dc[4] = {0, 0, -1, 1};
    const char letter[4] = {'U', 'D', 'L', 'R'};
    std::vector<std::vector<int>> dist(rows, std::vector<int>(cols, -1));
    std::queue<std::pair<int, int>> queue;
    dist[er][ec] = 0;
    queue.push({er, ec});
    while (!queue.empty()) {
        auto [r, c] = queue.front();
        queue.pop();
        for (int d = 0; d < 4; ++d) {
            int nr = r + dr[d], nc = c + dc[d];
            if (nr < 0 || nr >= rows || nc < 0 || nc >= cols) continue;
            if (grid[nr][nc] == '#' || dist[nr][nc] >= 0) continue;
            dist[nr][nc] = dist[r][c] + 1;
            queue.push({nr, nc});
        }
    }
    if (dist[sr][sc] < 0) {
        std::puts("IMPOSSIBLE");
        return 0;
    }
    std::string route;
    int r = sr, c = sc;
    while (dist[r][c] > 0) {
        for (int d = 0; d < 4; ++d) {
            int nr = r + dr[d], nc = c + dc[d];
            if (nr < 0 || nr >= rows || nc < 0 || nc >= cols) continue;
            if (dist[nr][nc] == dist[r][c] - 1) {
                route += letter[d];
                r = nr, c = nc;
                break;
            }
        }
    }
    std::puts(route.c_str());
}
