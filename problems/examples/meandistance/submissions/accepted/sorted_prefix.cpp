// After sorting, house i is to the right of exactly i houses: O(n log n).
#include <algorithm>
#include <cstdio>
#include <vector>

int main() {
    int n;
    if (std::scanf("%d", &n) != 1) return 1;
    std::vector<long long> x(n);
    for (auto& v : x) std::scanf("%lld", &v);
    std::sort(x.begin(), x.end());
    long long total = 0, before = 0;
    for (int i = 0; i < n; ++i) {
        total += x[i] * i - before;
        before += x[i];
    }
    long long pairs = 1LL * n * (n - 1) / 2;
    std::printf("%.9f\n", static_cast<double>(total) / static_cast<double>(pairs));
}
