# O(n^2) over all stretches: fast enough for group 1 (n <= 1000) only.
import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, k = int(data[0]), int(data[1])
    a = [int(x) for x in data[2 : 2 + n]]
    count = 0
    for left in range(n):
        total = 0
        for right in range(left, n):
            total += a[right]
            if total == k:
                count += 1
    print(count)


main()
