// Two pointers: correct only when every a_i >= 1 (group 2).
#include <cstdio>
#include <vector>

int main() {
    int n;
    long long k;
    if (std::scanf("%d %lld", &n, &k) != 2) return 1;
    std::vector<long long> a(n);
    for (auto& x : a) std::scanf("%lld", &x);
    long long count = 0, sum = 0;
    int left = 0;
    for (int right = 0; right < n; ++right) {
        sum += a[right];
        while (left < right && sum > k) sum -= a[left++];
        if (sum == k) ++count;
    }
    std::printf("%lld\n", count);
}
