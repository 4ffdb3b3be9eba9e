# Sleep forever without using CPU.
import time

while True:
    time.sleep(1000)
