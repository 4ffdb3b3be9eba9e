// Count earlier prefix sums equal to prefix - K, with sorted prefix sums: O(n log n).
#include <algorithm>
#include <cstdio>
#include <vector>

int main() {
    int n;
    long long k;
    if (std::scanf("%d %lld", &n, &k) != 2) return 1;
    std::vector<long long> prefix(n + 1, 0);
    for (int i = 1; i <= n; ++i) {
        long long a;
        std::scanf("%lld", &a);
        prefix[i] = prefix[i - 1] + a;
    }
    // Pairs (i < j) with prefix[j] - prefix[i] == k: walk j, keep the prefixes
    // before it in a sorted multiset emulated by a sorted copy and counts.
    std::vector<long long> sorted(prefix);
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    std::vector<long long> seen(sorted.size(), 0);
    auto index = [&](long long v) {
        auto it = std::lower_bound(sorted.begin(), sorted.end(), v);
        return (it != sorted.end() && *it == v) ? static_cast<long long>(it - sorted.begin()) : -1LL;
    };
    long long count = 0;
    for (int j = 0; j <= n; ++j) {
        long long want = index(prefix[j] - k);
        if (want >= 0) count += seen[want];
        seen[index(prefix[j])]++;
    }
    std::printf("%lld\n", count);
}
