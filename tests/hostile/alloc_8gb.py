# Allocate 8 GiB and touch every page.
size = 8 << 30
memory = bytearray(size)
for i in range(0, size, 4096):
    memory[i] = 1
print("TOUCHED")
