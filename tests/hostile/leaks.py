# Print what a program can learn about the host: the host name, the mount table,
# and the command lines of pid 1 and of its parent (empty if unreadable).
import os


def slurp(path):
    try:
        with open(path, "rb") as file:
            return file.read().decode(errors="replace")
    except OSError:
        return ""


print("hostname", os.uname().nodename)
print("cmdline1", slurp("/proc/1/cmdline"))
print("cmdlineparent", slurp(f"/proc/{os.getppid()}/cmdline"))
print("cmdlineself", slurp("/proc/self/cmdline"))
print(slurp("/proc/self/mountinfo"), slurp("/proc/self/environ"))
