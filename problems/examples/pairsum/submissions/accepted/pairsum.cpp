// Sort, then count equal-value blocks with two pointers: O(n log n).
#include <algorithm>
#include <cstdio>
#include <vector>

int main() {
    int n;
    long long target;
    if (std::scanf("%d %lld", &n, &target) != 2) return 1;
    std::vector<long long> a(n);
    for (auto& x : a) std::scanf("%lld", &x);
    std::sort(a.begin(), a.end());
    long long pairs = 0;
    int lo = 0, hi = n - 1;
    while (lo < hi) {
        long long sum = a[lo] + a[hi];
        if (sum < target) {
            ++lo;
        } else if (sum > target) {
            --hi;
        } else if (a[lo] == a[hi]) {
            long long k = hi - lo + 1;
            pairs += k * (k - 1) / 2;
            break;
        } else {
            long long left = 1, right = 1;
            while (lo + left < hi && a[lo + left] == a[lo]) ++left;
            while (hi - right > lo && a[hi - right] == a[hi]) ++right;
            pairs += left * right;
            lo += left;
            hi -= right;
        }
    }
    std::printf("%lld\n", pairs);
}
