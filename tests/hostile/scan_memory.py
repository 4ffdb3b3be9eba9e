# Read this process's whole memory (/proc/self/mem over /proc/self/maps) and look
# for each marker given as two halves (argv pairs), so that the marker itself is
# never whole in this program's own memory. Prints "FOUND <n>" or "clean <n>".
import ctypes
import sys

ctypes.CDLL(None).prctl(4, 1, 0, 0, 0)  # PR_SET_DUMPABLE: /proc/self/mem readable again

pairs = [(sys.argv[i].encode(), sys.argv[i + 1].encode()) for i in range(1, len(sys.argv), 2)]
found = [False] * len(pairs)
CHUNK = 1 << 20
with open("/proc/self/maps") as maps_file:
    regions = [line.split() for line in maps_file.read().splitlines()]
with open("/proc/self/mem", "rb", buffering=0) as memory:
    for fields in regions:
        if "r" not in fields[1] or fields[-1] in ("[vvar]", "[vsyscall]", "[vvar_vclock]"):
            continue
        low, high = (int(x, 16) for x in fields[0].split("-"))
        position = low
        while position < high:
            try:
                memory.seek(position)
                chunk = memory.read(min(CHUNK, high - position))
            except (OSError, OverflowError):
                break
            for number, (head, tail) in enumerate(pairs):
                at = chunk.find(head)
                while at != -1 and not found[number]:
                    start = at + len(head)
                    if chunk[start : start + len(tail)] == tail:
                        found[number] = True
                    at = chunk.find(head, at + 1)
            position += max(1, len(chunk) - 256)
            if len(chunk) <= 256:
                break
for number, hit in enumerate(found):
    print("FOUND" if hit else "clean", number)
