import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    xs = [int(x) for x in data[1 : 1 + n]]
    total = 0
    for i in range(n):
        for j in range(i + 1, n):
            total += abs(xs[i] - xs[j])
    print(f"{total / (n * (n - 1) // 2):.9f}")


main()
