# Try to kill the parent, pid 1 and every process we may signal; report each result.
import os
import signal


def report(what, pid):
    try:
        os.kill(pid, signal.SIGKILL)
        print(f"{what}: SENT")
    except OSError as error:
        print(f"{what}: {error.strerror}")


report("kill parent", os.getppid())
report("kill pid 1", 1)
report("kill -1", -1)
print("survived")
