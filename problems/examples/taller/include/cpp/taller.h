#ifndef TALLER_H
#define TALLER_H

#include <vector>

// For every index i, the smallest j > i with heights[j] > heights[i], or -1 if
// there is none. The result has exactly heights.size() entries.
std::vector<int> next_taller(const std::vector<int>& heights);

#endif
