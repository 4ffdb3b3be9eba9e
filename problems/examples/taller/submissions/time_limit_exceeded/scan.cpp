// Scans east from every building: O(n^2) when heights decrease.
#include "taller.h"

std::vector<int> next_taller(const std::vector<int>& heights) {
    const int n = static_cast<int>(heights.size());
    std::vector<int> answer(n, -1);
    for (int i = 0; i < n; ++i) {
        for (int j = i + 1; j < n; ++j) {
            if (heights[j] > heights[i]) {
                answer[i] = j;
                break;
            }
        }
    }
    return answer;
}
