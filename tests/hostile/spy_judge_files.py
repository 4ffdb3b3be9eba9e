# Run beside a trusted process: for a second, try to read and write the judge's
# files in the box (its stdout/stderr logs, the feedback dir) and report the
# modes of the FIFOs. Prints "READ ..."/"WROTE ..." only on success.
import os
import stat
import sys
import time

fifos = sys.argv[1:]
for fifo in fifos:
    print(fifo, oct(stat.S_IMODE(os.stat(fifo).st_mode)))
seen = set()
deadline = time.monotonic() + 1.0
while time.monotonic() < deadline:
    for name in ("validator.err", "validator.out", "feedback/judgemessage.txt"):
        try:
            with open(name) as file:
                if "JUDGESECRET" in file.read() and name not in seen:
                    seen.add(name)
                    print("READ", name)
        except OSError:
            pass
        try:
            with open(name, "a") as file:
                file.write("FORGED\n")
                print("WROTE", name)
        except OSError:
            pass
    try:
        if os.listdir("feedback") and "feedback" not in seen:
            seen.add("feedback")
            print("LISTED feedback")
    except OSError:
        pass
    time.sleep(0.01)
print("done")
