// Grader for "Next Taller": reads a test description from stdin, builds the
// heights, calls the contestant's next_taller() once and prints the result.
//
// Input:  "n list 0" followed by a line of n heights, or "n MODE SEED" where MODE
//         is one of random, few, up, down, valley and the heights are generated here
//         (so large tests stay small on disk).
// Output: for n <= 100 the n answers separated by spaces; otherwise one line
//         "checksum H" with a 64-bit hash of all answers.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "taller.h"

namespace {

std::uint64_t next_random(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

bool build_heights(int n, const char* mode, std::uint64_t seed, std::vector<int>& heights) {
    heights.resize(n);
    std::uint64_t state = seed;
    for (int i = 0; i < n; ++i) {
        if (std::strcmp(mode, "list") == 0) {
            if (std::scanf("%d", &heights[i]) != 1) return false;
        } else if (std::strcmp(mode, "random") == 0) {
            heights[i] = static_cast<int>(next_random(state) % 1000000000ULL) + 1;
        } else if (std::strcmp(mode, "few") == 0) {
            heights[i] = static_cast<int>(next_random(state) % 5ULL) + 1;
        } else if (std::strcmp(mode, "up") == 0) {
            heights[i] = i + 1;
        } else if (std::strcmp(mode, "down") == 0) {
            heights[i] = n - i;
        } else if (std::strcmp(mode, "valley") == 0) {
            heights[i] = (i < n / 2 ? n / 2 - i : i - n / 2) + 1;
        } else {
            return false;
        }
    }
    return true;
}

}  // namespace

int main() {
    int n;
    char mode[16];
    unsigned long long seed;
    if (std::scanf("%d %15s %llu", &n, mode, &seed) != 3) {
        std::puts("grader: bad input");
        return 1;
    }
    std::vector<int> heights;
    if (!build_heights(n, mode, seed, heights)) {
        std::puts("grader: bad input");
        return 1;
    }
    const std::vector<int> answer = next_taller(heights);
    if (static_cast<int>(answer.size()) != n) {
        std::printf("wrong size %zu\n", answer.size());
        return 0;
    }
    if (n <= 100) {
        for (int i = 0; i < n; ++i) std::printf(i ? " %d" : "%d", answer[i]);
        std::puts("");
        return 0;
    }
    std::uint64_t hash = 0;
    for (int value : answer) hash = hash * 1000003ULL + static_cast<std::uint64_t>(value + 2);
    std::printf("checksum %llu\n", static_cast<unsigned long long>(hash));
}
