// Bug: pops on <=, so a building of equal height counts as taller.
#include "taller.h"

std::vector<int> next_taller(const std::vector<int>& heights) {
    const int n = static_cast<int>(heights.size());
    std::vector<int> answer(n, -1);
    std::vector<int> waiting;
    for (int i = 0; i < n; ++i) {
        while (!waiting.empty() && heights[waiting.back()] <= heights[i]) {
            answer[waiting.back()] = i;
            waiting.pop_back();
        }
        waiting.push_back(i);
    }
    return answer;
}
