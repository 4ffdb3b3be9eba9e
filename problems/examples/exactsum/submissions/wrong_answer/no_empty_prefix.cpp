// Bug: forgets the empty prefix (sum 0), so stretches starting at segment 1 are
// never counted.
#include <cstdio>
#include <unordered_map>

int main() {
    int n;
    long long k;
    if (std::scanf("%d %lld", &n, &k) != 2) return 1;
    std::unordered_map<long long, long long> seen;
    long long prefix = 0, count = 0;
    for (int i = 0; i < n; ++i) {
        long long a;
        std::scanf("%lld", &a);
        prefix += a;
        auto it = seen.find(prefix - k);
        if (it != seen.end()) count += it->second;
        seen[prefix]++;
    }
    std::printf("%lld\n", count);
}
