// Bug: records a value before looking up its partner, so an item whose price is
// exactly T/2 is paired with itself.
#include <cstdio>
#include <unordered_map>

int main() {
    int n;
    long long target;
    if (std::scanf("%d %lld", &n, &target) != 2) return 1;
    std::unordered_map<long long, long long> seen;
    long long pairs = 0;
    for (int i = 0; i < n; ++i) {
        long long x;
        std::scanf("%lld", &x);
        seen[x]++;
        pairs += seen[target - x];
    }
    std::printf("%lld\n", pairs);
}
