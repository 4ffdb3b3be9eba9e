# Leave a daemon behind (double fork + setsid) that writes files after the run.
import os
import time

child = os.fork()
if child == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(1)
        for path in ("/box/late.txt", "/tmp/late.txt"):
            try:
                with open(path, "w") as file:
                    file.write("late\n")
            except OSError:
                pass
        while True:
            time.sleep(1000)
    os._exit(0)
os.waitpid(child, 0)
print("parent done")
