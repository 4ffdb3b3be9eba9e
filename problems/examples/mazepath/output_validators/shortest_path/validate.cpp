// Output validator for mazepath (Kattis protocol, plain C++17).
// Usage: validate input_file answer_file feedback_dir < team_output
// Exit 42: the team printed a valid route as short as the judge's (or agreed that
// none exists). Exit 43: wrong answer. Exit 1: the judge's answer is itself wrong
// (the team found a shorter route, or a route where the judge says IMPOSSIBLE).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

const int kAccept = 42;
const int kReject = 43;
const int kJudgeError = 1;

std::string g_feedback_dir;

int finish(int code, const std::string& message) {
    std::ofstream out(g_feedback_dir + "/judgemessage.txt");
    out << message << "\n";
    return code;
}

struct Maze {
    int rows = 0, cols = 0;
    std::vector<std::string> grid;
};

bool read_maze(const char* path, Maze& maze) {
    std::ifstream in(path);
    if (!(in >> maze.rows >> maze.cols)) return false;
    maze.grid.resize(maze.rows);
    for (auto& row : maze.grid) {
        if (!(in >> row) || static_cast<int>(row.size()) != maze.cols) return false;
    }
    return true;
}

// Walks `route` from S; on success sets `message` empty and returns true.
bool walk(const Maze& maze, const std::string& route, std::string& message) {
    int r = -1, c = -1;
    for (int i = 0; i < maze.rows; ++i)
        for (int j = 0; j < maze.cols; ++j)
            if (maze.grid[i][j] == 'S') r = i, c = j;
    for (std::size_t step = 0; step < route.size(); ++step) {
        char move = route[step];
        int dr = move == 'U' ? -1 : move == 'D' ? 1 : 0;
        int dc = move == 'L' ? -1 : move == 'R' ? 1 : 0;
        if (dr == 0 && dc == 0) {
            message = "step " + std::to_string(step + 1) + ": '" + move + "' is not one of UDLR";
            return false;
        }
        r += dr;
        c += dc;
        if (r < 0 || r >= maze.rows || c < 0 || c >= maze.cols) {
            message = "step " + std::to_string(step + 1) + " leaves the maze";
            return false;
        }
        if (maze.grid[r][c] == '#') {
            message = "step " + std::to_string(step + 1) + " walks into a wall";
            return false;
        }
    }
    if (maze.grid[r][c] != 'E') {
        message = "the route ends at row " + std::to_string(r + 1) + ", column " +
                  std::to_string(c + 1) + ", not at E";
        return false;
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s input answer feedback_dir < output\n", argv[0]);
        return kJudgeError;
    }
    g_feedback_dir = argv[3];
    Maze maze;
    if (!read_maze(argv[1], maze)) return finish(kJudgeError, "cannot read the input file");
    std::ifstream answer_file(argv[2]);
    std::string judge;
    if (!(answer_file >> judge)) return finish(kJudgeError, "cannot read the answer file");

    std::string team, extra;
    if (!(std::cin >> team)) return finish(kReject, "no output");
    if (std::cin >> extra) return finish(kReject, "more than one token in the output");

    if (team == "IMPOSSIBLE") {
        if (judge == "IMPOSSIBLE") return finish(kAccept, "correctly reported IMPOSSIBLE");
        return finish(kReject, "printed IMPOSSIBLE but a route exists");
    }
    std::string message;
    if (!walk(maze, team, message)) return finish(kReject, message);
    if (judge == "IMPOSSIBLE")
        return finish(kJudgeError, "team found a valid route where the judge says IMPOSSIBLE");
    if (team.size() > judge.size())
        return finish(kReject, "route has " + std::to_string(team.size()) +
                                   " steps, a shortest one has " + std::to_string(judge.size()));
    if (team.size() < judge.size())
        return finish(kJudgeError, "team route is shorter than the judge's answer");
    return finish(kAccept, "shortest route of " + std::to_string(team.size()) + " steps");
}
