# An honest program: touch argv[1] MiB of memory and say so.
import sys

memory = bytearray(int(sys.argv[1] if len(sys.argv) > 1 else 64) << 20)
memory[::4096] = b"\x07" * len(memory[::4096])
print("touched", memory[-4096])
