# Leave behind what a recursive clean-up chokes on: a directory chain argv[1]
# deep (in the box and in /tmp), argv[2] files with odd names, directories
# with mode 000 holding files, and a symlink loop.
import os
import sys

depth = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
files = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
for index in range(files):
    os.close(os.open(b"odd\n\x01\xff" + str(index).encode() + b" \t*?", os.O_CREAT | os.O_WRONLY))
for locked in ("/box/locked", "/tmp/locked"):
    os.mkdir(locked)
    os.close(os.open(f"{locked}/inside", os.O_CREAT | os.O_WRONLY))
    os.mkdir(f"{locked}/sub")
    os.chmod(f"{locked}/sub", 0)
    os.chmod(locked, 0)
os.symlink("loop", "/box/loop")
for top in ("/tmp", "/box"):
    os.chdir(top)
    for _level in range(depth):
        os.mkdir("d")
        os.chdir("d")
    os.close(os.open("bottom", os.O_CREAT | os.O_WRONLY))
print("built")
