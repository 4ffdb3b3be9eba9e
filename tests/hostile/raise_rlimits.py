# Raise the CPU or file-size rlimit (argv[1] = cpu | fsize) to infinity, then
# exceed the original limit: spin forever, or write 100 MiB to stdout.
import resource
import sys

cpu = sys.argv[1] == "cpu"
kind = resource.RLIMIT_CPU if cpu else resource.RLIMIT_FSIZE
try:
    resource.setrlimit(kind, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    print("setrlimit: RAISED", file=sys.stderr)
except (OSError, ValueError) as error:
    print(f"setrlimit: {error}", file=sys.stderr)
if cpu:
    while True:
        pass
block = b"\0" * (1 << 20)
for _ in range(100):
    sys.stdout.buffer.write(block)
