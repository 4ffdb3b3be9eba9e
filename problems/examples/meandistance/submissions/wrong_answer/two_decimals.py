# Bug: prints only two decimals, which is not within 1e-6 of most answers.
import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    xs = sorted(int(x) for x in data[1 : 1 + n])
    total = 0
    before = 0
    for index, x in enumerate(xs):
        total += x * index - before
        before += x
    print(f"{total / (n * (n - 1) // 2):.2f}")


main()
