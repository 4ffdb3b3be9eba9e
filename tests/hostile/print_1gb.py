# Print 1 GiB to stdout.
import sys

block = b"x" * (1 << 20)
for _ in range(1024):
    sys.stdout.buffer.write(block)
