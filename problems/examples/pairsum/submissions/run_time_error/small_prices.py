# Bug: assumes |a_i| <= 10^6 and counts prices in a fixed-size table; a larger
# price raises IndexError.
import sys

OFFSET = 10**6


def main() -> None:
    data = sys.stdin.buffer.read().split()
    n, target = int(data[0]), int(data[1])
    count = [0] * (2 * OFFSET + 1)
    pairs = 0
    for token in data[2 : 2 + n]:
        value = int(token)
        partner = target - value
        if -OFFSET <= partner <= OFFSET:
            pairs += count[partner + OFFSET]
        count[value + OFFSET] += 1
    print(pairs)


main()
