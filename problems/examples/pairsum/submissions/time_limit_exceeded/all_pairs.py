import sys


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, target = int(data[0]), int(data[1])
    a = [int(x) for x in data[2 : 2 + n]]
    pairs = 0
    for i in range(n):
        for j in range(i + 1, n):
            if a[i] + a[j] == target:
                pairs += 1
    print(pairs)


main()
