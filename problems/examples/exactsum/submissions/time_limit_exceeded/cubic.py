# O(n^3): recomputes every stretch sum from scratch; too slow even for n = 1000.
import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, k = int(data[0]), int(data[1])
    a = [int(x) for x in data[2 : 2 + n]]
    count = 0
    for left in range(n):
        for right in range(left, n):
            total = 0
            for i in range(left, right + 1):
                total += a[i]
            if total == k:
                count += 1
    print(count)


main()
